package org.supcon.inference.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.supcon.inference.testing.SearchIndexes.SAMPLES;
import static org.supcon.inference.testing.SearchIndexes.id;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.net.URL;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.supcon.inference.service.ModelManager;
import org.supcon.inference.testing.Fixtures;
import org.supcon.inference.testing.IndexedRepository;
import org.supcon.inference.testing.SearchIndexes;
import org.supcon.inference.testing.TestModels;
import org.supcon.proto.v1.EmbeddingsGrpc;
import org.supcon.proto.v1.Image;
import org.supcon.proto.v1.RawPixels;
import org.supcon.proto.v1.SearchRequest;
import org.supcon.proto.v1.SearchResponse;
import org.supcon.proto.v1.Vector;

/**
 * Search over REST and gRPC against the real fixture models and indexes built from their own
 * embeddings of 20 real test images: each image finds itself first. Then, in order: a version
 * with its index swapped in under concurrent searches, a version without an index, and versions
 * with a corrupt index, refused while the served one serves on.
 */
@QuarkusTest
@QuarkusTestResource(value = IndexedRepository.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SearchTest {

    @TestHTTPResource("/")
    URL base;

    /** Health, metrics and OpenAPI: the management interface. */
    @TestHTTPResource(value = "", management = true)
    String management;

    @Inject
    ModelManager manager;

    private ManagedChannel channel;
    private EmbeddingsGrpc.EmbeddingsBlockingStub grpc;

    @BeforeEach
    void connect() {
        channel = ManagedChannelBuilder.forAddress(base.getHost(), base.getPort()).usePlaintext().build();
        grpc = EmbeddingsGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    @AfterEach
    void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    static byte[] png(int i) {
        return Fixtures.bytes(String.format("t10k-%05d.png", i));
    }

    static Response searchPng(int i, Map<String, ?> query) {
        return given().contentType("image/png").body(png(i)).queryParams(query).post("/v1/search");
    }

    static Response searchJson(Map<String, ?> body, Map<String, ?> query) {
        return given().contentType("application/json").body(body).queryParams(query).post("/v1/search");
    }

    static float[] embedding(int i) {
        List<Float> values = given().contentType("image/png").body(png(i)).post("/v1/embeddings").then().statusCode(200)
                .extract().jsonPath().getList("embeddings[0]", Float.class);
        float[] v = new float[values.size()];
        for (int j = 0; j < v.length; j++) {
            v[j] = values.get(j);
        }
        return v;
    }

    static List<Float> list(float[] v, float scale) {
        List<Float> out = new ArrayList<>();
        for (float f : v) {
            out.add(f * scale);
        }
        return out;
    }

    /** The answer's neighbours are sorted best first, and the first is image {@code i} itself at cosine ~1. */
    static void findsItself(JsonPath json, int i, int k) {
        List<String> ids = json.getList("neighbours.id");
        List<Float> scores = json.getList("neighbours.score", Float.class);
        assertEquals(k, ids.size(), json.prettify());
        assertEquals(id(i), ids.get(0), json.prettify());
        assertTrue(scores.get(0) > 0.999f && scores.get(0) < 1.001f, "self-similarity " + scores.get(0));
        assertTrue(scores.get(1) < scores.get(0) - 1e-4f, "another image scores below itself: " + scores);
        for (int j = 1; j < scores.size(); j++) {
            assertTrue(scores.get(j) <= scores.get(j - 1), "best first: " + scores);
        }
        assertEquals(SearchIndexes.label(i), json.getString("neighbours[0].label"));
        assertEquals(SearchIndexes.split(i), json.getString("neighbours[0].split"));
    }

    @Test
    @Order(1)
    void restSearchByImageAndByVectorFindsTheImageItselfFirstAndExactAgreesWithHnsw() {
        for (int i = 0; i < SAMPLES; i++) {
            JsonPath hnsw = searchPng(i, Map.of("k", 5)).then().statusCode(200).body("model", equalTo(TestModels.NAME))
                    .body("version", equalTo(1)).body("exact", equalTo(false)).extract().jsonPath();
            findsItself(hnsw, i, 5);
            JsonPath exact = searchPng(i, Map.of("k", 5, "exact", "true")).then().statusCode(200)
                    .body("exact", equalTo(true)).extract().jsonPath();
            assertEquals(hnsw.getList("neighbours.id"), exact.getList("neighbours.id"), "HNSW and exact on image " + i);
            List<Float> a = hnsw.getList("neighbours.score", Float.class);
            List<Float> b = exact.getList("neighbours.score", Float.class);
            for (int j = 0; j < a.size(); j++) {
                assertEquals(b.get(j), a.get(j), 1e-5f, "scores of HNSW and exact on image " + i);
            }
        }
        // every label comes back as a name of the model's labels, every split as written
        JsonPath all = searchPng(0, Map.of("k", SAMPLES)).then().statusCode(200).extract().jsonPath();
        for (int j = 0; j < SAMPLES; j++) {
            int sample = Integer.parseInt(all.getString("neighbours[" + j + "].id").substring("fashion-mnist/test/".length()));
            assertEquals(SearchIndexes.label(sample), all.getString("neighbours[" + j + "].label"));
            assertEquals(SearchIndexes.split(sample), all.getString("neighbours[" + j + "].split"));
        }
        // JSON: a base64 image, its embedding, and the embedding scaled (the query is normalised)
        String b64 = Base64.getEncoder().encodeToString(png(6));
        findsItself(searchJson(Map.of("image", b64, "k", 3), Map.of()).then().statusCode(200).extract().jsonPath(), 6, 3);
        float[] e = embedding(6);
        findsItself(searchJson(Map.of("vector", list(e, 1), "k", 3), Map.of()).then().statusCode(200).extract().jsonPath(), 6, 3);
        findsItself(searchJson(Map.of("vector", list(e, 3.5f), "exact", true), Map.of("k", 4, "version", 1)).then()
                .statusCode(200).body("exact", equalTo(true)).body("version", equalTo(1)).extract().jsonPath(), 6, 4);
        // default k is 10
        searchPng(2, Map.of()).then().statusCode(200).body("neighbours", hasSize(10));
    }

    @Test
    @Order(2)
    void grpcSearchByImageAndByVectorFindsTheImageItselfFirst() {
        for (int i : new int[] {0, 7, 13, 19}) {
            Image encoded = Image.newBuilder().setEncoded(ByteString.copyFrom(png(i))).build();
            Image raw = Image.newBuilder().setRaw(RawPixels.newBuilder().setWidth(28).setHeight(28).setChannels(1)
                    .setData(ByteString.copyFrom(Fixtures.grayPixels(i)))).build();
            Vector vector = Vector.newBuilder().addAllValues(list(embedding(i), 2)).build();
            List<SearchResponse> answers = List.of(
                    grpc.search(SearchRequest.newBuilder().setImage(encoded).setK(5).build()),
                    grpc.search(SearchRequest.newBuilder().setImage(raw).setK(5).setExact(true).build()),
                    grpc.search(SearchRequest.newBuilder().setVector(vector).setK(5).setModelVersion(1).build()),
                    grpc.search(SearchRequest.newBuilder().setVector(vector).setK(5).setExact(true).build()));
            for (SearchResponse r : answers) {
                assertEquals(TestModels.NAME, r.getModelName());
                assertEquals(1, r.getModelVersion());
                assertEquals(5, r.getNeighboursCount(), r.toString());
                assertEquals(id(i), r.getNeighbours(0).getId(), r.toString());
                assertEquals(SearchIndexes.label(i), r.getNeighbours(0).getLabel());
                assertEquals(SearchIndexes.split(i), r.getNeighbours(0).getSplit());
                assertTrue(r.getNeighbours(0).getScore() > 0.999f, r.toString());
                assertEquals(answers.get(0).getNeighboursList().stream().map(n -> n.getId()).toList(),
                        r.getNeighboursList().stream().map(n -> n.getId()).toList(), "HNSW and exact, image and vector");
            }
            assertEquals(List.of(false, true, false, true), answers.stream().map(SearchResponse::getExact).toList());
        }
        assertEquals(10, grpc.search(SearchRequest.newBuilder().setVector(Vector.newBuilder().addAllValues(list(embedding(1), 1)))
                .build()).getNeighboursCount(), "k 0 means 10");
    }

    @Test
    @Order(3)
    void minScoreKeepsOnlyCloseNeighbours() {
        JsonPath all = searchPng(3, Map.of("k", SAMPLES)).then().statusCode(200).body("neighbours", hasSize(SAMPLES))
                .extract().jsonPath();
        List<Float> scores = all.getList("neighbours.score", Float.class);
        float threshold = (scores.get(3) + scores.get(4)) / 2; // between the 4th and 5th best
        for (Map<String, ?> query : List.<Map<String, ?>>of(Map.of("k", SAMPLES, "minScore", threshold),
                Map.of("k", SAMPLES, "minScore", threshold, "exact", true))) {
            JsonPath near = searchPng(3, query).then().statusCode(200).extract().jsonPath();
            assertEquals(all.getList("neighbours.id").subList(0, 4), near.getList("neighbours.id"), "minScore " + threshold);
        }
        // a near-duplicate query: only the image itself is that close
        searchPng(3, Map.of("minScore", 0.999)).then().statusCode(200).body("neighbours", hasSize(1))
                .body("neighbours[0].id", equalTo(id(3)));
        SearchResponse r = grpc.search(SearchRequest.newBuilder().setImage(Image.newBuilder()
                .setEncoded(ByteString.copyFrom(png(3)))).setK(SAMPLES).setMinScore(threshold).build());
        assertEquals(all.getList("neighbours.id").subList(0, 4), r.getNeighboursList().stream().map(n -> n.getId()).toList());
    }

    @Test
    @Order(4)
    void badSearchesAre400OrInvalidArgumentNamingTheProblem() {
        float[] e = embedding(5);
        List<Float> nan = list(e, 1);
        nan.set(7, Float.NaN);
        Map<String, Object> both = new LinkedHashMap<>();
        both.put("image", Base64.getEncoder().encodeToString(png(5)));
        both.put("vector", list(e, 1));
        error(searchPng(5, Map.of("k", 0)).then(), "k must be between 1 and 100 (inference.search.max-k), got 0");
        error(searchPng(5, Map.of("k", 101)).then(), "k must be between 1 and 100 (inference.search.max-k), got 101");
        error(searchPng(5, Map.of("k", "ten")).then(), "query parameter \"k\" must be an integer, got \"ten\"");
        error(searchPng(5, Map.of("minScore", "high")).then(), "query parameter \"minScore\" must be a number, got \"high\"");
        error(searchPng(5, Map.of("minScore", 1.5)).then(), "minScore must be a cosine between -1 and 1, got 1.5");
        error(searchPng(5, Map.of("exact", "maybe")).then(), "query parameter \"exact\" must be true or false, got \"maybe\"");
        error(searchPng(5, Map.of("version", "v1")).then(), "query parameter \"version\" must be an integer, got \"v1\"");
        error(searchJson(Map.of("vector", List.of(0.5f, 0.5f, 0.5f)), Map.of()).then(),
                "the query vector has 3 values; fashion-mnist-supcon v1 makes embeddings of 128");
        error(searchJson(Map.of("vector", list(new float[e.length], 1)), Map.of()).then(), "zero");
        // JSON has no NaN: a number too large for a float is infinite
        String infinite = "{\"vector\": [1e39" + ", 0.1".repeat(e.length - 1) + "]}";
        error(given().contentType("application/json").body(infinite).post("/v1/search").then(),
                "the query vector's value 0 is Infinity; every value must be a finite number");
        error(searchJson(Map.of("k", 3), Map.of()).then(), "no query: send {\"image\"");
        error(searchJson(both, Map.of()).then(), "send either \"image\" or \"vector\", not both");
        error(searchJson(Map.of("image", "***"), Map.of()).then(), "image is not valid base64");
        given().contentType("image/png").body(new byte[] {1, 2, 3}).post("/v1/search").then().statusCode(400)
                .body("error", containsString("not a PNG or JPEG"));
        given().contentType("image/png").body(png(5)).queryParam("version", 9).post("/v1/search").then().statusCode(404)
                .body("error", containsString("version 9"));

        Vector good = Vector.newBuilder().addAllValues(list(e, 1)).build();
        invalid(SearchRequest.newBuilder().setVector(Vector.newBuilder().addAllValues(nan)).build(),
                "the query vector's value 7 is NaN; every value must be a finite number");
        invalid(SearchRequest.newBuilder().setVector(Vector.newBuilder().addValues(1).addValues(2)).build(),
                "the query vector has 2 values; fashion-mnist-supcon v1 makes embeddings of 128");
        invalid(SearchRequest.newBuilder().setK(3).build(), "no query: set image or vector");
        invalid(SearchRequest.newBuilder().setVector(good).setK(101).build(), "k must be between 1 and 100");
        invalid(SearchRequest.newBuilder().setVector(good).setMinScore(-1.5f).build(),
                "minScore must be a cosine between -1 and 1, got -1.5");
        invalid(SearchRequest.newBuilder().setVector(good).setMinScore(Float.NaN).build(),
                "minScore must be a cosine between -1 and 1, got NaN");
        // the service serves on
        findsItself(searchPng(5, Map.of("k", 3)).then().statusCode(200).extract().jsonPath(), 5, 3);
    }

    @Test
    @Order(5)
    void aVersionWithItsIndexIsSwappedInUnderConcurrentSearchesWithoutAFailedRequest() throws Exception {
        assertEquals(1, manager.latest().orElseThrow().version());
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger requests = new AtomicInteger();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        List<List<Integer>> versionsSeen = new ArrayList<>();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
            versionsSeen.add(seen);
            int client = c;
            Thread t = new Thread(() -> {
                for (int n = 0; !stop.get(); n++) {
                    int image = (client * 5 + n) % SAMPLES;
                    try {
                        int version;
                        String top;
                        if (client % 2 == 0) {
                            Response r = searchPng(image, Map.of("k", 3, "exact", n % 2 == 0));
                            if (r.statusCode() != 200) {
                                failures.add(r.statusCode() + " " + r.asString());
                                continue;
                            }
                            version = r.path("version");
                            top = r.path("neighbours[0].id");
                        } else {
                            SearchResponse r = grpc.search(SearchRequest.newBuilder().setImage(Image.newBuilder()
                                    .setEncoded(ByteString.copyFrom(png(image)))).setK(3).setExact(n % 2 == 0).build());
                            version = (int) r.getModelVersion();
                            top = r.getNeighbours(0).getId();
                        }
                        if (!top.equals(id(image))) {
                            failures.add("v" + version + " found " + top + " for " + id(image));
                        }
                        seen.add(version);
                    } catch (RuntimeException e) {
                        failures.add(e.toString());
                    } finally {
                        requests.incrementAndGet();
                    }
                }
            });
            clients.add(t);
            t.start();
        }
        try {
            awaitTrue(() -> requests.get() >= 40, "clients searching v1");
            SearchIndexes.publish(IndexedRepository.root(), 2, 2);
            awaitTrue(() -> versionsSeen.stream().allMatch(s -> s.size() >= 5 && s.subList(s.size() - 5, s.size())
                    .stream().allMatch(v -> v == 2)), "all clients answered from v2");
        } finally {
            stop.set(true);
            for (Thread t : clients) {
                t.join();
            }
        }
        assertEquals(List.of(), new ArrayList<>(failures), "failed or wrong searches during the swap");
        for (List<Integer> seen : versionsSeen) {
            int firstV2 = seen.indexOf(2);
            assertTrue(seen.get(0) == 1 && seen.subList(0, firstV2).stream().allMatch(v -> v == 1)
                    && seen.subList(firstV2, seen.size()).stream().allMatch(v -> v == 2), "v1 until the swap, then v2: " + seen);
        }
    }

    @Test
    @Order(6)
    void aVersionWithoutAnIndexServesPredictionsAndAnswersSearchWith404() throws Exception {
        TestModels.publish(IndexedRepository.root(), 3, TestModels.model(1), TestModels.card(1));
        awaitTrue(() -> manager.latest().orElseThrow().version() == 3, "v3 served");
        given().contentType("image/png").body(png(1)).post("/v1/predictions").then().statusCode(200)
                .body("version", equalTo(3)).body("predictions", hasSize(1));
        String message = "version 3 of fashion-mnist-supcon has no vector index (it was published without one)";
        searchPng(1, Map.of()).then().statusCode(404).body("error", containsString(message));
        searchJson(Map.of("vector", list(embedding(1), 1)), Map.of()).then().statusCode(404)
                .body("error", containsString(message));
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> grpc.search(SearchRequest.newBuilder()
                .setImage(Image.newBuilder().setEncoded(ByteString.copyFrom(png(1)))).build()));
        assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains(message), e.getStatus().getDescription());
        // the previous version and its index stay (keep-versions=2)
        findsItself(searchPng(1, Map.of("version", 2, "k", 3)).then().statusCode(200).body("version", equalTo(2))
                .extract().jsonPath(), 1, 3);
    }

    @Test
    @Order(7)
    void aVersionWithACorruptIndexIsRefusedAndTheServedVersionServesOn() throws Exception {
        SearchIndexes.Index index = SearchIndexes.build(1);
        record Broken(long version, SearchIndexes.Index index, java.util.function.UnaryOperator<byte[]> bytes,
                java.util.function.UnaryOperator<org.supcon.common.index.VectorIndexCard> card, String reason) {
        }
        List<Broken> broken = List.of(
                new Broken(4, index, b -> {
                    b[b.length / 3] ^= 0x01;
                    return b;
                }, c -> c, "sha256"),
                new Broken(5, index, b -> b, c -> new org.supcon.common.index.VectorIndexCard(c.file(), c.sha256(),
                        c.sizeBytes(), c.count() + 5, c.dimension(), c.metric(), c.engine()), "the card says 25"));
        for (Broken b : broken) {
            long refusals = manager.refusals();
            SearchIndexes.publish(IndexedRepository.root(), b.version(), 1, b.index(), b.bytes(), b.card());
            awaitTrue(() -> manager.refusals() == refusals + 1, "v" + b.version() + " refused");
            String reason = manager.lastRefusal().orElseThrow();
            assertTrue(reason.contains("v" + b.version()) && reason.contains("vector index") && reason.contains(b.reason()),
                    reason);
            assertEquals(3, manager.latest().orElseThrow().version());
            given().contentType("image/png").body(png(2)).post("/v1/predictions").then().statusCode(200)
                    .body("version", equalTo(3));
            findsItself(searchPng(2, Map.of("version", 2, "k", 3)).then().statusCode(200).extract().jsonPath(), 2, 3);
        }
        assertEquals(List.of(2L, 3L), manager.loadedVersions());
    }

    @Test
    @Order(8)
    void openApiDescribesSearch() {
        JsonPath api = given().get(management + "openapi?format=json").then().statusCode(200).extract().jsonPath();
        Map<String, Object> content = api.getMap("paths.'/v1/search'.post.requestBody.content");
        assertTrue(content.keySet().containsAll(List.of("image/png", "image/jpeg", "application/json")), content.toString());
        List<Map<String, Object>> parameters = api.getList("paths.'/v1/search'.post.parameters");
        Map<String, Object> types = new LinkedHashMap<>();
        parameters.forEach(p -> types.put((String) p.get("name"), ((Map<?, ?>) p.get("schema")).get("type")));
        assertEquals(Map.of("version", "integer", "k", "integer", "minScore", "number", "exact", "boolean"), types);
        assertTrue(api.getMap("paths.'/v1/search'.post.responses").keySet().containsAll(List.of("200", "400", "404")));
    }

    static void error(ValidatableResponse response, String mentions) {
        response.statusCode(400).contentType(containsString("application/json")).body("error", containsString(mentions));
    }

    void invalid(SearchRequest request, String mentions) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> grpc.search(request));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus().toString());
        assertTrue(e.getStatus().getDescription().contains(mentions), e.getStatus().getDescription());
    }

    static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        for (int i = 0; i < 600; i++) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("not within a minute: " + what);
    }
}
