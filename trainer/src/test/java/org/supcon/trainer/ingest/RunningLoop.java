package org.supcon.trainer.ingest;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.supcon.trainer.images.ImageGeometry;
import org.supcon.trainer.dataset.DatasetCache;
import org.supcon.trainer.dataset.RecordValidator;
import org.supcon.trainer.dataset.Validation;
import org.supcon.trainer.dataset.ValidationLimits;
import org.supcon.testing.kafka.KafkaBroker;

/**
 * An {@link IngestLoop} with the real clients against a test broker, on its own thread, with its
 * cache and ledger in {@code dir}: what {@code DatasetConsumer} builds, minus Quarkus.
 */
final class RunningLoop implements AutoCloseable {

    static final ImageGeometry MNIST = new ImageGeometry(1, 28, 28);
    /** Images up to 64x64: a 100x100 image is "too large" without sending megabytes. */
    static final RecordValidator VALIDATOR = new RecordValidator(new ValidationLimits(1 << 20, 64, 64, MNIST));
    static final Duration WAIT = Duration.ofSeconds(90);

    final DatasetCache cache;
    final DlqLedger ledger;
    final IngestLoop loop;
    final AtomicInteger batches;
    private final KafkaProducer<byte[], byte[]> producer;
    private final Thread thread;

    private RunningLoop(DatasetCache cache, DlqLedger ledger, IngestLoop loop, AtomicInteger batches,
                        KafkaProducer<byte[], byte[]> producer, KafkaConsumer<byte[], byte[]> consumer) {
        this.batches = batches;
        this.cache = cache;
        this.ledger = ledger;
        this.loop = loop;
        this.producer = producer;
        this.thread = new Thread(() -> {
            try {
                loop.run();
            } finally {
                consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
            }
        }, "test-ingest-loop");
        thread.start();
    }

    static RunningLoop start(KafkaBroker kafka, String topic, String group, Path dir) throws IOException {
        return start(kafka, topic, group, dir, VALIDATOR::validate, 100);
    }

    static RunningLoop start(KafkaBroker kafka, String topic, String group, Path dir, Function<byte[], Validation> validator,
                             int maxPollRecords) throws IOException {
        return start(kafka.clientConfig(), topic, group, dir, validator, maxPollRecords);
    }

    static RunningLoop start(Map<String, Object> kafka, String topic, String group, Path dir, Function<byte[], Validation> validator,
                             int maxPollRecords) throws IOException {
        DatasetCache cache = DatasetCache.open(dir, MNIST);
        DlqLedger ledger = DlqLedger.open(dir.resolve("dlq.log"));
        KafkaProducer<byte[], byte[]> producer = DatasetClients.deadLetterProducer(kafka);
        KafkaConsumer<byte[], byte[]> consumer = DatasetClients.consumer(kafka, group, maxPollRecords);
        BatchProcessor processor = new BatchProcessor(validator, cache, ledger, DatasetClients.sink(producer), topic + ".dlq");
        AtomicInteger batches = new AtomicInteger();
        IngestLoop loop = new IngestLoop(consumer, processor, cache, new IngestLoop.Settings(topic, Duration.ofMillis(200),
                Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(2)), new IngestLoop.Listener() {
                    @Override
                    public void batchDone(BatchProcessor.Result result) {
                        batches.incrementAndGet();
                    }
                });
        return new RunningLoop(cache, ledger, loop, batches, producer, consumer);
    }

    /** Waits until every partition in {@code ends} is assigned and read up to its end offset. */
    void awaitCaughtUp(Map<TopicPartition, Long> ends) {
        await(() -> ends.entrySet().stream().allMatch(e -> loop.status().partitions().stream().anyMatch(p ->
                        p.topic().equals(e.getKey().topic()) && p.partition() == e.getKey().partition()
                                && p.offset() != null && p.offset() >= e.getValue() && p.lag() != null && p.lag() == 0)),
                () -> "the loop did not catch up with " + ends + "; status " + loop.status());
    }

    static void await(BooleanSupplier condition, Supplier<String> failure) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(failure.get() + " (waited " + WAIT.toSeconds() + " s)");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted");
            }
        }
    }

    /** Stops the loop, closes the clients, the ledger and the cache. */
    @Override
    public void close() throws IOException {
        loop.stop();
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            throw new AssertionError("the ingest loop did not stop within 30 s");
        }
        producer.close(Duration.ofSeconds(5));
        ledger.close();
        cache.close();
    }
}
