package org.supcon.trainer.ingest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.supcon.trainer.config.KafkaClientConfig;

/**
 * The Kafka clients of the dataset consumer: byte-array consumer with manual commits, idempotent DLQ
 * producer. Both start from the passed-through {@code kafka.*} settings ({@link KafkaClientConfig}:
 * address, security protocol, SASL, trust store); the settings set here win over those.
 */
public final class DatasetClients {

    /** Per partition and fetch; the broker still returns a larger record batch whole. */
    public static final int MAX_PARTITION_FETCH_BYTES = 8 << 20;

    private DatasetClients() {
    }

    /**
     * A consumer in {@code groupId} that never commits by itself. With no offsets in the cache the
     * loop seeks to the beginning itself; {@code auto.offset.reset=earliest} covers a saved offset
     * that is out of range (records deleted by retention, a recreated topic).
     */
    public static KafkaConsumer<byte[], byte[]> consumer(Map<String, Object> kafka, String groupId, int maxPollRecords) {
        // the loop's correctness depends on these (its own commits, its group): they override kafka.*
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "supcon-trainer");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, String.valueOf(maxPollRecords));
        // a fetch of 1 MiB (the default) holds ~1,100 Fashion-MNIST records: too few to fill a poll
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(MAX_PARTITION_FETCH_BYTES));
        return new KafkaConsumer<>(KafkaClientConfig.with(KafkaClientConfig.withDefaultBootstrap(kafka), p),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** {@code acks=all} with idempotence: a retried send is stored once. */
    public static KafkaProducer<byte[], byte[]> deadLetterProducer(Map<String, Object> kafka) {
        // a dead letter must be stored once and durably: these override kafka.*
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "supcon-trainer-dlq");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
        return new KafkaProducer<>(KafkaClientConfig.with(KafkaClientConfig.withDefaultBootstrap(kafka), p),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Sends, then waits for every acknowledgement; the first failure is thrown naming the topic. */
    public static DeadLetterSink sink(KafkaProducer<byte[], byte[]> producer) {
        return records -> {
            List<Future<RecordMetadata>> acks = new ArrayList<>(records.size());
            for (ProducerRecord<byte[], byte[]> r : records) {
                acks.add(producer.send(r));
            }
            for (int i = 0; i < acks.size(); i++) {
                try {
                    acks.get(i).get();
                } catch (ExecutionException e) {
                    throw new KafkaException("dead-letter topic '" + records.get(i).topic() + "' did not acknowledge a record: "
                            + e.getCause().getMessage(), e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new KafkaException("interrupted while waiting for the dead-letter topic", e);
                }
            }
        };
    }
}
