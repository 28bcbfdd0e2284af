package org.supcon.trainer.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class DeadLettersTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void keepsKeyValueAndHeadersAndAddsReasonAndSourceLast() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("trace", utf8("abc"));
        headers.add(DeadLetters.REASON, utf8("spoofed"));
        ConsumerRecord<byte[], byte[]> source = new ConsumerRecord<>("labeled-images", 3, 1234L, 0L, TimestampType.CREATE_TIME,
                3, 4, utf8("key"), new byte[] {1, 2, 3, 4}, headers, Optional.empty());
        ProducerRecord<byte[], byte[]> letter = DeadLetters.of(source, "labeled-images.dlq", "too-large", "image is 100x100");
        assertEquals("labeled-images.dlq", letter.topic());
        assertNull(letter.partition());
        assertArrayEquals(utf8("key"), letter.key());
        assertArrayEquals(new byte[] {1, 2, 3, 4}, letter.value());
        List<String> keys = java.util.Arrays.stream(letter.headers().toArray()).map(Header::key).toList();
        assertEquals(List.of("trace", DeadLetters.REASON, DeadLetters.REASON, DeadLetters.MESSAGE, DeadLetters.TOPIC,
                DeadLetters.PARTITION, DeadLetters.OFFSET), keys);
        assertEquals("too-large", DeadLetters.header(letter.headers(), DeadLetters.REASON));
        assertEquals("image is 100x100", DeadLetters.header(letter.headers(), DeadLetters.MESSAGE));
        assertEquals("labeled-images", DeadLetters.header(letter.headers(), DeadLetters.TOPIC));
        assertEquals("3", DeadLetters.header(letter.headers(), DeadLetters.PARTITION));
        assertEquals("1234", DeadLetters.header(letter.headers(), DeadLetters.OFFSET));
        assertEquals("abc", DeadLetters.header(letter.headers(), "trace"));
        assertNull(DeadLetters.header(letter.headers(), "absent"));
    }

    @Test
    void longMessagesAreCut() {
        ConsumerRecord<byte[], byte[]> source = new ConsumerRecord<>("t", 0, 0L, null, null);
        ProducerRecord<byte[], byte[]> letter = DeadLetters.of(source, "t.dlq", "internal", "x".repeat(5000));
        assertEquals(DeadLetters.MAX_MESSAGE + 3, DeadLetters.header(letter.headers(), DeadLetters.MESSAGE).length());
        assertNull(letter.value());
    }
}
