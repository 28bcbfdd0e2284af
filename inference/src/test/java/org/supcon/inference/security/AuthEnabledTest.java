package org.supcon.inference.security;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.supcon.inference.testing.Fixtures.MODEL;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URL;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.supcon.inference.oip.v2.GRPCInferenceServiceGrpc;
import org.supcon.inference.oip.v2.ModelMetadataRequest;
import org.supcon.inference.oip.v2.ServerLiveRequest;
import org.supcon.inference.testing.Fixtures;
import org.supcon.inference.testing.ModelRepositoryResource;
import org.supcon.proto.v1.EmbedRequest;
import org.supcon.proto.v1.EmbeddingsGrpc;
import org.supcon.proto.v1.Image;
import org.supcon.proto.v1.SearchRequest;
import org.supcon.testing.auth.Tokens;

/**
 * inference.auth.enabled=true: REST (ours and OIP v2) and both gRPC services need a bearer token
 * with the role inference-user (tokens from the users' issuer, via testing auth/Tokens). No or a bad token -> 401 /
 * UNAUTHENTICATED, another role -> 403 / PERMISSION_DENIED, the right one is served; health and
 * metrics answer on the management port without a token.
 */
@QuarkusTest
@TestProfile(AuthEnabledTest.AuthOn.class)
@QuarkusTestResource(value = ModelRepositoryResource.class, restrictToAnnotatedClass = true)
class AuthEnabledTest {

    public static class AuthOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("inference.auth.enabled", "true");
        }
    }

    @TestHTTPResource("/")
    URL base;

    @TestHTTPResource(value = "", management = true)
    String management;

    private ManagedChannel channel;

    @BeforeEach
    void connect() {
        channel = ManagedChannelBuilder.forAddress(base.getHost(), base.getPort()).usePlaintext().build();
    }

    @AfterEach
    void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private static byte[] png() {
        return Fixtures.bytes("t10k-00000.png");
    }

    @Test
    void restWithoutATokenOrWithABadOneIs401() {
        given().contentType("image/png").body(png()).post("/v1/predictions").then().statusCode(401)
                .header("WWW-Authenticate", startsWith("Bearer")).contentType("application/json")
                .body("error", containsString("inference-user"));
        given().get("/v2/models/" + MODEL).then().statusCode(401).body("error", containsString("Authorization: Bearer"));
        given().contentType("image/png").body(png()).post("/v1/search").then().statusCode(401)
                .body("error", containsString("inference-user"));
        for (String bad : new String[] {Tokens.expired("inference-user"), Tokens.foreign("inference-user"), "x.y.z"}) {
            given().header("Authorization", "Bearer " + bad).contentType("image/png").body(png()).post("/v1/predictions")
                    .then().statusCode(401).body("error", containsString("refused"));
        }
    }

    @Test
    void restWithAnotherRoleIs403AndWithTheRoleIsServed() {
        given().header("Authorization", "Bearer " + Tokens.withRoles("trainer-admin")).contentType("image/png").body(png())
                .post("/v1/predictions").then().statusCode(403).contentType("application/json")
                .body("error", containsString("inference-user"));
        given().header("Authorization", "Bearer " + Tokens.withRoles("inference-user")).contentType("image/png").body(png())
                .post("/v1/predictions").then().statusCode(200).body("version", equalTo(1))
                .body("predictions[0].label", equalTo("Ankle boot"));
        given().header("Authorization", "Bearer " + Tokens.withRoles("inference-user")).get("/v2/models/" + MODEL)
                .then().statusCode(200).body("name", equalTo(MODEL));
        // search is behind the same policy: refused without the role, answered (this version has no index) with it
        given().header("Authorization", "Bearer " + Tokens.withRoles("trainer-admin")).contentType("image/png").body(png())
                .post("/v1/search").then().statusCode(403);
        given().header("Authorization", "Bearer " + Tokens.withRoles("inference-user")).contentType("image/png").body(png())
                .post("/v1/search").then().statusCode(404).body("error", containsString("no vector index"));
    }

    private <S extends io.grpc.stub.AbstractStub<S>> S as(S stub, String token) {
        S s = stub.withDeadlineAfter(60, TimeUnit.SECONDS);
        if (token == null) {
            return s;
        }
        return s.withInterceptors(Fixtures.bearer(token));
    }

    private static Status.Code code(Runnable call) {
        return assertThrows(StatusRuntimeException.class, call::run).getStatus().getCode();
    }

    @Test
    void grpcFollowsTheSameRulesOnBothServices() {
        Function<String, GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub> oip =
                t -> as(GRPCInferenceServiceGrpc.newBlockingStub(channel), t);
        Function<String, EmbeddingsGrpc.EmbeddingsBlockingStub> ours = t -> as(EmbeddingsGrpc.newBlockingStub(channel), t);
        EmbedRequest embed = EmbedRequest.newBuilder()
                .addImages(Image.newBuilder().setEncoded(ByteString.copyFrom(png()))).build();
        ModelMetadataRequest metadata = ModelMetadataRequest.newBuilder().setName(MODEL).build();

        StatusRuntimeException none = assertThrows(StatusRuntimeException.class,
                () -> ours.apply(null).embed(embed));
        assertEquals(Status.Code.UNAUTHENTICATED, none.getStatus().getCode());
        assertTrue(none.getStatus().getDescription().contains("inference-user"), none.getStatus()::toString);
        assertEquals(Status.Code.UNAUTHENTICATED, code(() -> oip.apply(null).modelMetadata(metadata)));
        assertEquals(Status.Code.UNAUTHENTICATED, code(() -> oip.apply(Tokens.expired("inference-user")).serverLive(
                ServerLiveRequest.getDefaultInstance())));
        assertEquals(Status.Code.UNAUTHENTICATED, code(() -> ours.apply(Tokens.foreign("inference-user")).embed(embed)));
        SearchRequest search = SearchRequest.newBuilder().setImage(embed.getImages(0)).build();
        assertEquals(Status.Code.UNAUTHENTICATED, code(() -> ours.apply(null).search(search)));
        assertEquals(Status.Code.PERMISSION_DENIED, code(() -> ours.apply(Tokens.withRoles("trainer-admin")).search(search)));
        assertEquals(Status.Code.NOT_FOUND, code(() -> ours.apply(Tokens.withRoles("inference-user")).search(search)));

        String admin = Tokens.withRoles("trainer-admin");
        StatusRuntimeException denied = assertThrows(StatusRuntimeException.class, () -> ours.apply(admin).embed(embed));
        assertEquals(Status.Code.PERMISSION_DENIED, denied.getStatus().getCode());
        assertTrue(denied.getStatus().getDescription().contains("inference-user"), denied.getStatus()::toString);
        assertEquals(Status.Code.PERMISSION_DENIED, code(() -> oip.apply(admin).modelMetadata(metadata)));

        String user = Tokens.withRoles("inference-user");
        assertEquals(1, ours.apply(user).embed(embed).getEmbeddingsCount());
        assertEquals(MODEL, oip.apply(user).modelMetadata(metadata).getName());
    }

    @Test
    void healthAndMetricsNeedNoTokenOnTheManagementPort() {
        given().get(management + "health/ready").then().statusCode(200);
        given().get(management + "metrics").then().statusCode(200);
        given().get("/q/health/ready").then().statusCode(401);
    }
}
