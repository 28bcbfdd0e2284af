package org.supcon.tools.bench;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The baseline of dev/bench-ingest: a bare Kafka consumer loop that reads N records of a topic
 * with a fresh group and does nothing with them, configured like the trainer's consumer (byte
 * arrays, manual commits, earliest, the same max.poll.records).
 * Usage: {@code bare-consumer BOOTSTRAP TOPIC N [MAX_POLL_RECORDS]}.
 * Prints "bare consumer: N records in S s (R records/s)", timed from the first record to the Nth
 * (the trainer's own figure is timed the same way), so group joins and JVM start are excluded.
 */
public final class BareConsumer {

    private BareConsumer() {
    }

    public static void main(String[] args) {
        if (args.length < 3) {
            System.err.println("usage: bare-consumer BOOTSTRAP TOPIC N [MAX_POLL_RECORDS]");
            System.exit(2);
        }
        long n = Long.parseLong(args[2]);
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-bare-" + UUID.randomUUID());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, args.length > 3 ? args[3] : "2000");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(8 << 20)); // as the trainer (DatasetClients)
        long count = 0;
        long bytes = 0;
        long first = 0;
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(args[1]));
            while (count < n) {
                if (System.nanoTime() > deadline) {
                    System.err.println("bare consumer: only " + count + " of " + n + " records in 10 min");
                    System.exit(1);
                }
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
                if (!records.isEmpty() && first == 0) {
                    first = System.nanoTime();
                }
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    bytes += r.serializedValueSize();
                    count++;
                }
            }
        }
        double seconds = (System.nanoTime() - first) / 1e9;
        System.out.printf(java.util.Locale.ROOT, "bare consumer: %d records in %.2f s (%.0f records/s, %.1f MB)%n", count, seconds,
                count / seconds, bytes / 1e6);
    }
}
