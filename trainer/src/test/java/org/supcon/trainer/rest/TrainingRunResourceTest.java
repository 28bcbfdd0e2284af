package org.supcon.trainer.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.supcon.testing.auth.Tokens;
import org.supcon.common.repository.ModelCard;
import org.supcon.proto.v1.ModelPublished;
import org.supcon.trainer.repository.ModelRepository;
import org.supcon.trainer.repository.PublishedVersion;
import org.supcon.trainer.pipeline.SyntheticSamples;
import org.supcon.trainer.service.DatasetStore;
import org.supcon.trainer.service.SamplesAppended;

/**
 * Training runs over REST against a real broker, a real dataset cache and a real model
 * repository: a run publishes version 1 and a ModelPublished record, a concurrent run gets 409,
 * bad settings get 400 naming the field, DELETE cancels, the gate refuses a worse run, the
 * report is served. The tests share one service and run in order.
 */
@QuarkusTest
@QuarkusTestResource(value = RunsKafkaResource.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TrainingRunResourceTest {

    /** Longest wait for a run to end: a wait for the machine, not an assertion on speed. */
    private static final Duration RUN_LIMIT = Duration.ofMinutes(10);

    @Inject
    DatasetStore store;

    @Inject
    Event<SamplesAppended> samplesAppended;

    @ConfigProperty(name = "trainer.model-repository")
    Path repositoryRoot;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    private static String firstRun;

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

    @BeforeEach
    void dataset() throws Exception {
        if (store.cache().stats().samples() == 0) {
            store.cache().appendAll(SyntheticSamples.make(50, 1));
        }
    }

    @Test
    @Order(1)
    void badSettingsGet400NamingTheField() {
        bad("{\"epochs\": 0}", "epochs");
        bad("{\"method\": \"foo\"}", "method");
        bad("{\"batchSize\": \"x\"}", "batchSize");
        bad("{\"learningRate\": -1}", "learningRate");
        bad("{\"epochs\": 1.5}", "epochs");
        bad("{\"bogus\": 1}", "bogus");
        given().contentType("application/json").body("{\"epochs\": ").post("/training-runs")
                .then().statusCode(400).body("error", containsString("not valid JSON"));
        given().contentType("application/json").body("[1]").post("/training-runs")
                .then().statusCode(400).body("error", containsString("JSON object"));
        assertEquals(0, given().get("/training-runs").then().statusCode(200).extract().jsonPath().getList("$").size(),
                "a refused request must not create a run");
    }

    private static void bad(String body, String field) {
        given().contentType("application/json").body(body).post("/training-runs")
                .then().statusCode(400).body("field", equalTo(field)).body("error", containsString(field));
    }

    @Test
    @Order(2)
    void runPublishesVersionOneAndAModelPublishedEvent() throws Exception {
        Response accepted = given().contentType("application/json").body("{\"epochs\": 2, \"seed\": 5}").post("/training-runs");
        accepted.then().statusCode(202);
        String id = accepted.jsonPath().getString("id");
        assertTrue(accepted.header("Location").endsWith("/training-runs/" + id), accepted.header("Location"));
        firstRun = id;

        Map<String, Object> done = awaitEnd(id);
        assertEquals("SUCCEEDED", done.get("state"), String.valueOf(done));
        assertEquals(true, done.get("published"), String.valueOf(done));
        assertEquals(1, ((Number) done.get("modelVersion")).intValue());
        assertEquals(2, ((Number) done.get("epoch")).intValue());
        Map<?, ?> dataset = (Map<?, ?>) done.get("dataset");
        assertEquals(150, ((Number) dataset.get("samples")).intValue());
        assertEquals(30, ((Number) dataset.get("testImages")).intValue(), "20% of each label held out");
        Map<?, ?> metrics = (Map<?, ?>) done.get("metrics");
        double accuracy = ((Number) metrics.get("testAccuracy")).doubleValue();
        assertTrue(((Map<?, ?>) done.get("gate")).get("reason").toString().contains("no published version"), String.valueOf(done));
        assertEquals(2, ((List<?>) done.get("history")).size());

        PublishedVersion v1 = new ModelRepository(repositoryRoot).get("synthetic-bands", 1).orElseThrow();
        ModelCard card = v1.card();
        assertEquals(accuracy, card.metrics().get("testAccuracy"), 1e-12);
        assertEquals(SyntheticSamples.LABELS, card.labels());
        assertEquals(id, card.runId());
        for (String f : List.of("report.html", "confusion.png", "embeddings.png", "training.png", "summary.json")) {
            assertTrue(Files.isRegularFile(v1.file(f)), f + " beside the published version");
        }

        ModelPublished event = awaitEvent();
        assertEquals(card.modelName(), event.getModelName());
        assertEquals(card.version(), event.getVersion());
        assertEquals(card.sha256(), event.getSha256());
        assertEquals(card.labels(), event.getLabelsList());
        assertEquals(card.metrics(), event.getMetricsMap());
        assertEquals(v1.modelFile().toUri().toString(), event.getLocation());
        assertEquals(Instant.parse(card.createdAt()).getEpochSecond(), event.getCreated().getSeconds());
        assertEquals(id, event.getRunId());
        assertEquals(12, event.getHeight());

        // the finished run's event stream is its final status, then the end of the stream
        String sse = given().accept("text/event-stream").get("/training-runs/" + id + "/events").then().statusCode(200)
                .extract().asString();
        assertTrue(sse.contains("\"state\":\"SUCCEEDED\""), sse);
    }

    @Test
    @Order(3)
    void reportIsHtmlWithTheImages() {
        String html = given().get("/training-runs/" + firstRun + "/report").then().statusCode(200)
                .contentType(containsString("text/html")).extract().asString();
        assertEquals(3, html.split("data:image/png;base64,", -1).length - 1, "loss/accuracy, confusion matrix, embeddings");
        assertTrue(html.contains("alt=\"confusion.png\"") && html.contains("alt=\"embeddings.png\""));
        given().get("/training-runs/nope/report").then().statusCode(404).body("error", containsString("nope"));
    }

    @Test
    @Order(4)
    void secondConcurrentRunGets409AndDeleteCancels() throws Exception {
        Response accepted = given().contentType("application/json").body("{\"epochs\": 500}").post("/training-runs");
        accepted.then().statusCode(202);
        String id = accepted.jsonPath().getString("id");

        given().contentType("application/json").body("{}").post("/training-runs")
                .then().statusCode(409).body("activeRun", equalTo(id)).body("error", containsString(id));

        // watch it over server-sent events while it is cancelled
        HttpClient http = HttpClient.newHttpClient();
        CompletableFuture<List<String>> events = http.sendAsync(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + io.restassured.RestAssured.port + "/training-runs/" + id + "/events"))
                        .header("Accept", "text/event-stream")
                        .header("Authorization", "Bearer " + Tokens.withRoles("trainer-admin")).build(), HttpResponse.BodyHandlers.ofInputStream())
                .thenApply(r -> {
                    List<String> lines = new ArrayList<>();
                    try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                        for (String l; (l = in.readLine()) != null; ) {
                            if (l.startsWith("data:")) {
                                lines.add(l);
                            }
                        }
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                    return lines;
                });
        awaitState(id, "RUNNING");
        given().delete("/training-runs/" + id).then().statusCode(202).body("id", equalTo(id));
        Map<String, Object> done = awaitEnd(id);
        assertEquals("CANCELLED", done.get("state"), String.valueOf(done));
        assertFalse(Boolean.TRUE.equals(done.get("published")));
        List<String> lines = events.get(RUN_LIMIT.toSeconds(), TimeUnit.SECONDS);
        assertTrue(lines.get(lines.size() - 1).contains("\"state\":\"CANCELLED\""), String.valueOf(lines));
        given().delete("/training-runs/missing").then().statusCode(404);
    }

    @Test
    @Order(5)
    void gateRefusesAWorseRun() throws Exception {
        // a network that barely moved from its initialisation: worse than version 1
        Response accepted = given().contentType("application/json")
                .body("{\"method\": \"ce\", \"epochs\": 1, \"learningRate\": 1e-6}").post("/training-runs");
        accepted.then().statusCode(202);
        Map<String, Object> done = awaitEnd(accepted.jsonPath().getString("id"));
        assertEquals("SUCCEEDED", done.get("state"), String.valueOf(done));
        assertEquals(false, done.get("published"), String.valueOf(done));
        Map<?, ?> gate = (Map<?, ?>) done.get("gate");
        assertEquals(false, gate.get("publish"));
        assertEquals(1, ((Number) gate.get("currentVersion")).intValue());
        assertTrue(gate.get("reason").toString().contains(" < "), gate.toString());
        assertEquals(List.of(1L), new ModelRepository(repositoryRoot).versions("synthetic-bands"));
        assertTrue(Files.isRegularFile(Path.of(RunsKafkaResource.dir.toString(), "data", "runs",
                accepted.jsonPath().getString("id"), "report.html")), "a refused run still has its report");
    }

    @Test
    @Order(6)
    void metricsShowTrainingProgressAndRunsByStateAndTheApiIsDescribed() throws InterruptedException {
        // the run counter is incremented by the run's observers, just after its final state is visible
        String metrics = "";
        for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); System.nanoTime() < end; Thread.sleep(100)) {
            metrics = given().get(management + "metrics").then().statusCode(200).extract().asString();
            if (metrics.contains("supcon_training_runs_total{state=\"SUCCEEDED\"} 2.0")) {
                break;
            }
        }
        assertTrue(metrics.contains("supcon_training_runs_total{state=\"SUCCEEDED\"} 2.0"), metrics);
        assertTrue(metrics.contains("supcon_training_runs_total{state=\"CANCELLED\"} 1.0"), metrics);
        assertTrue(metrics.contains("supcon_training_epoch "), metrics);
        assertTrue(metrics.contains("supcon_training_loss "), metrics);
        String openapi = given().get(management + "openapi?format=json").then().statusCode(200).extract().asString();
        assertTrue(openapi.contains("\"/training-runs/{id}/events\""), openapi);
        assertTrue(openapi.contains("a run of this model is active"), "the 409 response is described");
    }

    @Test
    @Order(7)
    void triggerStartsARunWithTheDefaultsAfterEnoughNewSamples() throws Exception {
        int before = runIds().size();
        samplesAppended.fire(new SamplesAppended(600, 399, 1149));
        assertEquals(before, runIds().size(), "999 of 1000 samples: no run yet");
        samplesAppended.fire(new SamplesAppended(1, 0, 1150));
        List<String> ids = runIds();
        assertEquals(before + 1, ids.size(), "the 1000th sample starts a run");
        String id = ids.get(ids.size() - 1);
        Map<String, Object> done = awaitEnd(id);
        assertEquals("SUCCEEDED", done.get("state"), String.valueOf(done));
        assertEquals(1, ((Number) ((Map<?, ?>) done.get("settings")).get("epochs")).intValue(), "the configured defaults");
        samplesAppended.fire(new SamplesAppended(999, 0, 2149));
        assertEquals(before + 1, runIds().size(), "counting starts again from zero");
    }

    private static List<String> runIds() {
        return given().get("/training-runs").then().statusCode(200).extract().jsonPath().getList("id", String.class);
    }

    private static Map<String, Object> awaitEnd(String id) throws InterruptedException {
        long deadline = System.nanoTime() + RUN_LIMIT.toNanos();
        while (true) {
            Map<String, Object> s = given().get("/training-runs/" + id).then().statusCode(200).extract().jsonPath().getMap("$");
            String state = (String) s.get("state");
            if (!state.equals("QUEUED") && !state.equals("RUNNING")) {
                return s;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("run " + id + " did not end within " + RUN_LIMIT + ": " + s);
            }
            Thread.sleep(200);
        }
    }

    private static void awaitState(String id, String wanted) throws InterruptedException {
        long deadline = System.nanoTime() + RUN_LIMIT.toNanos();
        while (true) {
            Map<String, Object> s = given().get("/training-runs/" + id).then().statusCode(200).extract().jsonPath().getMap("$");
            if (wanted.equals(s.get("state")) && "training".equals(s.get("stage"))) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("run " + id + " never reached " + wanted + ": " + s);
            }
            Thread.sleep(50);
        }
    }

    private ModelPublished awaitEvent() throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "runs-test");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of("model-events"));
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
                    assertEquals("synthetic-bands", r.key(), "keyed by model name");
                    return ModelPublished.parseFrom(r.value());
                }
            }
        }
        throw new AssertionError("no ModelPublished record on model-events");
    }

}
