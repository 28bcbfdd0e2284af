package org.supcon.inference.grpc;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.supcon.inference.testing.Fixtures.MODEL;

import java.net.URL;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.supcon.inference.oip.v2.GRPCInferenceServiceGrpc;
import org.supcon.inference.oip.v2.ModelInferRequest;
import org.supcon.inference.oip.v2.ModelReadyRequest;
import org.supcon.inference.oip.v2.ServerLiveRequest;
import org.supcon.inference.oip.v2.ServerReadyRequest;
import org.supcon.proto.v1.EmbedRequest;
import org.supcon.proto.v1.EmbeddingsGrpc;
import org.supcon.proto.v1.Image;
import org.supcon.inference.testing.Fixtures;

import com.google.protobuf.ByteString;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import org.supcon.inference.testing.ModelRepositoryResource;
import io.restassured.http.ContentType;

/** An empty model repository: live, but not ready; every model call is 503 / UNAVAILABLE. */
@QuarkusTest
@QuarkusTestResource(value = ModelRepositoryResource.class, restrictToAnnotatedClass = true,
        initArgs = @ResourceArg(name = "empty", value = "true"))
class OipNoModelTest {

    @TestHTTPResource("/")
    URL base;

    @Test
    void restAnswers503AndStaysLive() {
        given().get("/v2/health/live").then().statusCode(200);
        given().get("/v2/health/ready").then().statusCode(503);
        given().get("/v2/models/" + MODEL + "/ready").then().statusCode(503);
        given().get("/v2/models/" + MODEL).then().statusCode(503).body("error", containsString("no model version is loaded"));
        given().contentType(ContentType.JSON)
                .body("{\"inputs\": [{\"name\": \"images\", \"shape\": [1, 1, 28, 28], \"datatype\": \"UINT8\", \"data\": [1]}]}")
                .post("/v2/models/" + MODEL + "/infer").then().statusCode(503).body("error", containsString("no model version"));
        given().get("/v2/health/live").then().statusCode(200);
    }

    @Test
    void grpcAnswersUnavailableAndStaysLive() throws InterruptedException {
        ManagedChannel channel = ManagedChannelBuilder.forAddress(base.getHost(), base.getPort()).usePlaintext().build();
        try {
            var oip = GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
            assertTrue(oip.serverLive(ServerLiveRequest.getDefaultInstance()).getLive());
            assertFalse(oip.serverReady(ServerReadyRequest.getDefaultInstance()).getReady());
            assertFalse(oip.modelReady(ModelReadyRequest.newBuilder().setName(MODEL).build()).getReady());
            StatusRuntimeException infer = assertThrows(StatusRuntimeException.class, () -> oip.modelInfer(ModelInferRequest.newBuilder()
                    .setModelName(MODEL).addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("images")
                            .setDatatype("UINT8").addShape(1).addShape(1).addShape(28).addShape(28))
                    .addRawInputContents(ByteString.copyFrom(new byte[784])).build()));
            assertEquals(Status.Code.UNAVAILABLE, infer.getStatus().getCode());
            // the service's answer, not a transport failure (which is UNAVAILABLE too)
            assertTrue(String.valueOf(infer.getStatus().getDescription()).contains("no model version is loaded yet"),
                    infer::toString);

            var api = EmbeddingsGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
            StatusRuntimeException embed = assertThrows(StatusRuntimeException.class, () -> api.embed(EmbedRequest.newBuilder()
                    .addImages(Image.newBuilder().setEncoded(ByteString.copyFrom(Fixtures.bytes("t10k-00000.png")))).build()));
            assertEquals(Status.Code.UNAVAILABLE, embed.getStatus().getCode());
            assertTrue(String.valueOf(embed.getStatus().getDescription()).contains("is loaded yet"), embed::toString);
            assertTrue(oip.serverLive(ServerLiveRequest.getDefaultInstance()).getLive());
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
