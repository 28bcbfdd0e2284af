package org.supcon.inference.grpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.supcon.inference.testing.Fixtures.MODEL;
import static org.supcon.inference.testing.Fixtures.PIXELS;
import static org.supcon.inference.testing.Fixtures.assertClose;

import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.supcon.inference.oip.v2.GRPCInferenceServiceGrpc;
import org.supcon.inference.oip.v2.InferTensorContents;
import org.supcon.inference.oip.v2.ModelInferRequest;
import org.supcon.inference.oip.v2.ModelInferResponse;
import org.supcon.inference.oip.v2.ModelMetadataRequest;
import org.supcon.inference.oip.v2.ModelMetadataResponse;
import org.supcon.inference.oip.v2.ModelReadyRequest;
import org.supcon.inference.oip.v2.ServerLiveRequest;
import org.supcon.inference.oip.v2.ServerMetadataRequest;
import org.supcon.inference.oip.v2.ServerReadyRequest;
import org.supcon.inference.testing.Fixtures;

import com.google.protobuf.ByteString;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.supcon.inference.testing.TwoVersionsRepository;

/**
 * OIP v2 over gRPC with the client generated from grpc_predict_v2.proto, against the real test
 * models; every answer is compared with a plain OrtSession on the same model file.
 */
@QuarkusTest
@QuarkusTestResource(value = TwoVersionsRepository.class, restrictToAnnotatedClass = true)
class OipGrpcServiceTest {

    @TestHTTPResource("/")
    URL base;

    private ManagedChannel channel;
    private GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub oip;

    @BeforeEach
    void connect() {
        TwoVersionsRepository.awaitVersion2();
        channel = ManagedChannelBuilder.forAddress(base.getHost(), base.getPort()).usePlaintext().build();
        oip = GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    @AfterEach
    void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void healthAndMetadata() {
        assertTrue(oip.serverLive(ServerLiveRequest.getDefaultInstance()).getLive());
        assertTrue(oip.serverReady(ServerReadyRequest.getDefaultInstance()).getReady());
        assertEquals("supcon-inference", oip.serverMetadata(ServerMetadataRequest.getDefaultInstance()).getName());
        assertTrue(oip.modelReady(ModelReadyRequest.newBuilder().setName(MODEL).build()).getReady());
        assertTrue(oip.modelReady(ModelReadyRequest.newBuilder().setName(MODEL).setVersion("2").build()).getReady());
        assertFalse(oip.modelReady(ModelReadyRequest.newBuilder().setName(MODEL).setVersion("9").build()).getReady());
        assertFalse(oip.modelReady(ModelReadyRequest.newBuilder().setName("other").build()).getReady());

        ModelMetadataResponse meta = oip.modelMetadata(ModelMetadataRequest.newBuilder().setName(MODEL).build());
        assertEquals(MODEL, meta.getName());
        assertEquals(List.of("1", "2"), meta.getVersionsList());
        assertEquals("onnxruntime_onnx", meta.getPlatform());
        assertEquals("images", meta.getInputs(0).getName());
        assertEquals("FP32", meta.getInputs(0).getDatatype());
        assertEquals(List.of(-1L, 1L, 28L, 28L), meta.getInputs(0).getShapeList());
        assertEquals(List.of("embedding", "logits", "probabilities"),
                meta.getOutputsList().stream().map(ModelMetadataResponse.TensorMetadata::getName).toList());
        assertEquals(List.of(-1L, 10L), meta.getOutputs(2).getShapeList());
        assertEquals(-1L, meta.getOutputs(0).getShape(0));
        assertEquals(List.of(-1L, 1L, 28L, 28L), oip.modelMetadata(ModelMetadataRequest.newBuilder().setName(MODEL).setVersion("1")
                .build()).getInputs(0).getShapeList());
    }

    @Test
    void typedFp32AnswersWithTypedContentsEqualToOnnxRuntime() {
        int n = 3;
        float[] images = Fixtures.batch(n);
        ModelInferRequest.Builder req = request("", "FP32", n).setId("req-7");
        InferTensorContents.Builder contents = InferTensorContents.newBuilder();
        for (float v : images) {
            contents.addFp32Contents(v);
        }
        req.getInputsBuilder(0).setContents(contents);
        ModelInferResponse res = oip.modelInfer(req.build());

        assertEquals(MODEL, res.getModelName());
        assertEquals("2", res.getModelVersion());
        assertEquals("req-7", res.getId());
        assertEquals(0, res.getRawOutputContentsCount());
        assertEquals(List.of("embedding", "logits", "probabilities"),
                res.getOutputsList().stream().map(ModelInferResponse.InferOutputTensor::getName).toList());
        Map<String, float[]> expected = Fixtures.reference(2, images, n);
        for (ModelInferResponse.InferOutputTensor out : res.getOutputsList()) {
            assertEquals("FP32", out.getDatatype());
            assertEquals(n, out.getShape(0));
            assertClose(expected.get(out.getName()), floats(out.getContents().getFp32ContentsList()));
        }
        assertEquals(List.of((long) n, 10L), res.getOutputs(1).getShapeList());
    }

    @Test
    void rawUint8AnswersWithRawContentsInTheRequestedOrder() {
        int n = 2;
        byte[] pixels = new byte[n * PIXELS];
        System.arraycopy(Fixtures.grayPixels(0), 0, pixels, 0, PIXELS);
        System.arraycopy(Fixtures.grayPixels(1), 0, pixels, PIXELS, PIXELS);
        ModelInferRequest req = request("", "UINT8", n).addRawInputContents(ByteString.copyFrom(pixels))
                .addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("probabilities"))
                .addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("embedding"))
                .build();
        ModelInferResponse res = oip.modelInfer(req);

