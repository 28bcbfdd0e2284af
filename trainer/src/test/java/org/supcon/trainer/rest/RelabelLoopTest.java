package org.supcon.trainer.rest;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import com.google.protobuf.ByteString;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.supcon.common.index.IndexEntry;
import org.supcon.common.index.VectorIndex;
import org.supcon.proto.v1.ImageEncoding;
import org.supcon.proto.v1.LabeledImage;
import org.supcon.testing.auth.Tokens;
import org.supcon.trainer.dataset.Sample;
import org.supcon.trainer.pipeline.SyntheticSamples;
import org.supcon.trainer.repository.ModelRepository;
import org.supcon.trainer.repository.PublishedVersion;

/**
 * The relabel loop of issue 13, end to end on a real broker with the real consumer, training
 * runs and model repository: a labeled dataset with a few deliberate mislabels goes to the
 * topic; a run publishes version 1, whose suspects ({@code GET /dataset/label-issues}) are those
 * ids with their true label suggested; records with the same ids and the right labels are sent;
 * the list shows the corrected {@code currentLabel} at once; the next run's version 2 indexes the
 * samples with the corrected labels and no longer suspects them.
 *
 * <p>The images are trivially separable (a bright band in one third of a 12x12 image per label),
 * so even a one-epoch model puts a mislabeled image among its true class.
 */
@QuarkusTest
@WithTestResource(RelabelLoopTest.Broker.class)
class RelabelLoopTest {

    private static final String MODEL = "relabel-loop";
    private static final int PER_LABEL = 100;
    /** Longest wait for a run to end: a wait for the machine, not an assertion on speed. */
    private static final Duration RUN_LIMIT = Duration.ofMinutes(10);
    /** The run settings: tiny, so each run takes seconds; the analysis settings named, not left to defaults. */
    private static final String RUN = "{\"epochs\": 1, \"batchSize\": 32, \"linearEpochs\": 1, \"seed\": 3,"
            + " \"searchIndex\": true, \"labelVoteNeighbours\": 10, \"mislabelMargin\": 0.5}";

    @ConfigProperty(name = "trainer.model-repository")
    Path repositoryRoot;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @BeforeEach
    void adminToken() {
        Tokens.restAssuredSends("trainer-admin");
    }

    @AfterEach
    void noToken() {
        Tokens.restAssuredSends(null);
    }

    @Test
    void flagRelabelAndTheNextRunTrainsWithTheNewLabel() throws Exception {
        List<Sample> samples = dataset();
        // id -> {given (wrong) label, true label}: one mislabel into each other class
        Map<String, String[]> mislabeled = new LinkedHashMap<>();
        mislabeled.put(samples.get(7).id(), new String[] {"top", samples.get(7).label()});
        mislabeled.put(samples.get(131).id(), new String[] {"bottom", samples.get(131).label()});
        mislabeled.put(samples.get(245).id(), new String[] {"middle", samples.get(245).label()});
        mislabeled.forEach((id, labels) -> assertTrue(!labels[0].equals(labels[1]), id + " must be given a wrong label"));

        List<LabeledImage> records = new ArrayList<>();
        for (Sample s : samples) {
            String[] wrong = mislabeled.get(s.id());
            records.add(record(s, wrong == null ? s.label() : wrong[0]));
        }
        send(records);
        awaitDataset(d -> d.getLong("consumer.consumedRecords") == records.size() && d.getInt("samples") == samples.size());

        // run 1 publishes version 1 and its suspects
        String run1 = runToPublication(1);
        JsonPath issues = labelIssues();
        assertEquals(1, issues.getLong("version"), issues::prettify);
        assertEquals(run1, issues.getString("runId"));
        Map<String, Map<String, Object>> suspects = byId(issues);
        assertTrue(issues.getInt("total") < samples.size() / 10,
                "a one-epoch model of separable images suspects a few samples, not " + issues.getInt("total"));
        mislabeled.forEach((id, labels) -> {
            Map<String, Object> s = suspects.get(id);
            assertTrue(s != null, id + " (given " + labels[0] + ", truly " + labels[1] + ") is not suspected: " + issues.prettify());
            assertEquals(labels[0], s.get("givenLabel"), id);
            assertEquals(labels[1], s.get("suggestedLabel"), id);
            assertEquals(labels[0], s.get("currentLabel"), id + ": not relabeled yet");
        });

        // the fix: the same ids with the right labels, as any producer sends them
        List<LabeledImage> fixes = new ArrayList<>();
        for (Sample s : samples) {
            if (mislabeled.containsKey(s.id())) {
                fixes.add(record(s, s.label()));
            }
        }
        send(fixes);
        JsonPath dataset = awaitDataset(d -> d.getLong("consumer.consumedRecords") == records.size() + fixes.size());
        assertEquals(samples.size(), dataset.getInt("samples"), "relabeled, not added: " + dataset.prettify());
        assertEquals(Map.of("bottom", PER_LABEL, "middle", PER_LABEL, "top", PER_LABEL), dataset.getMap("perLabel"));

        Map<String, Map<String, Object>> relabeled = byId(labelIssues());
        mislabeled.forEach((id, labels) -> {
            assertEquals(labels[1], relabeled.get(id).get("currentLabel"), id + ": the relabel shows before the next run");
            assertEquals(labels[0], relabeled.get(id).get("givenLabel"), id + ": version 1 was trained with the old label");
        });

        // run 2 trains on the corrected dataset
        String run2 = runToPublication(2);
        PublishedVersion v2 = new ModelRepository(repositoryRoot).get(MODEL, 2).orElseThrow();
        assertEquals(run2, v2.card().runId());
        List<String> labelNames = v2.card().labels();
        Map<String, String> indexed = new HashMap<>();
        try (VectorIndex index = VectorIndex.open(v2.file(VectorIndex.FILE))) {
            for (int i = 0; i < index.count(); i++) {
                IndexEntry e = index.entry(i);
                indexed.put(e.id(), labelNames.get(e.label()));
            }
        }
        mislabeled.forEach((id, labels) -> assertEquals(labels[1], indexed.get(id),
                id + ": version 2's index holds the corrected label"));
        JsonPath after = labelIssues();
        assertEquals(2, after.getLong("version"), after::prettify);
        assertEquals(run2, after.getString("runId"));
        Map<String, Map<String, Object>> stillSuspected = byId(after);
        mislabeled.keySet().forEach(id -> assertTrue(!stillSuspected.containsKey(id),
                id + " is still suspected after its relabel: " + after.prettify()));
    }

