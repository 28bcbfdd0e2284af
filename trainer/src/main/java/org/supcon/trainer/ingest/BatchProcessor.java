package org.supcon.trainer.ingest;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.supcon.trainer.dataset.DatasetCache;
import org.supcon.trainer.dataset.DatasetCache.AppendResult;
import org.supcon.trainer.dataset.Sample;
import org.supcon.trainer.dataset.Validation;

/**
 * One polled batch of {@code labeled-images} records into the dataset cache, in the order that
 * makes a crash at any point safe:
 * <ol>
 *   <li>validate every record (a validator that throws makes the record a {@value
 *       DeadLetters#INTERNAL} rejection; it never stops the batch);
 *   <li>{@link DatasetCache#appendAll} the accepted samples (returns after fsync);
 *   <li>send the rejected records to the dead-letter topic and wait for the acknowledgements,
 *       skipping records the {@link DlqLedger} says are there already;
 *   <li>append them to the ledger (fsync), then {@link DatasetCache#saveOffsets} the next offsets.
 * </ol>
 * The caller commits the returned offsets to Kafka afterwards. A failure in steps 2 to 4 throws:
 * nothing is committed, and processing the same records again is harmless (the cache absorbs
 * duplicates, the ledger skips dead letters already sent).
 */
public final class BatchProcessor {

    /**
     * What a batch did.
     *
     * @param records records in the batch
     * @param appended what the cache did with the accepted samples
     * @param deadLettered records sent to the DLQ now, per reason code
     * @param alreadyDeadLettered rejected records the ledger had already (a replay), not sent again
     * @param next per partition, the next offset to read (last record's offset + 1)
     */
    public record Result(int records, AppendResult appended, Map<String, Integer> deadLettered, int alreadyDeadLettered,
                         Map<TopicPartition, Long> next) {
        public Result {
            deadLettered = Collections.unmodifiableMap(new TreeMap<>(deadLettered));
            next = Collections.unmodifiableMap(new LinkedHashMap<>(next));
        }

        /** Records sent to the DLQ in this batch. */
        public int deadLetteredTotal() {
            return deadLettered.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    private record Rejection(ConsumerRecord<byte[], byte[]> record, String reason, String message) {
    }

    private final Function<byte[], Validation> validator;
    private final DatasetCache cache;
    private final DlqLedger ledger;
    private final DeadLetterSink dlq;
    private final String dlqTopic;

    public BatchProcessor(Function<byte[], Validation> validator, DatasetCache cache, DlqLedger ledger, DeadLetterSink dlq,
                          String dlqTopic) {
        this.validator = Objects.requireNonNull(validator, "validator");
        this.cache = Objects.requireNonNull(cache, "cache");
        this.ledger = Objects.requireNonNull(ledger, "ledger");
        this.dlq = Objects.requireNonNull(dlq, "dlq");
        this.dlqTopic = Objects.requireNonNull(dlqTopic, "dlqTopic");
    }

    /** The cache key of a partition's offset: {@code <topic>-<partition>}. */
    public static String offsetKey(TopicPartition tp) {
        return tp.topic() + "-" + tp.partition();
    }

    /**
     * Processes the batch; see the class comment for the order.
     *
     * @throws IOException if the cache or the ledger cannot be written
     * @throws org.apache.kafka.common.KafkaException if the DLQ did not acknowledge
     */
    public Result process(ConsumerRecords<byte[], byte[]> records) throws IOException {
        List<Sample> samples = new ArrayList<>();
        List<ConsumerRecord<byte[], byte[]>> sources = new ArrayList<>();
        List<Rejection> rejections = new ArrayList<>();
        Map<TopicPartition, Long> next = new LinkedHashMap<>();
        for (TopicPartition tp : records.partitions()) {
            for (ConsumerRecord<byte[], byte[]> r : records.records(tp)) {
                Validation v;
                try {
                    v = validator.apply(r.value());
                } catch (RuntimeException | StackOverflowError e) {
                    v = null;
                    rejections.add(new Rejection(r, DeadLetters.INTERNAL, "validation failed unexpectedly: " + describe(e)));
                }
                if (v instanceof Validation.Accepted a) {
                    samples.add(a.sample());
                    sources.add(r);
                } else if (v instanceof Validation.Rejected rej) {
                    rejections.add(new Rejection(r, rej.reason().code(), rej.message()));
                }
                next.put(tp, r.offset() + 1);
            }
        }
        AppendResult appended = append(samples, sources, rejections);

        List<ProducerRecord<byte[], byte[]>> letters = new ArrayList<>();
        List<DlqLedger.Entry> entries = new ArrayList<>();
        Map<String, Integer> perReason = new HashMap<>();
        int already = 0;
        for (Rejection rej : rejections) {
            ConsumerRecord<byte[], byte[]> r = rej.record();
            if (ledger.contains(r.topic(), r.partition(), r.offset())) {
                already++;
                continue;
            }
            letters.add(DeadLetters.of(r, dlqTopic, rej.reason(), rej.message()));
            entries.add(new DlqLedger.Entry(r.topic(), r.partition(), r.offset(), rej.reason()));
            perReason.merge(rej.reason(), 1, Integer::sum);
        }
        if (!letters.isEmpty()) {
            dlq.sendAll(letters);
            ledger.appendAll(entries);
        }
        Map<String, Long> offsets = new LinkedHashMap<>();
        next.forEach((tp, offset) -> offsets.put(offsetKey(tp), offset));
        if (!offsets.isEmpty()) {
            cache.saveOffsets(offsets);
        }
        return new Result(records.count(), appended, perReason, already, next);
    }

    /**
     * Appends the batch in one write; if the cache refuses a sample (it checks sizes the validator
     * does not), appends one by one and rejects the refused ones as internal errors.
     */
    private AppendResult append(List<Sample> samples, List<ConsumerRecord<byte[], byte[]>> sources,
                                List<Rejection> rejections) throws IOException {
        if (samples.isEmpty()) {
            return new AppendResult(0, 0, 0);
        }
        try {
            return cache.appendAll(samples);
        } catch (IllegalArgumentException batchRefused) {
            int added = 0;
            int replaced = 0;
            int unchanged = 0;
            for (int i = 0; i < samples.size(); i++) {
                try {
                    AppendResult r = cache.appendAll(List.of(samples.get(i)));
                    added += r.added();
                    replaced += r.replaced();
                    unchanged += r.unchanged();
                } catch (IllegalArgumentException e) {
                    rejections.add(new Rejection(sources.get(i), DeadLetters.INTERNAL,
                            "the dataset cache refused the sample: " + e.getMessage()));
                }
            }
            return new AppendResult(added, replaced, unchanged);
        }
    }

    /** {@code SimpleName: message; caused by ...}, each message once. */
    static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder(e.getClass().getSimpleName());
        if (e.getMessage() != null) {
            sb.append(": ").append(e.getMessage());
        }
        for (Throwable c = e.getCause(); c != null && c != e; c = c.getCause()) {
            if (c.getMessage() != null && sb.indexOf(c.getMessage()) >= 0) {
                continue;
            }
            sb.append("; caused by ").append(c.getClass().getSimpleName());
            if (c.getMessage() != null) {
                sb.append(": ").append(c.getMessage());
            }
        }
        return sb.toString();
    }
}
