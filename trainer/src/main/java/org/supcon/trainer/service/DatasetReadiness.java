package org.supcon.trainer.service;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;
import org.supcon.trainer.ingest.ConsumerStatus;
import org.supcon.trainer.service.DatasetConsumer;
import org.supcon.trainer.service.DatasetStore;

/**
 * {@code /q/health/ready}: up once the dataset cache is open and the consumer has partitions
 * assigned and is not failing; down otherwise, with {@code missing} naming what is not there.
 */
@Readiness
@ApplicationScoped
public class DatasetReadiness implements HealthCheck {

    private final DatasetStore store;
    private final DatasetConsumer consumer;

    public DatasetReadiness(DatasetStore store, DatasetConsumer consumer) {
        this.store = store;
        this.consumer = consumer;
    }

    @Override
    public HealthCheckResponse call() {
        ConsumerStatus status = consumer.status();
        List<String> missing = new ArrayList<>();
        if (!store.isOpen()) {
            missing.add("dataset cache not open (" + store.dir() + ")");
        }
        if (!consumer.enabled()) {
            missing.add("consumer disabled (trainer.consumer.enabled=false)");
        } else if (status.state() == ConsumerStatus.State.RETRYING) {
            missing.add("Kafka: consumer retrying after: " + status.lastError());
        } else if (!status.assigned()) {
            missing.add("Kafka: no partition assigned yet (consumer " + status.state() + ")");
        }
        HealthCheckResponseBuilder b = HealthCheckResponse.named("dataset")
                .status(missing.isEmpty())
                .withData("cache", store.isOpen() ? "open" : "closed")
                .withData("consumer", status.state().name())
                .withData("assigned", status.partitions().stream().map(p -> p.topic() + "-" + p.partition()).toList().toString());
        if (!missing.isEmpty()) {
            b.withData("missing", String.join("; ", missing));
        }
        if (status.lastError() != null) {
            b.withData("lastError", status.lastError());
        }
        return b.build();
    }
}
