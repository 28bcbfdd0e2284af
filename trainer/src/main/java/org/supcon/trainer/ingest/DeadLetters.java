package org.supcon.trainer.ingest;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The dead-letter record of a rejected {@code labeled-images} record: the original key, value and
 * headers, unchanged, plus headers naming why and where from (values UTF-8 text):
 * <ul>
 *   <li>{@value #REASON}: a stable code, a {@code Validation.Reason} code such as
 *       {@code undecodable-image}, or {@value #INTERNAL} for a record the trainer failed on;
 *   <li>{@value #MESSAGE}: the explanation, e.g. {@code label is empty};
 *   <li>{@value #TOPIC}, {@value #PARTITION}, {@value #OFFSET}: the source record, partition and
 *       offset in decimal.
 * </ul>
 * Headers of the original record with these names are kept too; the trainer's come last, so
 * {@code headers.lastHeader(REASON)} is always the trainer's. Pure, no I/O.
 */
public final class DeadLetters {

    public static final String REASON = "dlq.reason";
    public static final String MESSAGE = "dlq.message";
    public static final String TOPIC = "dlq.topic";
    public static final String PARTITION = "dlq.partition";
    public static final String OFFSET = "dlq.offset";
    /** Reason code of a record whose handling threw something the validator does not report. */
    public static final String INTERNAL = "internal";
    /** Longest {@value #MESSAGE} header, in characters; longer messages are cut. */
    static final int MAX_MESSAGE = 2000;

    private DeadLetters() {
    }

    /** The record for {@code dlqTopic}; the partition is left to the producer (by key, as the source). */
    public static ProducerRecord<byte[], byte[]> of(ConsumerRecord<byte[], byte[]> source, String dlqTopic, String reason,
                                                    String message) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(dlqTopic, "dlqTopic");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(message, "message");
        RecordHeaders headers = new RecordHeaders();
        for (Header h : source.headers()) {
            headers.add(h.key(), h.value());
        }
        headers.add(REASON, utf8(reason));
        headers.add(MESSAGE, utf8(message.length() <= MAX_MESSAGE ? message : message.substring(0, MAX_MESSAGE) + "..."));
        headers.add(TOPIC, utf8(source.topic()));
        headers.add(PARTITION, utf8(Integer.toString(source.partition())));
        headers.add(OFFSET, utf8(Long.toString(source.offset())));
        return new ProducerRecord<>(dlqTopic, null, null, source.key(), source.value(), headers);
    }

    /** The last header {@code key} as text, or null. */
    public static String header(Iterable<Header> headers, String key) {
        String value = null;
        for (Header h : headers) {
            if (h.key().equals(key)) {
                value = h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
            }
        }
        return value;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
