package org.supcon.trainer.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.supcon.testing.auth.Tokens;
import org.supcon.trainer.images.FashionMnist;
import org.supcon.trainer.producer.IngestCommand;
import org.supcon.trainer.producer.IngestSummary;
import org.supcon.testing.kafka.KafkaBroker;
import org.supcon.trainer.kafka.KafkaTestResource;

/**
 * {@code serve} with a real broker: GET /dataset, readiness, metrics, OpenAPI, the SamplesAppended
 * event. The broker asks for logins and checks ACLs: the service consumes, commits and dead-letters
 * as the least-privileged user {@code supcon-trainer} of the k8s manifests, configured only through
 * {@code kafka.*} properties; the test publishes as the broker's admin.
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, initArgs = @ResourceArg(name = "secured", value = "true"))
class DatasetResourceTest {

    @KafkaTestResource.Broker
    KafkaBroker kafka;

    @Inject
    SamplesAppendedRecorder recorder;

    /** Health, metrics and OpenAPI: the management interface (no token needed there). */
    @TestHTTPResource(value = "", management = true)
    String management;

    @BeforeEach
    void adminToken() {
        Tokens.restAssuredSends("trainer-admin");
    }

    @AfterEach
    void noToken() {
        Tokens.restAssuredSends(null);
    }

    @Test
    void datasetReadinessMetricsAndOpenApiFollowWhatWasConsumed() throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        IngestSummary summary = new IngestCommand(new PrintStream(console, true, StandardCharsets.UTF_8), kafka.clientConfig(),
                FashionMnist.defaultDirectory(), false).run(List.of("--dataset", "fashion-mnist", "--limit", "300"));
        assertEquals(300, summary.sent(), console::toString);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.clientConfig(),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>("labeled-images", "junk".getBytes(StandardCharsets.UTF_8), new byte[] {9, 9, 9})).get();
        }

        // the consumer stores a batch in steps (samples, dead letters, offsets, commit, metrics and event,
        // then its status): wait for the status to count all 301 records, then every part must agree
        JsonPath dataset = awaitDataset(d -> d.getLong("consumer.consumedRecords") == 301 && d.getLong("dlq") == 1);
        assertEquals(300, dataset.getInt("samples"), dataset::prettify);
        assertEquals(Map.of("labeled-images-0", 0), dataset.getMap("lag"), dataset::prettify);
        Map<String, Integer> perLabel = dataset.getMap("perLabel");
        assertEquals(10, perLabel.size(), perLabel::toString);
        assertEquals(300, perLabel.values().stream().mapToInt(Integer::intValue).sum());
        assertEquals(301, dataset.getLong("offsets.'labeled-images-0'"));
        assertEquals(1, dataset.getLong("dlqPerReason.'malformed-record'"));
        assertTrue(dataset.getLong("bytes") > 300L * 784, dataset::prettify);
        assertEquals("RUNNING", dataset.getString("consumer.state"));
        assertEquals(List.of("labeled-images-0"), dataset.getList("consumer.assigned"));
        assertEquals(301, dataset.getLong("consumer.consumedRecords"));

        given().when().get(management + "health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'dataset' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'dataset' }.data.cache", equalTo("open"));

        String metrics = given().when().get(management + "metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("supcon_records_consumed_total 301.0"), metrics);
        assertTrue(metrics.contains("supcon_records_dlq_total{reason=\"malformed-record\"} 1.0"), metrics);
        assertTrue(metrics.contains("supcon_dataset_samples 300.0"), metrics);
        assertTrue(metrics.contains("supcon_consumer_lag 0.0"), metrics);

        given().when().get(management + "openapi").then().statusCode(200)
                .body(containsString("/dataset")).body(containsString("dlqPerReason"));

        assertEquals(300, recorder.added.get());
        assertEquals(300, recorder.lastTotal);
    }

    private static JsonPath awaitDataset(java.util.function.Predicate<JsonPath> done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        JsonPath last = null;
        while (System.nanoTime() < deadline) {
            last = given().when().get("/dataset").then().statusCode(200).extract().jsonPath();
            if (done.test(last)) {
                return last;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("GET /dataset did not reach the expected state in 90 s; last: "
                + (last == null ? null : last.prettify()));
    }
}
