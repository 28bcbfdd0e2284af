package org.supcon.trainer.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.path.json.config.JsonPathConfig;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.supcon.testing.auth.Tokens;
import org.supcon.trainer.dataset.Sample;
import org.supcon.trainer.pipeline.SyntheticSamples;
import org.supcon.trainer.quality.LabelIssues;
import org.supcon.trainer.repository.ModelCardDraft;
import org.supcon.trainer.repository.ModelRepository;
import org.supcon.trainer.service.DatasetStore;

/**
 * {@code GET /dataset/label-issues} over a real dataset cache and a real model repository, with
 * versions published by hand (a label-issues.json written here, not by a run): 404 before any
 * version and for a latest version without the file, the suspects sorted by confidence and
 * paged, {@code currentLabel} following a relabel in the cache at once, 400 for bad paging.
 * The tests share one service and run in order.
 */
@QuarkusTest
@WithTestResource(LabelIssuesResourceTest.Dirs.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabelIssuesResourceTest {

    private static final String MODEL = "label-issues-test";

    @Inject
    DatasetStore store;

    @ConfigProperty(name = "trainer.model-repository")
    Path repositoryRoot;

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
    @Order(1)
    void noPublishedVersionIs404() {
        given().get("/dataset/label-issues").then().statusCode(404)
                .body("error", containsString("no published version")).body("error", containsString(MODEL));
    }

    @Test
    @Order(2)
    void aVersionWithoutTheFileIs404(@TempDir Path tmp) throws IOException {
        publish(tmp, null);
        given().get("/dataset/label-issues").then().statusCode(404)
                .body("error", containsString("version 1 of " + MODEL)).body("error", containsString("label-issues.json"));
    }

    @Test
    @Order(3)
    void suspectsAreSortedByConfidencePagedAndShowTheCurrentLabel(@TempDir Path tmp) throws IOException {
        store.cache().appendAll(SyntheticSamples.make(5, 1));
        relabel("syn-middle-1", "top");
        // written out of order: the endpoint sorts (confidence, then id)
        List<LabelIssues.Suspect> suspects = List.of(
                suspect("syn-top-3", "top", "bottom", 0.6),
                suspect("syn-middle-1", "middle", "top", 1.0),
                suspect("syn-bottom-2", "bottom", "middle", 0.8),
                suspect("gone", "top", "middle", 0.7),
                suspect("syn-bottom-0", "bottom", "top", 0.8));
        publish(tmp, new LabelIssues(MODEL, 2L, "run-7", 10, 0.5, 15, suspects));

        JsonPath all = given().get("/dataset/label-issues").then().statusCode(200).extract().jsonPath()
                .using(new JsonPathConfig(JsonPathConfig.NumberReturnType.DOUBLE));
        assertEquals(MODEL, all.getString("modelName"));
        assertEquals(2, all.getLong("version"));
        assertEquals("run-7", all.getString("runId"));
        assertEquals(10, all.getInt("neighbours"));
        assertEquals(15, all.getInt("samples"));
        assertEquals(5, all.getInt("total"));
        assertEquals(0, all.getInt("offset"));
        assertEquals(50, all.getInt("limit"));
        assertEquals(List.of("syn-middle-1", "syn-bottom-0", "syn-bottom-2", "gone", "syn-top-3"), all.getList("suspects.id"));
        assertEquals(List.of(1.0, 0.8, 0.8, 0.7, 0.6), all.getList("suspects.confidence", Double.class));
        assertEquals("middle", all.getString("suspects[0].givenLabel"));
        assertEquals("top", all.getString("suspects[0].suggestedLabel"));
        assertEquals("top", all.getString("suspects[0].currentLabel"), "relabeled in the cache");
        assertEquals("bottom", all.getString("suspects[1].currentLabel"), "as given");
        assertNull(all.getString("suspects[3].currentLabel"), "not in the cache");
        assertTrue(all.getMap("suspects[3]").containsKey("currentLabel"), "null, not left out");
        assertEquals(Map.of("middle", 8, "top", 2), all.getMap("suspects[3].votes"));
        assertEquals(List.of("n-gone-0", "n-gone-1"), all.getList("suspects[3].neighbours"));

        JsonPath page = given().queryParam("offset", 1).queryParam("limit", 2).get("/dataset/label-issues")
                .then().statusCode(200).extract().jsonPath();
        assertEquals(List.of("syn-bottom-0", "syn-bottom-2"), page.getList("suspects.id"));
        assertEquals(5, page.getInt("total"));
        assertEquals(1, page.getInt("offset"));
        assertEquals(2, page.getInt("limit"));
        JsonPath last = given().queryParam("offset", 4).queryParam("limit", 1000).get("/dataset/label-issues")
                .then().statusCode(200).extract().jsonPath();
        assertEquals(List.of("syn-top-3"), last.getList("suspects.id"));
        given().queryParam("offset", 5).get("/dataset/label-issues").then().statusCode(200)
                .body("suspects.size()", equalTo(0)).body("total", equalTo(5));

        // a relabel arriving after the version was published shows at once
        relabel("syn-bottom-0", "top");
        given().queryParam("limit", 2).get("/dataset/label-issues").then().statusCode(200)
                .body("suspects[1].id", equalTo("syn-bottom-0")).body("suspects[1].currentLabel", equalTo("top"));
    }

    @Test
    @Order(4)
    void theLatestVersionCountsNotAnOlderOneWithAList(@TempDir Path tmp) throws IOException {
        publish(tmp, null);
        given().get("/dataset/label-issues").then().statusCode(404).body("error", containsString("version 3 of " + MODEL));
    }

    @Test
    @Order(5)
    void badPagingIs400NamingTheParameterAndValue() {
        bad("offset", "abc");
        bad("offset", "-1");
        bad("offset", "1.5");
        bad("limit", "0");
        bad("limit", "1001");
        bad("limit", "x");
    }

    @Test
    @Order(6)
    void theEndpointIsDescribed() {
        String openapi = given().get(management + "openapi?format=json").then().statusCode(200).extract().asString();
        assertTrue(openapi.contains("\"/dataset/label-issues\""), openapi);
        assertTrue(openapi.contains("currentLabel") && openapi.contains("suggestedLabel"), "the page's schema");
        assertTrue(openapi.contains("has no published version yet"), "the 404 is described");
    }

    private static void bad(String parameter, String value) {
        given().queryParam(parameter, value).get("/dataset/label-issues").then().statusCode(400)
                .body("parameter", equalTo(parameter)).body("value", equalTo(value))
                .body("error", containsString(parameter)).body("error", containsString("'" + value + "'"));
    }

    private void relabel(String id, String label) throws IOException {
        Sample s = store.cache().get(id).orElseThrow();
        store.cache().appendAll(List.of(new Sample(s.id(), label, s.pixels(), s.source(), s.split())));
    }

    private static LabelIssues.Suspect suspect(String id, String given, String suggested, double confidence) {
        return new LabelIssues.Suspect(id, "train", given, suggested, confidence, 0.9,
                Map.of(suggested, 8, given, 2),
                List.of("n-" + id + "-0", "n-" + id + "-1"));
    }

    /** Publishes the next version by hand, with {@code issues} as its label-issues.json unless null. */
    private void publish(Path tmp, LabelIssues issues) throws IOException {
        Map<String, Path> extras = new java.util.HashMap<>();
        if (issues != null) {
            Path file = tmp.resolve(LabelIssues.FILE);
            issues.write(file);
            extras.put(LabelIssues.FILE, file);
        }
        new ModelRepository(repositoryRoot).publish(new byte[] {1, 2, 3}, ModelCardDraft.builder().setModelName(MODEL)
                .setLabels(SyntheticSamples.LABELS).setInputShape(1, 12, 12).build(), extras);
    }

    /** Temporary data and model-repository directories, a 12x12 gray dataset and no training runs. */
    public static class Dirs implements QuarkusTestResourceLifecycleManager {

        private Path dir;

        @Override
        public Map<String, String> start() {
            try {
                dir = Files.createTempDirectory("supcon-label-issues-test-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return Map.of("trainer.data-dir", dir.resolve("data").toString(),
                    "trainer.model-repository", dir.resolve("models").toString(),
                    "trainer.model-name", MODEL,
                    "trainer.dataset.height", "12",
                    "trainer.dataset.width", "12",
                    "trainer.runs.enabled", "false");
        }

        @Override
        public void stop() {
            try (Stream<Path> s = Files.walk(dir)) {
                List<Path> paths = new ArrayList<>(s.sorted(Comparator.reverseOrder()).toList());
                for (Path p : paths) {
                    p.toFile().setWritable(true);
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("could not delete the test directory " + dir, e);
            }
        }
    }
}