    /** {@code PER_LABEL} separable samples per label, ids {@code img-000...}; every fifth is marked {@code test}. */
    private static List<Sample> dataset() {
        List<Sample> out = new ArrayList<>();
        for (Sample s : SyntheticSamples.make(PER_LABEL, 11)) {
            int i = out.size();
            out.add(new Sample(String.format("img-%03d", i), s.label(), s.pixels(), "relabel-loop-test", i % 5 == 0 ? "test" : "train"));
        }
        return out;
    }

    private static LabeledImage record(Sample s, String label) {
        return LabeledImage.newBuilder().setId(s.id()).setEncoding(ImageEncoding.IMAGE_ENCODING_RAW_U8)
                .setImage(ByteString.copyFrom(s.pixels())).setWidth(12).setHeight(12).setChannels(1)
                .setLabel(label).setSource(s.source()).setSplit(s.split()).build();
    }

    private void send(List<LabeledImage> records) throws Exception {
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
            for (LabeledImage r : records) {
                producer.send(new ProducerRecord<>("labeled-images", r.getId(), r.toByteArray()));
            }
            producer.flush();
        }
    }

    /** Starts a run and waits until it has published {@code version}; returns the run's id. */
    private static String runToPublication(long version) throws InterruptedException {
        Response accepted = given().contentType("application/json").body(RUN).post("/training-runs");
        accepted.then().statusCode(202);
        String id = accepted.jsonPath().getString("id");
        long deadline = System.nanoTime() + RUN_LIMIT.toNanos();
        while (true) {
            JsonPath s = given().get("/training-runs/" + id).then().statusCode(200).extract().jsonPath();
            String state = s.getString("state");
            if (!state.equals("QUEUED") && !state.equals("RUNNING")) {
                assertEquals("SUCCEEDED", state, s.prettify());
                assertEquals(true, s.getBoolean("published"), s.prettify());
                assertEquals(version, s.getLong("modelVersion"), s.prettify());
                return id;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("run " + id + " did not end within " + RUN_LIMIT + ": " + s.prettify());
            }
            Thread.sleep(200);
        }
    }

    private static JsonPath labelIssues() {
        return given().queryParam("limit", 1000).get("/dataset/label-issues").then().statusCode(200).extract().jsonPath();
    }

    private static Map<String, Map<String, Object>> byId(JsonPath issues) {
        assertTrue(issues.getInt("total") <= 1000, "one page holds them all");
        Map<String, Map<String, Object>> out = new HashMap<>();
        for (Map<String, Object> s : issues.<Map<String, Object>>getList("suspects")) {
            out.put((String) s.get("id"), s);
        }
        return out;
    }

    private static JsonPath awaitDataset(Predicate<JsonPath> done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        JsonPath last = null;
        while (System.nanoTime() < deadline) {
            last = given().get("/dataset").then().statusCode(200).extract().jsonPath();
            if (done.test(last)) {
                return last;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("GET /dataset did not reach the expected state in 90 s; last: "
                + (last == null ? null : last.prettify()));
    }

    /**
     * The training-run tests' broker and directories ({@link RunsKafkaResource}) with the service's
     * topics, the consumer on, this test's model name, no publication gate (each run publishes)
     * and no trigger.
     */
    public static class Broker extends RunsKafkaResource {

        @Override
        public Map<String, String> start() {
            Map<String, String> c = new HashMap<>(super.start());
            try (Admin admin = Admin.create(broker.adminConfig())) {
                admin.createTopics(List.of(new NewTopic("labeled-images", 1, (short) 1),
                        new NewTopic("labeled-images.dlq", 1, (short) 1), new NewTopic("model-events", 1, (short) 1)))
                        .all().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("could not create the topics: " + e.getMessage(), e);
            }
            c.put("trainer.model-name", MODEL);
            c.put("trainer.consumer.enabled", "true");
            c.put("trainer.gate.enabled", "false");
            c.remove("trainer.gate.tolerance");
            c.remove("trainer.trigger.new-samples");
            return c;
        }
    }
}
