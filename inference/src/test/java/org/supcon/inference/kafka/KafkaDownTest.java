package org.supcon.inference.kafka;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.supcon.inference.testing.ModelRepositoryResource;
import org.supcon.inference.testing.TestModels;

/** The listener is on but no broker answers: the service starts, is ready and serves all the same. */
@QuarkusTest
@QuarkusTestResource(value = ModelRepositoryResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = KafkaDownTest.NoBroker.class, restrictToAnnotatedClass = true)
class KafkaDownTest {

    /** Health, metrics and OpenAPI: the management interface. */
    @TestHTTPResource(value = "", management = true)
    String management;

    /** A port nothing listens on. */
    public static class NoBroker implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return Map.of("kafka.bootstrap.servers", "127.0.0.1:" + port, "inference.kafka.enabled", "true");
        }

        @Override
        public void stop() {
        }
    }

    @Inject
    ModelEventsConsumer consumer;

    @Test
    void startsReadyAndServesWithoutABroker() {
        given().get(management + "health/ready").then().statusCode(200).body("checks[0].data.version", equalTo(1));
        given().contentType("image/png").body(TestModels.resource("images/t10k-00010.png")).post("/v1/predictions").then()
                .statusCode(200).body("version", equalTo(1));
        assertFalse(consumer.listening(), "nothing to listen to");
    }
}
