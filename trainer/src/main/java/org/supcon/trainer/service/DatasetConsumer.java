package org.supcon.trainer.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;
import org.supcon.trainer.config.KafkaClientConfig;
import org.supcon.trainer.config.TrainerConfig;
import org.supcon.trainer.dataset.RecordValidator;
import org.supcon.trainer.dataset.ValidationLimits;
import org.supcon.trainer.ingest.BatchProcessor;
import org.supcon.trainer.ingest.ConsumerStatus;
import org.supcon.trainer.ingest.DatasetClients;
import org.supcon.trainer.ingest.DlqLedger;
import org.supcon.trainer.ingest.IngestLoop;

/**
 * The dataset consumer of {@code serve}: an {@link IngestLoop} on its own thread with a plain
 * {@link KafkaConsumer} (manual commits) and an idempotent DLQ producer, feeding the {@link
 * DatasetStore}'s cache. Publishes the metrics {@code supcon_records_consumed_total},
 * {@code supcon_records_dlq_total{reason}}, {@code supcon_consumer_lag} and {@code
 * supcon_dataset_samples}, and fires {@link SamplesAppended} after every batch that changed the
 * cache. Off when {@code trainer.consumer.enabled=false} (the command-line tools).
 */
@Singleton
public class DatasetConsumer {

    private static final Logger LOG = Logger.getLogger(DatasetConsumer.class);
    /** File of the {@link DlqLedger}, beside the cache's files. */
    public static final String LEDGER_FILE = "dlq.log";

    private final TrainerConfig config;
    private final DatasetStore store;
    private final MeterRegistry registry;
    private final Event<SamplesAppended> samplesAppended;
    private final Map<String, Object> kafka;
    private final Counter consumed;

    private volatile IngestLoop loop;
    private volatile DlqLedger ledger;
    private Thread thread;
    private KafkaProducer<byte[], byte[]> producer;
    private final java.util.List<io.micrometer.core.instrument.Meter> meters = new java.util.ArrayList<>();

    public DatasetConsumer(TrainerConfig config, DatasetStore store, MeterRegistry registry, Event<SamplesAppended> samplesAppended,
                           Config mpConfig) {
        this.config = config;
        this.store = store;
        this.registry = registry;
        this.samplesAppended = samplesAppended;
        this.kafka = KafkaClientConfig.from(mpConfig);
        this.consumed = Counter.builder("supcon.records.consumed")
                .description("labeled-images records processed: cached or dead-lettered").register(registry);
        meters.add(consumed);
        meters.add(Gauge.builder("supcon.consumer.lag", this, c -> c.status().totalLag())
                .description("records of labeled-images not yet in the dataset cache (sum over assigned partitions)")
                .register(registry));
        meters.add(Gauge.builder("supcon.dataset.samples", store, s -> s.isOpen() ? s.cache().stats().samples() : Double.NaN)
                .description("unique samples in the dataset cache").register(registry));
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.consumer().enabled()) {
            return;
        }
        start();
    }

    // before DatasetStore closes the cache (default priority 2500): the loop must not write to a closed cache
    void onStop(@Observes @Priority(100) ShutdownEvent event) {
        stop();
        // The injected registry is Micrometer's global one, which outlives this application (a
        // restart in the same JVM, as in tests): meters bound to this bean go with it.
        meters.forEach(registry::remove);
    }

    /** Starts the consumer thread (idempotent). */
    public synchronized void start() {
        if (loop != null) {
            return;
        }
        TrainerConfig.Dataset d = config.dataset();
        RecordValidator validator = new RecordValidator(
                new ValidationLimits(d.maxBytes(), d.maxDimension(), d.maxDimension(), store.geometry()));
        producer = DatasetClients.deadLetterProducer(kafka);
        KafkaConsumer<byte[], byte[]> consumer = DatasetClients.consumer(kafka, config.consumer().groupId(),
                config.consumer().maxPollRecords());
        BatchProcessor processor = new BatchProcessor(validator::validate, store.cache(), deadLetters(),
                DatasetClients.sink(producer), config.topics().dlq());
        IngestLoop.Settings settings = new IngestLoop.Settings(config.topics().labeledImages(), Duration.ofMillis(500),
                Duration.ofSeconds(1), config.consumer().maxBackoff(), Duration.ofSeconds(10), Duration.ofSeconds(10));
        IngestLoop l = new IngestLoop(consumer, processor, store.cache(), settings, new IngestLoop.Listener() {
            @Override
            public void batchDone(BatchProcessor.Result result) {
                onBatch(result);
            }
        });
        loop = l;
        thread = new Thread(() -> {
            try {
                l.run();
            } finally {
                consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
            }
        }, "supcon-dataset-consumer");
        thread.setDaemon(true);
        thread.start();
        LOG.infof("dataset consumer: topic '%s' at %s, group '%s', dead letters to '%s', cache %s",
                settings.topic(), KafkaClientConfig.bootstrapServers(kafka), config.consumer().groupId(), config.topics().dlq(), store.dir());
    }

    /** Stops the thread and closes the clients (idempotent). */
    public synchronized void stop() {
        IngestLoop l = loop;
        if (l == null) {
            return;
        }
        l.stop();
        try {
            thread.join(Duration.ofSeconds(30).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("dataset consumer thread did not stop within 30 s");
        }
        producer.close(Duration.ofSeconds(5));
        loop = null;
    }

    private void onBatch(BatchProcessor.Result result) {
        consumed.increment(result.records());
        result.deadLettered().forEach((reason, n) -> registry.counter("supcon.records.dlq", "reason", reason).increment(n));
        int changed = result.appended().added() + result.appended().replaced();
        if (changed > 0) {
            samplesAppended.fire(new SamplesAppended(result.appended().added(), result.appended().replaced(),
                    store.cache().stats().samples()));
        }
    }

    /** The consumer's latest status; {@code STOPPED} when it is off. */
    public ConsumerStatus status() {
        IngestLoop l = loop;
        if (l == null) {
            return new ConsumerStatus(ConsumerStatus.State.STOPPED, config.consumer().enabled() ? null
                    : "disabled (trainer.consumer.enabled=false)", null, 0, List.of(), 0);
        }
        return l.status();
    }

    /** Whether {@code serve} consumes (trainer.consumer.enabled). */
    public boolean enabled() {
        return config.consumer().enabled();
    }

    /** The ledger of dead-lettered records beside the cache, opened on first use. */
    public synchronized DlqLedger deadLetters() {
        if (ledger == null) {
            try {
                ledger = DlqLedger.open(store.dir().resolve(LEDGER_FILE));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open the DLQ ledger " + store.dir().resolve(LEDGER_FILE) + ": "
                        + e.getMessage(), e);
            }
        }
        return ledger;
    }
}
