package org.supcon.inference.ratelimit;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.supcon.inference.oip.v2.GRPCInferenceServiceGrpc;
import org.supcon.inference.oip.v2.ModelInferRequest;
import org.supcon.inference.testing.EmbedStreams;
import org.supcon.inference.testing.Fixtures;
import org.supcon.inference.testing.ModelRepositoryResource;
import org.supcon.proto.v1.EmbedRequest;
import org.supcon.proto.v1.EmbeddingsGrpc;
import org.supcon.proto.v1.Image;
import org.supcon.proto.v1.PredictRequest;

import com.google.protobuf.ByteString;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * The rate limit on the running service, REST and gRPC on the one port: a client over its budget
 * is refused (429 + Retry-After, RESOURCE_EXHAUSTED + retry-after on both gRPC services) while
 * other clients are served in the same window, and served again after Retry-After seconds (the
 * real clock: the rate is one request per 20 s, the burst 3).
 */
@QuarkusTest
@TestProfile(RateLimitTest.Limited.class)
@QuarkusTestResource(value = ModelRepositoryResource.class, restrictToAnnotatedClass = true)
class RateLimitTest {

    /** One token per 20 s: long enough that a loaded machine finishes a test's calls inside one interval. */
    static final String RATE = "0.05";
    static final int INTERVAL_SECONDS = (int) Math.ceil(1 / Double.parseDouble(RATE));
    static final int BURST = 3;

