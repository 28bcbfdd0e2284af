package org.supcon.inference.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The service's own meters (Prometheus names in brackets): batch sizes
 * ({@code inference_batch_size}), requests per batch ({@code inference_batch_requests}), queue time
 * ({@code inference_queue_seconds}), model latency per request from queueing to result
 * ({@code inference_latency_seconds}), requests by outcome ({@code inference_requests_total}) and the
 * active model version ({@code inference_model_version}). HTTP request counts and latencies come from
 * Quarkus' http-server binder ({@code http_server_requests_seconds}).
 */
public final class InferenceMetrics implements BatchListener {

    private final MeterRegistry registry;
    private final DistributionSummary batchSize;
    private final DistributionSummary batchRequests;
    private final Timer queueTime;
    private final AtomicLong activeVersion = new AtomicLong();
    private final io.micrometer.core.instrument.Gauge versionGauge;

    public InferenceMetrics(MeterRegistry registry, String modelName) {
        this.registry = registry;
        this.batchSize = DistributionSummary.builder("inference.batch.size").description("images per ONNX Runtime run")
                .tag("model", modelName).serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256).register(registry);
        this.batchRequests = DistributionSummary.builder("inference.batch.requests").description("requests merged per run")
                .tag("model", modelName).serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64).register(registry);
        this.queueTime = Timer.builder("inference.queue").description("time a request waits for its batch to start")
                .tag("model", modelName).publishPercentileHistogram().register(registry);
        this.versionGauge = io.micrometer.core.instrument.Gauge.builder("inference.model.version", activeVersion, AtomicLong::get)
                .description("the version answering requests for the latest model; 0 while none is loaded")
                .tag("model", modelName).strongReference(true).register(registry);
    }

    @Override
    public void batchStarted(int images, int requests, long[] queueNanos) {
        batchSize.record(images);
        batchRequests.record(requests);
        for (long q : queueNanos) {
            queueTime.record(q, TimeUnit.NANOSECONDS);
        }
    }

    /** Records one {@code infer} call from submission to its result. */
    public void request(String model, String outcome, long nanos) {
        Timer.builder("inference.latency").description("time from submitting images to their outputs")
                .tags("model", model, "outcome", outcome).publishPercentileHistogram().register(registry)
                .record(nanos, TimeUnit.NANOSECONDS);
        Counter.builder("inference.requests").description("infer calls by outcome")
                .tags("model", model, "outcome", outcome).register(registry).increment();
    }

    /**
     * Removes the gauge: a registry can outlive the application (Quarkus tests restart it in one
     * JVM) and would keep reading this instance's value, the first registration being the one kept.
     */
    public void close() {
        registry.remove(versionGauge);
    }

    public void activeVersion(long version) {
        activeVersion.set(version);
    }

    public DistributionSummary batchSize() {
        return batchSize;
    }
}
