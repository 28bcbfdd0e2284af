package org.supcon.trainer.kafka;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A real Kafka broker ({@link KafkaBroker}) and an empty {@code trainer.data-dir} for a
 * {@code @QuarkusTest}: {@code @WithTestResource(KafkaTestResource.class)}. Sets
 * {@code kafka.bootstrap.servers}, {@code trainer.data-dir} (a temporary directory, deleted
 * afterwards, like the broker) and {@code trainer.consumer.enabled=true} (off in other tests). A test field {@code @KafkaTestResource.Broker KafkaBroker kafka}
 * receives the broker (for admin clients, producers).
 */
public class KafkaTestResource implements QuarkusTestResourceLifecycleManager {

    /** Marks a {@link KafkaBroker} field of the test to receive the running broker. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface Broker {
    }

    private KafkaBroker broker;
    private Path dataDir;

    @Override
    public Map<String, String> start() {
        try {
            broker = KafkaBroker.start();
            dataDir = Files.createTempDirectory("supcon-data-");
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the test Kafka broker: " + e.getMessage(), e);
        }
        return Map.of("kafka.bootstrap.servers", broker.bootstrapServers(), "trainer.data-dir", dataDir.toString(),
                "trainer.consumer.enabled", "true");
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
