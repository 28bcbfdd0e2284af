package org.supcon.trainer.service;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.supcon.trainer.config.TrainerConfig;
import org.supcon.trainer.mapping.ModelPublishedMapper;
import org.supcon.trainer.repository.PublishedVersion;
import org.supcon.trainer.runs.ModelEvents;

/**
 * Sends {@code ModelPublished} to {@code trainer.topics.model-events}, keyed by model name, with an
 * idempotent producer and {@code acks=all}; {@link #published} returns once the broker acknowledged.
 */
@Singleton
public class ModelEventsProducer implements ModelEvents {

    private static final Logger LOG = Logger.getLogger(ModelEventsProducer.class);
    static final Duration SEND_TIMEOUT = Duration.ofSeconds(60);

    private final TrainerConfig config;
    private final String bootstrapServers;
    private KafkaProducer<String, byte[]> producer;

    public ModelEventsProducer(TrainerConfig config, @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.config = config;
        this.bootstrapServers = bootstrapServers;
    }

    private synchronized KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            p.put(ProducerConfig.CLIENT_ID_CONFIG, "supcon-trainer-model-events");
            p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) SEND_TIMEOUT.toMillis() - 1000);
            p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
            p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
            producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        }
        return producer;
    }

    @Override
    public void published(PublishedVersion version, String runId) throws Exception {
        String topic = config.topics().modelEvents();
        byte[] value = ModelPublishedMapper.toEvent(version, runId).toByteArray();
        var meta = producer().send(new ProducerRecord<>(topic, version.name(), value))
                .get(SEND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        LOG.infof("sent ModelPublished %s v%d to %s-%d@%d", version.name(), version.version(), meta.topic(), meta.partition(),
                meta.offset());
    }

    @PreDestroy
    synchronized void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
            producer = null;
        }
    }
}
