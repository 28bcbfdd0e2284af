package org.supcon.inference.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalInt;

/**
 * The inference service's configuration ({@code inference.*}; environment variables
 * {@code INFERENCE_...}). Kafka's address is the usual {@code kafka.bootstrap.servers}.
 */
@ConfigMapping(prefix = "inference")
public interface InferenceConfig {

    /** ROOT of the model repository: versions are read from ROOT/NAME/VERSION (as the trainer publishes them). */
    @WithDefault("models")
    Path modelRepository();

    /** NAME in the model repository: the model this service serves. */
    @WithDefault("fashion-mnist-supcon")
    String modelName();

    /** How often the repository is checked for a newer version, beside the model-events topic. */
    @WithDefault("10s")
    Duration pollInterval();

    /** How many validated versions stay loaded for {@code versions/{v}} requests (the newest included), at least 1. */
    @WithDefault("2")
    int keepVersions();

    /** Execution provider: {@code auto} uses CUDA when ONNX Runtime offers it and falls back to CPU. */
    @WithDefault("auto")
    Device device();

    /** ONNX Runtime intra-op threads per session; unset lets ONNX Runtime choose (one per core). */
    OptionalInt intraOpThreads();

    /**
     * Whether ONNX Runtime's intra-op threads spin while they wait for work (ONNX Runtime's own
     * default is to spin). Off here: between batches the spinning took the CPU that request
     * handling needs (gRPC at concurrency 32: x1.29 throughput with it off; BENCHMARKS.md).
     */
    @WithDefault("false")
    boolean intraOpSpinning();

    /** Dynamic batching of concurrent requests. */
    Batching batching();

    /** Request limits. */
    Limits limits();

    /** Similarity search in each version's vector index ({@code POST /v1/search}, gRPC {@code Search}). */
    Search search();

    /** The topic the trainer publishes ModelPublished events to (key: model name). */
    @WithDefault("model-events")
    String modelEventsTopic();

    /** The model-events listener. */
    Kafka kafka();

    /** Who may call the API (README "Security"). */
    Auth auth();

    /** Per-client rate limiting of the APIs (REST and gRPC; never {@code /q/*}). */
    RateLimit rateLimit();

    enum Device {
        AUTO, CPU, CUDA
    }

    interface Batching {

        /** Most images in one ONNX Runtime run; a single larger request runs alone. */
        @WithDefault("64")
        int maxBatchSize();

        /**
         * Longest a request waits in the queue for others to join its batch. 0: a batch takes what
         * queued while the previous run was busy and never waits (on 2 CPU cores waiting 2 ms cost
         * x3.7 throughput at concurrency 1 and x1.6 at 8, and gained nothing at 32-64; BENCHMARKS.md).
         */
        @WithDefault("0ms")
        Duration maxDelay();

        /** Most requests waiting per loaded version; more are refused (HTTP 429, gRPC RESOURCE_EXHAUSTED). */
        @WithDefault("1024")
        int maxQueue();

        /** Threads running batches per loaded version. */
        @WithDefault("1")
        int runners();
    }

    interface Limits {

        /** Most images in one request. */
        @WithDefault("64")
        int maxBatch();

        /**
         * Largest width or height of an uploaded image, read from its header before decoding (a
         * 2048x2048 image allocates up to about 100 MB while it is decoded and converted: 16-bit RGBA
         * into an RGB model; README "Hostile input").
         */
        @WithDefault("2048")
        int maxDimension();

        /**
         * Memory that images being decoded may hold at once, in MB: each decode takes its worst case
         * (24 bytes per declared pixel: 101 MB for 2048x2048, 19 KB for 28x28) and refuses with 429 /
         * RESOURCE_EXHAUSTED when it does not fit beside the others (413 when it alone exceeds it).
         */
        @WithDefault("512")
        int decodeMemoryMb();

        /** Most top-k labels a prediction may ask for (capped at the number of classes). */
        @WithDefault("100")
        int maxTopK();
    }

    interface Search {

        /** Most neighbours one search may ask for ({@code k}); a larger k is a 400 / INVALID_ARGUMENT. */
        @WithDefault("100")
        int maxK();

        /**
         * Candidates the HNSW graph search keeps (Lucene's k; at least the request's k): more gives a
         * higher recall against the exact search and costs time. Exact searches ignore it.
         */
        @WithDefault("100")
        int candidates();
    }

    interface Auth {

        /**
         * Require a bearer token (RS256 JWT, verified with mp.jwt.verify.publickey.location) with the
         * role inference-user on REST and gRPC; off by default and in dev/demo (said at start), on in
         * the Kubernetes deployment. Health and metrics are on the management port either way.
         */
        @WithDefault("false")
        boolean enabled();
    }

    interface Kafka {

        /** Listen to the model-events topic; the repository poll runs either way. */
        @WithDefault("true")
        boolean enabled();
    }

    interface RateLimit {

        /** Refuse a client's requests over its rate (429 / RESOURCE_EXHAUSTED with {@code Retry-After}); off by default, so the demo is never throttled. */
        @WithDefault("false")
        boolean enabled();

        /** Sustained requests per second per client (its bearer token, else its remote address), at least 0.001; fractions allowed (0.5: one per 2 s). */
        @WithDefault("50")
        double requestsPerSecond();

        /** Requests a client may send at once before the rate applies (the bucket size), at least 1. */
        @WithDefault("100")
        int burst();

        /** Most clients with their own bucket; beyond it new clients share one bucket of the same rate until idle ones are dropped. */
        @WithDefault("100000")
        int maxClients();
    }
}
