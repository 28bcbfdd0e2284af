package org.supcon.inference.security;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.supcon.inference.testing.Fixtures.MODEL;

import com.google.protobuf.ByteString;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.config.SSLConfig;
import io.restassured.RestAssured;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.supcon.inference.testing.Fixtures;
import org.supcon.inference.testing.ModelRepositoryResource;
import org.supcon.proto.v1.EmbedRequest;
import org.supcon.proto.v1.EmbeddingsGrpc;
import org.supcon.proto.v1.Image;
import org.supcon.testing.auth.TestCertificates;
import org.supcon.testing.auth.Tokens;

/**
 * TLS by configuration, the way the Kubernetes deployment turns it on: the default TLS
 * configuration of the Quarkus TLS registry names a PEM certificate and key (a kubernetes.io/tls
 * Secret's tls.crt and tls.key), plain HTTP is off. REST and gRPC are then served over TLS only
 * (with authentication on, as in k8s); the management port (health, metrics) uses the same
 * certificate, without a token (k8s probes use scheme HTTPS; the kubelet does not verify it).
 */
@QuarkusTest
@TestProfile(TlsTest.TlsOn.class)
@QuarkusTestResource(value = ModelRepositoryResource.class, restrictToAnnotatedClass = true)
class TlsTest {

    static final Path CERTS = Path.of("target", "test-tls");

    public static class TlsOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Path dir = TestCertificates.serverCertificate(CERTS).toAbsolutePath();
            return Map.of(
                    "quarkus.tls.key-store.pem.0.cert", dir.resolve("tls.crt").toString(),
                    "quarkus.tls.key-store.pem.0.key", dir.resolve("tls.key").toString(),
                    "quarkus.http.insecure-requests", "disabled",
                    "quarkus.http.test-ssl-port", "0",
                    "inference.auth.enabled", "true");
        }
    }

    @TestHTTPResource(value = "/", tls = true)
    URL https;

    @TestHTTPResource(value = "", management = true)
    String management;

    @Test
    void restIsServedOverTlsToAClientThatTrustsTheCertificate() throws Exception {
        given().config(RestAssured.config().sslConfig(SSLConfig.sslConfig().trustStore(trust())))
                .baseUri("https://localhost").port(https.getPort())
                .header("Authorization", "Bearer " + Tokens.withRoles("inference-user"))
                .contentType("image/png").body(Fixtures.bytes("t10k-00000.png"))
                .post("/v1/predictions").then().statusCode(200).body("predictions[0].label", equalTo("Ankle boot"));

        // a client that does not trust the certificate gets no answer
        HttpClient strict = HttpClient.newHttpClient();
        assertThrows(IOException.class, () -> strict.send(HttpRequest.newBuilder(URI.create(
                "https://localhost:" + https.getPort() + "/v2/models/" + MODEL)).build(), HttpResponse.BodyHandlers.ofString()));
    }

    @Test
    void grpcIsServedOverTls() throws Exception {
        ManagedChannel channel = Grpc.newChannelBuilderForAddress("localhost", https.getPort(),
                TlsChannelCredentials.newBuilder().trustManager(CERTS.resolve("tls.crt").toFile()).build()).build();
        try {
            EmbeddingsGrpc.EmbeddingsBlockingStub api = EmbeddingsGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(60, TimeUnit.SECONDS);
            EmbedRequest req = EmbedRequest.newBuilder()
                    .addImages(Image.newBuilder().setEncoded(ByteString.copyFrom(Fixtures.bytes("t10k-00000.png")))).build();
            assertEquals(1, api.withInterceptors(Fixtures.bearer(Tokens.withRoles("inference-user"))).embed(req)
                    .getEmbeddingsCount());
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> api.embed(req));
            assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode(), "TLS does not replace the token");
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void plainHttpGetsNoAnswerAndTheManagementPortIsTlsWithoutAToken() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        assertThrows(IOException.class, () -> http.send(HttpRequest.newBuilder(URI.create(
                "http://localhost:" + https.getPort() + "/v2/models/" + MODEL)).build(), HttpResponse.BodyHandlers.ofString()));
        assertThrows(IOException.class, () -> http.send(HttpRequest.newBuilder(URI.create(management + "health/ready")).build(),
                HttpResponse.BodyHandlers.ofString()));
        given().config(RestAssured.config().sslConfig(SSLConfig.sslConfig().trustStore(trust())))
                .get(management.replace("http://", "https://") + "health/ready").then().statusCode(200);
    }

    private static KeyStore trust() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (var in = java.nio.file.Files.newInputStream(CERTS.resolve("tls.crt"))) {
            trust.setCertificateEntry("server", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        return trust;
    }
}