    public static class Limited implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("inference.rate-limit.enabled", "true", "inference.rate-limit.requests-per-second", RATE,
                    "inference.rate-limit.burst", Integer.toString(BURST));
        }
    }

    private static final Metadata.Key<String> RETRY_AFTER = Metadata.Key.of("retry-after", Metadata.ASCII_STRING_MARSHALLER);
    private static final byte[] PNG = Fixtures.bytes("t10k-00000.png");

    @TestHTTPResource(value = "", management = true)
    String management;

    @TestHTTPResource("/")
    URL base;

    private ManagedChannel channel;

    @BeforeEach
    void connect() {
        channel = ManagedChannelBuilder.forAddress(base.getHost(), base.getPort()).usePlaintext().build();
    }

    @AfterEach
    void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private static Response predictRaw(String token) {
        return given().header("Authorization", "Bearer " + token).contentType("image/png").body(PNG).post("/v1/predictions");
    }

    private GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub oip(String token) {
        return GRPCInferenceServiceGrpc.newBlockingStub(channel).withInterceptors(Fixtures.bearer(token))
                .withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    private EmbeddingsGrpc.EmbeddingsBlockingStub embeddings(String token) {
        return EmbeddingsGrpc.newBlockingStub(channel).withInterceptors(Fixtures.bearer(token))
                .withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    private static ModelInferRequest inferRequest() {
        return ModelInferRequest.newBuilder().setModelName(Fixtures.MODEL)
                .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("images").setDatatype("UINT8")
                        .addShape(1).addShape(1).addShape(Fixtures.SIDE).addShape(Fixtures.SIDE))
                .addRawInputContents(ByteString.copyFrom(Fixtures.grayPixels(0))).build();
    }

    private static PredictRequest predictRequest() {
        return PredictRequest.newBuilder().addImages(Image.newBuilder().setEncoded(ByteString.copyFrom(PNG))).build();
    }

    /** Runs {@code call}, which must be refused as rate-limited; returns its Retry-After seconds. */
    private static long refusedOverGrpc(Supplier<?> call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::get);
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode(), e.toString());
        String retryAfter = e.getTrailers() == null ? null : e.getTrailers().get(RETRY_AFTER);
        assertNotNull(retryAfter, "a retry-after trailer: " + e.getTrailers());
        long seconds = Long.parseLong(retryAfter);
        assertTrue(seconds >= 1 && seconds <= INTERVAL_SECONDS, "at most one interval: " + seconds);
        assertEquals("rate limit of " + RATE + " requests/s exceeded for this client; retry after " + seconds + " s",
                e.getStatus().getDescription());
        return seconds;
    }

    private static long refusedOverRest(Response r) {
        assertEquals(429, r.statusCode(), r.asString());
        long seconds = Long.parseLong(r.header("Retry-After"));
        assertTrue(seconds >= 1 && seconds <= INTERVAL_SECONDS, "at most one interval: " + seconds);
        assertEquals("application/json", r.contentType());
        assertEquals("rate limit of " + RATE + " requests/s exceeded for this client; retry after " + seconds + " s",
                r.jsonPath().getString("error"));
        return seconds;
    }

    private static double refusals(String protocol) {
        String metrics = given().get(io.quarkus.test.common.http.TestHTTPResourceManager.getManagementUri() + "/metrics").then().statusCode(200).extract().asString();
        Matcher m = Pattern.compile("(?m)^supcon_rate_limited_total\\{[^}]*protocol=\"" + protocol + "\"[^}]*\\} (\\S+)$").matcher(metrics);
        assertTrue(m.find(), "supcon_rate_limited_total{protocol=" + protocol + "} in /q/metrics");
        return Double.parseDouble(m.group(1));
    }

    @Test
    void aClientOverItsRateIsRefusedOnRestAndGrpcWhileOthersAreServed() throws Exception {
        double restBefore = refusals("rest");
        double grpcBefore = refusals("grpc");

        // A spends its burst; with one token per 20 s the next request is refused within a few tries
        int served = 0;
        Response refused = null;
        for (int i = 0; i < 10 && refused == null; i++) {
            Response r = predictRaw("a");
            if (r.statusCode() == 200) {
                served++;
            } else {
                refused = r;
            }
        }
        assertNotNull(refused, "A is refused once its burst is spent");
        assertTrue(served >= BURST, "the whole burst is served first: " + served);
        refusedOverRest(refused);
        int restRefusals = 1;

        // a multipart upload is refused too, its body read and dropped: the connection stays usable
        refusedOverRest(given().header("Authorization", "Bearer a").multiPart("image", "t10k-00000.png", PNG, "image/png")
                .post("/v1/predictions"));
        restRefusals++;
        refusedOverRest(given().header("Authorization", "Bearer a").get("/v2/models/" + Fixtures.MODEL));
        restRefusals++;
        refusedOverRest(given().header("Authorization", "Bearer a").contentType("image/png").body(PNG).post("/v1/search"));
        restRefusals++;
        // gRPC shares A's budget, on both services
        refusedOverGrpc(() -> oip("a").modelInfer(inferRequest()));
        refusedOverGrpc(() -> embeddings("a").predict(predictRequest()));

        // B, in the same window, is served on REST and both gRPC services (its burst of 3)
        assertEquals(200, predictRaw("b").statusCode());
        assertEquals(3, oip("b").modelInfer(inferRequest()).getRawOutputContentsCount());
        assertEquals(1, embeddings("b").predict(predictRequest()).getPredictionsCount());
        // and so is a client without a token (its address is its key)
        given().contentType("image/png").body(PNG).post("/v1/predictions").then().statusCode(200);

        // health, metrics and OpenAPI (the management port) are never limited, even for A
        for (int i = 0; i < 2 * BURST; i++) {
            given().header("Authorization", "Bearer a").get(management + "health/ready").then().statusCode(200);
            given().header("Authorization", "Bearer a").get(management + "openapi").then().statusCode(200);
        }
        assertEquals(restRefusals, refusals("rest") - restBefore);
        assertEquals(2, refusals("grpc") - grpcBefore);

        // after Retry-After seconds (asked now, right before waiting) A has a token again: one request, then refused again
        long retryAfter = refusedOverRest(predictRaw("a"));
        Thread.sleep(TimeUnit.SECONDS.toMillis(retryAfter));
        assertEquals(200, predictRaw("a").statusCode());
        refusedOverRest(predictRaw("a"));
    }

    @Test
    void aBatchOrAStreamIsOneRequest() throws Exception {
        // C: one multipart request of four images (more than the burst) ...
        var upload = given().header("Authorization", "Bearer c");
        for (int i = 0; i < 4; i++) {
            upload = upload.multiPart("image", "t10k-0000" + i + ".png", Fixtures.bytes("t10k-0000" + i + ".png"), "image/png");
        }
        upload.post("/v1/predictions").then().statusCode(200);
        // ... one EmbedStream of five requests, all answered ...
        List<EmbedRequest> requests = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            requests.add(EmbedRequest.newBuilder().addImages(Image.newBuilder().setEncoded(ByteString.copyFrom(PNG))).build());
        }
        EmbedStreams.Result stream = EmbedStreams.run(EmbeddingsGrpc.newStub(channel)
                .withInterceptors(Fixtures.bearer("c")), requests);
        stream.done().get(60, TimeUnit.SECONDS);
        assertEquals(5, stream.answers().size());
        // ... and one unary call: three requests, the burst; the fourth is refused
        assertEquals(1, embeddings("c").predict(predictRequest()).getPredictionsCount());
        refusedOverGrpc(() -> embeddings("c").predict(predictRequest()));
    }
}
