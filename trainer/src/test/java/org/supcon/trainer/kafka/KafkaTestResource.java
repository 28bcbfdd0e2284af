package org.supcon.trainer.kafka;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.supcon.testing.kafka.KafkaBroker;
import org.supcon.testing.kafka.StrimziAcls;

/**
 * A real Kafka broker ({@link KafkaBroker}) and an empty {@code trainer.data-dir} for a
 * {@code @QuarkusTest}: {@code @WithTestResource(KafkaTestResource.class)}. Sets
 * {@code kafka.bootstrap.servers}, {@code trainer.data-dir} (a temporary directory, deleted
 * afterwards, like the broker) and {@code trainer.consumer.enabled=true} (off in other tests). A test field {@code @KafkaTestResource.Broker KafkaBroker kafka}
 * receives the broker (for admin clients, producers).
 *
 * <p>With the init argument {@code secured=true} the broker asks for SCRAM logins and checks ACLs
 * ({@link KafkaBroker#startWithScram()}); the topics {@code labeled-images}, {@code labeled-images.dlq}
 * and {@code model-events} exist, and the service logs in as {@value #USER} with the ACLs of that
 * KafkaUser in {@code k8s/base/kafka/users.yaml}, through {@code kafka.security.protocol},
 * {@code kafka.sasl.mechanism} and {@code kafka.sasl.jaas.config}, as in the Kubernetes deployment.
 * Test code acts as the admin with {@link KafkaBroker#clientConfig()}.
 */
public class KafkaTestResource implements QuarkusTestResourceLifecycleManager {

    /** Marks a {@link KafkaBroker} field of the test to receive the running broker. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface Broker {
    }

    /** The Kafka user of the service on a secured broker. */
    public static final String USER = "supcon-trainer";

    private KafkaBroker broker;
    private Path dataDir;
    private boolean secured;

    @Override
    public void init(Map<String, String> initArgs) {
        secured = Boolean.parseBoolean(initArgs.getOrDefault("secured", "false"));
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>();
        try {
            broker = secured ? KafkaBroker.startWithScram() : KafkaBroker.start();
            dataDir = Files.createTempDirectory("supcon-data-");
            config.put("kafka.bootstrap.servers", broker.bootstrapServers());
            if (secured) {
                String password = UUID.randomUUID().toString();
                broker.createScramUser(USER, password);
                try (Admin admin = Admin.create(broker.adminConfig())) {
                    // the trainer may create no topic: they exist first, as Strimzi's KafkaTopics do
                    admin.createTopics(List.of(new NewTopic("labeled-images", 1, (short) 1),
                            new NewTopic("labeled-images.dlq", 1, (short) 1), new NewTopic("model-events", 1, (short) 1)))
                            .all().get(30, TimeUnit.SECONDS);
                }
                broker.createAcls(StrimziAcls.read(StrimziAcls.deploymentUsers()).get(USER));
                broker.clientConfig(USER, password).forEach((k, v) -> config.put("kafka." + k, v.toString()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the test Kafka broker: " + e.getMessage(), e);
        } catch (Exception e) {
            throw new IllegalStateException("could not prepare the secured test Kafka broker: " + e.getMessage(), e);
        }
        config.put("trainer.data-dir", dataDir.toString());
        config.put("trainer.consumer.enabled", "true");
        return config;
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(broker, new TestInjector.AnnotatedAndMatchesType(Broker.class, KafkaBroker.class));
    }

    @Override
    public void stop() {
        if (broker != null) {
            broker.close();
        }
        if (dataDir != null && Files.exists(dataDir)) {
            try (Stream<Path> walk = Files.walk(dataDir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("could not delete the test data directory " + dataDir, e);
            }
        }
    }
}
