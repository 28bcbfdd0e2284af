package org.supcon.inference.service;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.supcon.inference.testing.ModelRepositoryResource;
import org.supcon.inference.testing.TestModels;

/**
 * Hot swap through the repository poll (200 ms in the test profile): version 2 is published by an
 * atomic rename while clients send requests; then broken versions are published and refused while
 * version 2 serves on.
 */
@QuarkusTest
@QuarkusTestResource(value = ModelRepositoryResource.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ModelSwapTest {

    /** Health, metrics and OpenAPI: the management interface. */
    @TestHTTPResource(value = "", management = true)
    String management;

    static final int CLIENTS = 8;
    static final byte[] IMAGE = TestModels.resource("images/t10k-00005.png");

    @Inject
    ModelManager manager;

    @Test
    @Order(1)
    void aVersionPublishedUnderLoadIsSwappedInWithoutAFailedRequest() throws Exception {
        assertEquals(1, manager.latest().orElseThrow().version());
        List<Float> v1Probabilities = probabilities(predict());
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger requests = new AtomicInteger();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        List<List<Integer>> versionsSeen = new ArrayList<>();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
            versionsSeen.add(seen);
            Thread t = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        Response r = predict();
                        if (r.statusCode() != 200) {
                            failures.add(r.statusCode() + " " + r.asString());
                        } else {
                            seen.add(r.path("version"));
                        }
                    } catch (RuntimeException e) {
                        failures.add(e.toString());
                    }
                    requests.incrementAndGet();
                }
            });
            clients.add(t);
            t.start();
        }
        try {
            awaitTrue(() -> requests.get() >= 40, "clients running on v1");
            TestModels.publish(ModelRepositoryResource.root(), 2, TestModels.model(2), TestModels.card(2), true);
            // every client must get answers from v2 for a while after the swap
            // read each list under its lock: its client thread appends to it meanwhile
            awaitTrue(() -> versionsSeen.stream().allMatch(s -> {
                synchronized (s) {
                    return s.size() >= 5 && s.subList(s.size() - 5, s.size()).stream().allMatch(v -> v == 2);
                }
            }), "all clients answered by v2");
        } finally {
            stop.set(true);
            for (Thread t : clients) {
                t.join();
            }
        }
        assertEquals(List.of(), new ArrayList<>(failures), "failed requests during the swap");
        for (List<Integer> seen : versionsSeen) {
            int firstV2 = seen.indexOf(2);
            assertTrue(seen.subList(0, firstV2).stream().allMatch(v -> v == 1)
                    && seen.subList(firstV2, seen.size()).stream().allMatch(v -> v == 2), "v1 until the swap, then v2: " + seen);
        }
        assertTrue(versionsSeen.stream().anyMatch(s -> s.get(0) == 1), "some answers came from v1 under load");
        assertNotEquals(v1Probabilities, probabilities(predict()), "v2 (another seed) answers differently from v1");
        given().get(management + "health/ready").then().statusCode(200).body("checks[0].data.version", equalTo(2));
        // v1 stays loaded for versions/1 (keep-versions=2)
        given().contentType("image/png").body(IMAGE).queryParam("version", 1).post("/v1/predictions").then()
                .statusCode(200).body("version", equalTo(1));
        assertEquals(v1Probabilities, probabilities(given().contentType("image/png").body(IMAGE).queryParam("version", 1)
                .post("/v1/predictions")));
    }

    @Test
    @Order(2)
    void brokenVersionsAreRefusedOnceWhileTheServedVersionServesOn() throws Exception {
        assertEquals(2, manager.latest().orElseThrow().version());
        Path root = ModelRepositoryResource.root();
        byte[] good = TestModels.model(1);
        byte[] corrupt = good.clone();
        Arrays.fill(corrupt, 64, corrupt.length, (byte) 0x42);
        String card = TestModels.card(1);
        record Broken(long version, byte[] model, boolean keepCardChecksum, String reason) {
        }
        List<Broken> broken = List.of(
                new Broken(3, corrupt, false, "ONNX Runtime cannot load"),
                new Broken(4, Arrays.copyOf(good, good.length - 1000), false, "ONNX Runtime cannot load"),
                new Broken(5, TestModels.model(2), true, "model.onnx does not match its model card"),
                new Broken(6, TestModels.resource("models-invalid/wrong-inputs.onnx"), false, "expected one input named 'images'"));
        for (Broken b : broken) {
            long refusals = manager.refusals();
            TestModels.publish(root, b.version(), b.model(), card, b.keepCardChecksum());
            awaitTrue(() -> manager.refusals() == refusals + 1, "v" + b.version() + " refused");
            String reason = manager.lastRefusal().orElseThrow();
            assertTrue(reason.contains("v" + b.version()) && reason.contains(b.reason()), reason);
            assertEquals(2, manager.latest().orElseThrow().version());
            predict().then().statusCode(200).body("version", equalTo(2));
            given().get(management + "health/ready").then().statusCode(200).body("checks[0].data.version", equalTo(2))
                    .body("checks[0].data.lastRefused", containsString("v" + b.version()));
        }
        // not retried: three more polls refuse nothing new
        long refusals = manager.refusals();
        long refreshes = manager.refreshes();
        awaitTrue(() -> manager.refreshes() >= refreshes + 3, "three more polls");
        assertEquals(refusals, manager.refusals(), "a refused version is remembered, not refused again on every poll");
        // a good version after the broken ones is taken
        TestModels.publish(root, 7, TestModels.model(1), card);
        awaitTrue(() -> manager.latest().orElseThrow().version() == 7, "v7 served");
        predict().then().statusCode(200).body("version", equalTo(7));
        assertEquals(List.of(2L, 7L), manager.loadedVersions(), "keep-versions=2 keeps v2 beside v7 and unloads v1");
        given().contentType("image/png").body(IMAGE).queryParam("version", 1).post("/v1/predictions").then()
                .statusCode(404).body("error", containsString("version 1"));
    }

    static Response predict() {
        return given().contentType("image/png").body(IMAGE).post("/v1/predictions");
    }

    static List<Float> probabilities(Response r) {
        JsonPath json = r.then().statusCode(200).extract().jsonPath();
        return json.getList("predictions[0].top.probability", Float.class);
    }

    static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up waiting 60 s for: " + what);
            }
            Thread.sleep(20);
        }
    }
}
