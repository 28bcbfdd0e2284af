package org.supcon.inference.oip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import org.supcon.inference.oip.v2.ModelInferRequest;
import java.util.Arrays;

/**
 * Coverage-guided fuzzing of the Open Inference Protocol request parsing and tensor decoding, the
 * steps the REST and gRPC edges run before a request reaches the model: {@link JsonInferRequest},
 * {@link ImagesInput#check} and {@link TensorDecoder}. Invariant: a request either yields exactly
 * {@code N * C * H * W} values or is refused with an {@link OipException} (a 4xx: 400 or 413) and a
 * message; never a NullPointerException, IndexOutOfBounds, ClassCast or OutOfMemoryError.
 *
 * <p>The first input byte picks the edge: even, the rest is the JSON body of {@code POST
 * /v2/models/{name}/infer} (as {@code OipResource}); odd, it is a serialized gRPC
 * {@code ModelInferRequest} whose contents or raw_input_contents are decoded (as
 * {@code OipGrpcService}). Seeds and findings are in {@code OipRequestFuzzTestInputs/}.
 */
class OipRequestFuzzTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final TestModel MODEL = TestModel.gray(28);
    private static final int MAX_BATCH = 8;

    @FuzzTest(maxDuration = "20s")
    void requestsDecodeToTheShapeOrAreRefusedWithA4xx(byte[] input) {
        if (input.length == 0) {
            return;
        }
        byte[] body = Arrays.copyOfRange(input, 1, input.length);
        try {
            float[] values = (input[0] & 1) == 0 ? json(body) : grpc(body);
            assertEquals(0, values.length % (MODEL.channels() * MODEL.height() * MODEL.width()));
            assertFalse(values.length == 0);
        } catch (OipException e) {
            assertNotNull(e.getMessage());
            assertFalse(e.getMessage().isBlank());
            int status = e.kind().httpStatus;
            assertFalse(status < 400 || status >= 500, () -> "status " + status + " for " + e.getMessage());
        }
    }

    /** As {@code OipResource.infer}. */
    private static float[] json(byte[] body) {
        JsonInferRequest request = JsonInferRequest.parse(MAPPER, body);
        ImagesInput.checkInputCount(request.inputs().size());
        JsonInferRequest.Input in = request.inputs().get(0);
        ImagesInput images = ImagesInput.check(MODEL, MAX_BATCH, in.name(), in.datatype(), in.shape());
        return TensorDecoder.json(images, in.shape(), in.data());
    }

    /** As {@code OipGrpcService.modelInfer}. */
    private static float[] grpc(byte[] bytes) {
        ModelInferRequest request;
        try {
            request = ModelInferRequest.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            return new float[MODEL.channels() * MODEL.height() * MODEL.width()]; // gRPC itself refuses these
        }
        ImagesInput.checkInputCount(request.getInputsCount());
        ModelInferRequest.InferInputTensor input = request.getInputs(0);
        boolean raw = request.getRawInputContentsCount() > 0;
        if (raw && request.getRawInputContentsCount() != 1) {
            throw OipException.invalid("raw_input_contents has " + request.getRawInputContentsCount() + " entries");
        }
        long[] shape = input.getShapeList().stream().mapToLong(Long::longValue).toArray();
        ImagesInput images = ImagesInput.check(MODEL, MAX_BATCH, input.getName(), input.getDatatype(), shape);
        if (raw) {
            return TensorDecoder.raw(images, request.getRawInputContents(0).asReadOnlyByteBuffer());
        }
        return images.datatype() == Datatype.FP32
                ? TensorDecoder.fp32(images, input.getContents().getFp32ContentsList())
                : TensorDecoder.uint8(images, input.getContents().getUintContentsList());
    }
}
