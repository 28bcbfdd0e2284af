package org.supcon.trainer.producer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.supcon.proto.v1.LabeledImage;
import org.supcon.trainer.config.KafkaClientConfig;

/**
 * Publishes {@link LabeledImage} records to one topic with a plain Kafka producer: key = the
 * image id, value = the protobuf bytes. Sends are asynchronous; every outcome lands in the
 * {@link IngestTally}.
 *
 * <p>Producer: {@code acks=all} with idempotence, so a retried batch is stored once; 20 ms linger
 * and 256 KiB batches, compressed with lz4 (zstd, then none, if that codec cannot load), on top
 * of the passed-through {@code kafka.*} settings ({@link KafkaClientConfig}).
 */
public final class LabeledImagePublisher implements AutoCloseable {

    /** Longest wait for the broker's metadata, or for buffer space, before a send fails. */
    static final Duration MAX_BLOCK = Duration.ofSeconds(30);

    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private final String bootstrapServers;
    private final IngestTally tally;

    /** @param kafka the passed-through client settings ({@link KafkaClientConfig#fromConfig()}) */
    public LabeledImagePublisher(Map<String, Object> kafka, String topic, IngestTally tally) {
        Map<String, Object> config = producerConfig(kafka);
        this.bootstrapServers = KafkaClientConfig.bootstrapServers(config);
        this.topic = topic;
        this.tally = tally;
        this.producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
    }

    static Map<String, Object> producerConfig(Map<String, Object> kafka) {
        // delivery and batching are this publisher's design (stored once, large batches): they override kafka.*
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "supcon-ingest");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression());
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(MAX_BLOCK.toMillis()));
        return KafkaClientConfig.with(KafkaClientConfig.withDefaultBootstrap(kafka), p);
    }

    /**
     * {@code lz4}, {@code zstd} or {@code none}: the first codec whose library loads here. Both
     * libraries come with kafka-clients, but zstd needs a native library for the platform.
     */
    static String compression() {
        try {
            Class.forName("net.jpountz.lz4.LZ4Factory").getMethod("fastestInstance").invoke(null);
            return "lz4";
        } catch (ReflectiveOperationException | LinkageError e) {
            // try the next codec
        }
        try {
            Class.forName("com.github.luben.zstd.Zstd").getMethod("compressBound", long.class).invoke(null, 1L);
            return "zstd";
        } catch (ReflectiveOperationException | LinkageError e) {
            return "none";
        }
    }

    /**
     * Waits until the broker answers with the topic's partitions (creating the topic if the broker
     * auto-creates topics), so that an unreachable broker is one clear error, not one per record.
     *
     * @throws KafkaException naming the address and topic if that takes longer than {@link #MAX_BLOCK}
     */
    public int connect() {
        try {
            return producer.partitionsFor(topic).size();
        } catch (KafkaException e) {
            throw new KafkaException("Kafka at " + bootstrapServers + " gave no metadata for topic '" + topic + "' within "
                    + MAX_BLOCK.toSeconds() + " s (is the broker running, e.g. `dev/kafka start`? does the topic exist, or"
                    + " may it be auto-created?): " + e.getMessage(), e);
        }
    }

    /** Queues {@code image} for sending; the outcome is counted in the tally when the broker answers. */
    public void send(LabeledImage image) {
        String id = image.getId();
        byte[] value = image.toByteArray();
        long size = id.getBytes(StandardCharsets.UTF_8).length + (long) value.length;
        producer.send(new ProducerRecord<>(topic, id, value), (metadata, error) -> {
            if (error == null) {
                tally.sent(size);
            } else {
                tally.failed(id, error.getClass().getSimpleName() + ": " + error.getMessage());
            }
        });
    }

    /** Blocks until every queued record is acknowledged or failed. */
    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(30));
    }
}
