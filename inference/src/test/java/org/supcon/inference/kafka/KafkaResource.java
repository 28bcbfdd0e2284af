package org.supcon.inference.kafka;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.supcon.trainer.kafka.KafkaBroker;

/**
 * A real broker with the model-events topic for a {@code @QuarkusTest}; turns the listener on and
 * the repository poll practically off, so that only an event can make the service look.
 */
public class KafkaResource implements QuarkusTestResourceLifecycleManager {

    static volatile KafkaBroker broker;

    @Override
    public Map<String, String> start() {
        try {
            broker = KafkaBroker.start();
            try (Admin admin = Admin.create(broker.adminConfig())) {
                admin.createTopics(List.of(new NewTopic("model-events", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException("creating the model-events topic failed", e);
        }
        return Map.of("kafka.bootstrap.servers", broker.bootstrapServers(), "inference.kafka.enabled", "true",
                "inference.poll-interval", "1h");
    }

    @Override
    public void stop() {
        if (broker != null) {
            broker.close();
        }
    }
}