        assertEquals(List.of("probabilities", "embedding"),
                res.getOutputsList().stream().map(ModelInferResponse.InferOutputTensor::getName).toList());
        assertEquals(2, res.getRawOutputContentsCount());
        assertFalse(res.getOutputs(0).hasContents());
        Map<String, float[]> expected = Fixtures.reference(2, Fixtures.batch(n), n);
        assertClose(expected.get("probabilities"), littleEndian(res.getRawOutputContents(0)));
        assertClose(expected.get("embedding"), littleEndian(res.getRawOutputContents(1)));
    }

    @Test
    void rawFp32AndTypedUint8AgreeAndVersionsAreServedByTheirOwnModel() {
        float[] images = Fixtures.batch(1);
        ByteBuffer le = ByteBuffer.allocate(PIXELS * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : images) {
            le.putFloat(v);
        }
        ModelInferResponse v1 = oip.modelInfer(request("1", "FP32", 1)
                .addRawInputContents(ByteString.copyFrom(le.flip())).build());
        assertEquals("1", v1.getModelVersion());
        Map<String, float[]> ref1 = Fixtures.reference(1, images, 1);
        assertClose(ref1.get("logits"), littleEndian(v1.getRawOutputContents(1)));

        ModelInferRequest.Builder typed = request("2", "UINT8", 1);
        InferTensorContents.Builder contents = InferTensorContents.newBuilder();
        for (byte b : Fixtures.grayPixels(0)) {
            contents.addUintContents(b & 0xFF);
        }
        typed.getInputsBuilder(0).setContents(contents);
        ModelInferResponse v2 = oip.modelInfer(typed.build());
        assertEquals("2", v2.getModelVersion());
        float[] logits2 = floats(v2.getOutputs(1).getContents().getFp32ContentsList());
        assertClose(Fixtures.reference(2, images, 1).get("logits"), logits2);
        // the two versions are different models: their logits differ
        assertTrue(Math.abs(logits2[0] - ref1.get("logits")[0]) > 1e-3, "versions 1 and 2 answered alike");
    }

    @Test
    void badRequestsAreRefusedWithTheirStatusAndTheServerServesOn() {
        byte[] one = Fixtures.grayPixels(0);
        ByteString raw = ByteString.copyFrom(one);
        refused(Status.Code.INVALID_ARGUMENT, "shape", rawRequest("", "UINT8", raw).setInputs(0,
                input("UINT8", new long[] {1, 1, 28, 27})));
        refused(Status.Code.INVALID_ARGUMENT, "INT64", rawRequest("", "INT64", raw));
        refused(Status.Code.INVALID_ARGUMENT, "783 bytes", rawRequest("", "UINT8", raw.substring(1)));
        refused(Status.Code.INVALID_ARGUMENT, "3136", rawRequest("", "FP32", raw));
        refused(Status.Code.INVALID_ARGUMENT, "fp32_contents holds 0", request("", "FP32", 1));
        refused(Status.Code.INVALID_ARGUMENT, "'scores'", rawRequest("", "UINT8", raw)
                .addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("scores")));
        refused(Status.Code.INVALID_ARGUMENT, "'pixels'", rawRequest("", "UINT8", raw)
                .setInputs(0, input("UINT8", new long[] {1, 1, 28, 28}).toBuilder().setName("pixels")));
        refused(Status.Code.INVALID_ARGUMENT, "exactly one input", request("", "UINT8", 1).clearInputs());
        refused(Status.Code.NOT_FOUND, "unknown model 'mnist'", rawRequest("", "UINT8", raw).setModelName("mnist"));
        refused(Status.Code.NOT_FOUND, "version 9", rawRequest("9", "UINT8", raw));
        refused(Status.Code.NOT_FOUND, "version 'latest'", rawRequest("latest", "UINT8", raw));
        refused(Status.Code.RESOURCE_EXHAUSTED, "limit of 8", request("", "UINT8", 9)
                .addRawInputContents(ByteString.copyFrom(new byte[9 * PIXELS])));
        StatusRuntimeException meta = assertThrows(StatusRuntimeException.class,
                () -> oip.modelMetadata(ModelMetadataRequest.newBuilder().setName("mnist").build()));
        assertEquals(Status.Code.NOT_FOUND, meta.getStatus().getCode());

        assertTrue(oip.serverReady(ServerReadyRequest.getDefaultInstance()).getReady());
        assertEquals(3, oip.modelInfer(rawRequest("", "UINT8", raw).build()).getRawOutputContentsCount());
    }

    private void refused(Status.Code code, String mention, ModelInferRequest.Builder request) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> oip.modelInfer(request.build()));
        assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
        assertTrue(e.getStatus().getDescription().contains(mention), e.getStatus().getDescription());
    }

    private static ModelInferRequest.Builder rawRequest(String version, String datatype, ByteString raw) {
        return request(version, datatype, 1).addRawInputContents(raw);
    }

    private static ModelInferRequest.Builder request(String version, String datatype, int n) {
        return ModelInferRequest.newBuilder().setModelName(MODEL).setModelVersion(version)
                .addInputs(input(datatype, new long[] {n, 1, 28, 28}));
    }

    private static ModelInferRequest.InferInputTensor input(String datatype, long[] shape) {
        ModelInferRequest.InferInputTensor.Builder b = ModelInferRequest.InferInputTensor.newBuilder()
                .setName("images").setDatatype(datatype);
        for (long d : shape) {
            b.addShape(d);
        }
        return b.build();
    }

    static float[] floats(List<Float> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }

    static float[] littleEndian(ByteString bytes) {
        float[] out = new float[bytes.size() / 4];
        bytes.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }
}
