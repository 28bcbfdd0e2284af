package org.supcon.trainer.service;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;
import org.supcon.trainer.config.KafkaClientConfig;
import org.supcon.trainer.config.TrainerConfig;
import org.supcon.trainer.service.ModelPublishedMapper;
import org.supcon.trainer.repository.PublishedVersion;
import org.supcon.trainer.pipeline.ModelEvents;

/**
 * Sends {@code ModelPublished} to {@code trainer.topics.model-events}, keyed by model name, with an
 * idempotent producer and {@code acks=all}; {@link #published} returns once the broker acknowledged.
 * The producer starts from the passed-through {@code kafka.*} settings ({@link KafkaClientConfig}).
 */
@Singleton
public class ModelEventsProducer implements ModelEvents {

    private static final Logger LOG = Logger.getLogger(ModelEventsProducer.class);
    static final Duration SEND_TIMEOUT = Duration.ofSeconds(60);

    private final String topic;
    private final Map<String, Object> kafka;
    private KafkaProducer<String, byte[]> producer;

    @Inject
    public ModelEventsProducer(TrainerConfig config, Config mpConfig) {
        this(config.topics().modelEvents(), KafkaClientConfig.from(mpConfig));
    }

    /** Sends to {@code topic} with the passed-through client settings {@code kafka}. */
    public ModelEventsProducer(String topic, Map<String, Object> kafka) {
        this.topic = topic;
        this.kafka = KafkaClientConfig.withDefaultBootstrap(kafka);
    }

    private synchronized KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            // an event is stored once and durably, within the send timeout: these override kafka.*
            Map<String, Object> p = new HashMap<>();
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            p.put(ProducerConfig.CLIENT_ID_CONFIG, "supcon-trainer-model-events");
            p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) SEND_TIMEOUT.toMillis() - 1000);
            p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
            p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
            producer = new KafkaProducer<>(KafkaClientConfig.with(kafka, p), new StringSerializer(), new ByteArraySerializer());
        }
        return producer;
    }

    @Override
    public void published(PublishedVersion version, String runId) throws Exception {
        byte[] value = ModelPublishedMapper.toEvent(version, runId).toByteArray();
        var meta = producer().send(new ProducerRecord<>(topic, version.name(), value))
                .get(SEND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        LOG.infof("sent ModelPublished %s v%d to %s-%d@%d", version.name(), version.version(), meta.topic(), meta.partition(),
                meta.offset());
    }

    /** Closes the producer, if one was opened (the container does this at shutdown). */
    @PreDestroy
    public synchronized void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
            producer = null;
        }
    }
}
