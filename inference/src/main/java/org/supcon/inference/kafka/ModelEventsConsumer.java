package org.supcon.inference.kafka;

import com.google.protobuf.InvalidProtocolBufferException;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import io.smallrye.common.annotation.Identifier;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jboss.logging.Logger;
import org.supcon.inference.config.InferenceConfig;
import org.supcon.inference.service.ModelManager;
import org.supcon.proto.v1.ModelPublished;

/**
 * Hears {@code ModelPublished} on the model-events topic and asks the manager to check the
 * repository at once; the event is a trigger only, the repository stays the source of truth (the
 * poll finds the same version later if an event is missed). A plain consumer on its own thread,
 * assigned to every partition without a group (every replica hears every event, nothing to
 * commit), from the end of the topic: versions published before the start are found in the
 * repository. A broker that is down delays nothing: start and readiness do not wait for it, and the
 * thread retries quietly.
 *
 * <p>The consumer starts from every {@code kafka.*} property (application.properties, system
 * properties, {@code KAFKA_*} environment variables such as {@code KAFKA_SECURITY_PROTOCOL} and
 * {@code KAFKA_SASL_JAAS_CONFIG}), as the kafka-client extension collects them into its
 * {@code default-kafka-broker} map. Being group-less, it needs no more than Read and Describe on the
 * topic.
 */
@ApplicationScoped
public class ModelEventsConsumer {

    private static final Logger LOG = Logger.getLogger(ModelEventsConsumer.class);
    private static final Duration RETRY = Duration.ofSeconds(5);

    private final InferenceConfig config;
    private final ModelManager manager;
    private final Map<String, Object> kafka;
    private final String bootstrapServers;
    private volatile boolean running;
    private volatile boolean listening;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private Thread thread;

    public ModelEventsConsumer(InferenceConfig config, ModelManager manager,
            @Identifier("default-kafka-broker") Map<String, Object> kafka) {
        this.config = config;
        this.manager = manager;
        this.kafka = kafka;
        this.bootstrapServers = String.valueOf(kafka.getOrDefault(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092"));
    }

    /**
     * The consumer's settings: {@code kafka} (the passed-through {@code kafka.*} properties) with this
     * consumer's own on top, which win, since the code depends on them; among them no
     * {@code group.id}: the extension fills in the application name, and a group would need an
     * ACL on it and commits that nothing uses.
     */
    static Map<String, Object> consumerConfig(Map<String, Object> kafka, String bootstrapServers) {
        Map<String, Object> props = new HashMap<>(kafka);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "inference-model-events-" + UUID.randomUUID());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        return props;
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.kafka().enabled()) {
            LOG.info("inference.kafka.enabled=false: finding new versions by polling the repository only");
            return;
        }
        running = true;
        thread = new Thread(this::run, "model-events-consumer");
        thread.setDaemon(true);
        thread.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        running = false;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (thread != null) {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        String topic = config.modelEventsTopic();
        Map<String, Object> props = consumerConfig(kafka, bootstrapServers);
        boolean announced = false;
        while (running) {
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props)) {
                consumer = c;
                List<TopicPartition> partitions = partitions(c, topic);
                if (partitions.isEmpty()) {
                    if (!announced) {
                        LOG.infof("topic %s not found on %s yet; polling the repository meanwhile, retrying", topic,
                                bootstrapServers);
                        announced = true;
                    }
                    sleep(RETRY);
                    continue;
                }
                c.assign(partitions);
                c.seekToEnd(partitions);
                partitions.forEach(c::position); // fix the start now: events from here on are heard
                LOG.infof("listening for ModelPublished on %s (%d partitions) at %s", topic, partitions.size(), bootstrapServers);
                listening = true;
                announced = false;
                while (running) {
                    for (ConsumerRecord<byte[], byte[]> record : c.poll(Duration.ofSeconds(1))) {
                        handle(record);
                    }
                }
            } catch (WakeupException e) {
                return;
            } catch (RuntimeException e) {
                if (running) {
                    // said once until it works again: a broker that stays away should not fill the log
                    LOG.logf(announced ? org.jboss.logging.Logger.Level.DEBUG : org.jboss.logging.Logger.Level.INFO,
                            "model-events consumer at %s: %s; retrying every %ss meanwhile (the repository poll goes on)",
                            bootstrapServers, e.toString(), RETRY.toSeconds());
                    announced = true;
                    sleep(RETRY);
                }
            } finally {
                consumer = null;
                listening = false;
            }
        }
    }

    /** Whether the consumer is assigned and positioned: events published from now on are heard. */
    public boolean listening() {
        return listening;
    }

    private static List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> c, String topic) {
        List<PartitionInfo> infos = c.partitionsFor(topic);
        return infos == null ? List.of() : infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    }

    private void handle(ConsumerRecord<byte[], byte[]> record) {
        ModelPublished event;
        try {
            event = ModelPublished.parseFrom(record.value() == null ? new byte[0] : record.value());
        } catch (InvalidProtocolBufferException e) {
            LOG.warnf("skipping a record on %s at partition %d offset %d: not a ModelPublished (%s)", record.topic(),
                    record.partition(), record.offset(), e.getMessage());
            return;
        }
        if (!event.getModelName().equals(config.modelName())) {
            return;
        }
        LOG.infof("heard ModelPublished %s v%d (sha256 %s); checking the repository", event.getModelName(),
                event.getVersion(), event.getSha256().length() >= 12 ? event.getSha256().substring(0, 12) : event.getSha256());
        manager.refreshSoon();
    }

    private void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            running = false;
            Thread.currentThread().interrupt();
        }
    }
}
