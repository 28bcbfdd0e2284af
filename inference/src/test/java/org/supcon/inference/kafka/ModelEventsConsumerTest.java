package org.supcon.inference.kafka;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.supcon.inference.service.ModelManager;
import org.supcon.inference.testing.ModelRepositoryResource;
import org.supcon.inference.testing.TestModels;
import org.supcon.proto.v1.ModelPublished;

/**
 * A ModelPublished on a real broker makes the service load the new version at once (the poll is set
 * to an hour); a record that is not a ModelPublished is skipped and the consumer goes on. The
 * service logs in with SCRAM through {@code kafka.*} properties and has Read and Describe on the
 * topic only ({@link KafkaResource}).
 */
@QuarkusTest
@QuarkusTestResource(value = ModelRepositoryResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = KafkaResource.class, restrictToAnnotatedClass = true)
class ModelEventsConsumerTest {

    @Inject
    ModelManager manager;

    @Inject
    ModelEventsConsumer consumer;

    @Test
    void aPublishedVersionIsLoadedWhenItsEventArrives() throws Exception {
        awaitTrue(consumer::listening, "the consumer assigned to model-events");
        assertEquals(1, manager.latest().orElseThrow().version());
        long refreshes = manager.refreshes();
        TestModels.publish(ModelRepositoryResource.root(), 2, TestModels.model(2), TestModels.card(2), true);
        // the trainer's part, as the broker's admin: the service's own user may only read
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KafkaResource.broker.clientConfig(),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>("model-events", "x".getBytes(), new byte[] {(byte) 0xff, 1, 2}))
                    .get(30, TimeUnit.SECONDS);
            ModelPublished other = ModelPublished.newBuilder().setModelName("another-model").setVersion(9).build();
            producer.send(new ProducerRecord<>("model-events", other.getModelName().getBytes(), other.toByteArray()))
                    .get(30, TimeUnit.SECONDS);
            ModelPublished event = ModelPublished.newBuilder().setModelName(TestModels.NAME).setVersion(2)
                    .setSha256(TestModels.sha256(TestModels.model(2))).setLocation("file:///models/2/model.onnx").build();
            producer.send(new ProducerRecord<>("model-events", TestModels.NAME.getBytes(), event.toByteArray()))
                    .get(30, TimeUnit.SECONDS);
        }
        awaitTrue(() -> manager.latest().orElseThrow().version() == 2, "v2 loaded after its event");
        // one partition: the records are handled in order, so checks caused by the first two would come first
        awaitTrue(() -> manager.refreshes() > refreshes, "the check counted");
        assertEquals(1, manager.refreshes() - refreshes, "one repository check, for our model's event only");
        given().contentType("image/png").body(TestModels.resource("images/t10k-00008.png")).post("/v1/predictions").then()
                .statusCode(200).body("version", equalTo(2));
    }

    static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up waiting 90 s for: " + what);
            }
            Thread.sleep(50);
        }
    }
}
