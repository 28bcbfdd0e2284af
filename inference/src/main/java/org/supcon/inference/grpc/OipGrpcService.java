package org.supcon.inference.grpc;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.supcon.inference.model.ServedModel;
import org.supcon.inference.oip.Datatype;
import org.supcon.inference.oip.ImagesInput;
import org.supcon.inference.oip.ModelContract;
import org.supcon.inference.oip.OipException;
import org.supcon.inference.oip.OutputTensor;
import org.supcon.inference.oip.TensorDecoder;
import org.supcon.inference.oip.v2.GRPCInferenceService;
import org.supcon.inference.oip.v2.InferTensorContents;
import org.supcon.inference.oip.v2.ModelInferRequest;
import org.supcon.inference.oip.v2.ModelInferResponse;
import org.supcon.inference.oip.v2.ModelMetadataRequest;
import org.supcon.inference.oip.v2.ModelMetadataResponse;
import org.supcon.inference.oip.v2.ModelReadyRequest;
import org.supcon.inference.oip.v2.ModelReadyResponse;
import org.supcon.inference.oip.v2.ServerLiveRequest;
import org.supcon.inference.oip.v2.ServerLiveResponse;
import org.supcon.inference.oip.v2.ServerMetadataRequest;
import org.supcon.inference.oip.v2.ServerMetadataResponse;
import org.supcon.inference.oip.v2.ServerReadyRequest;
import org.supcon.inference.oip.v2.ServerReadyResponse;
import org.supcon.inference.service.OipService;

import com.google.protobuf.UnsafeByteOperations;

import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;

/**
 * KServe Open Inference Protocol v2 over gRPC ({@code inference.GRPCInferenceService}).
 *
 * <p>Nothing here blocks: the checks and the decoding are linear in the request size, and the
 * inference completes on the batcher's thread. An answer uses {@code raw_output_contents} when
 * the request used {@code raw_input_contents} (as Triton answers raw clients), typed
 * {@code fp32_contents} otherwise.
 */
@GrpcService
public class OipGrpcService implements GRPCInferenceService {

    private final OipService oip;

    public OipGrpcService(OipService oip) {
        this.oip = oip;
    }

    @Override
    public Uni<ServerLiveResponse> serverLive(ServerLiveRequest request) {
        return Uni.createFrom().item(ServerLiveResponse.newBuilder().setLive(true).build());
    }

    @Override
    public Uni<ServerReadyResponse> serverReady(ServerReadyRequest request) {
        return Uni.createFrom().item(ServerReadyResponse.newBuilder().setReady(oip.ready()).build());
    }

    @Override
    public Uni<ModelReadyResponse> modelReady(ModelReadyRequest request) {
        boolean ready;
        try {
            oip.model(request.getName(), request.getVersion());
            ready = true;
        } catch (OipException e) {
            ready = false;
        }
        return Uni.createFrom().item(ModelReadyResponse.newBuilder().setReady(ready).build());
    }

    @Override
    public Uni<ServerMetadataResponse> serverMetadata(ServerMetadataRequest request) {
        return Uni.createFrom().item(ServerMetadataResponse.newBuilder()
                .setName(OipService.SERVER_NAME).setVersion(oip.serverVersion()).build());
    }

    @Override
    public Uni<ModelMetadataResponse> modelMetadata(ModelMetadataRequest request) {
        return Uni.createFrom().item(() -> {
            ServedModel model = oip.model(request.getName(), request.getVersion());
            ModelMetadataResponse.Builder b = ModelMetadataResponse.newBuilder()
                    .setName(model.name())
                    .addAllVersions(oip.versions())
                    .setPlatform(ModelContract.PLATFORM);
            ModelContract.inputs(model).forEach(t -> b.addInputs(tensor(t)));
            ModelContract.outputs(model).forEach(t -> b.addOutputs(tensor(t)));
            return b.build();
        }).onFailure().transform(GrpcErrors::toStatus);
    }

    @Override
    public Uni<ModelInferResponse> modelInfer(ModelInferRequest request) {
        return Uni.createFrom().deferred(() -> {
            ImagesInput.checkInputCount(request.getInputsCount());
            ModelInferRequest.InferInputTensor input = request.getInputs(0);
            boolean raw = request.getRawInputContentsCount() > 0;
            if (raw && request.getRawInputContentsCount() != 1) {
                throw OipException.invalid("raw_input_contents has " + request.getRawInputContentsCount()
                        + " entries for 1 input");
            }
            if (raw && input.hasContents()) {
                throw OipException.invalid("input 'images' has both contents and raw_input_contents; use one");
            }
            Function<ImagesInput, float[]> decode = raw
                    ? in -> TensorDecoder.raw(in, request.getRawInputContents(0).asReadOnlyByteBuffer())
                    : in -> in.datatype() == Datatype.FP32
                            ? TensorDecoder.fp32(in, input.getContents().getFp32ContentsList())
                            : TensorDecoder.uint8(in, input.getContents().getUintContentsList());
            List<String> outputs = new ArrayList<>(request.getOutputsCount());
            request.getOutputsList().forEach(o -> outputs.add(o.getName()));
            long[] shape = input.getShapeList().stream().mapToLong(Long::longValue).toArray();
            return Uni.createFrom().completionStage(oip.infer(request.getModelName(), request.getModelVersion(),
                    input.getName(), input.getDatatype(), shape, decode, outputs))
                    .map(answer -> response(request, answer, raw));
        }).onFailure().transform(GrpcErrors::toStatus);
    }

    private static ModelInferResponse response(ModelInferRequest request, OipService.Answer answer, boolean raw) {
        ModelInferResponse.Builder b = ModelInferResponse.newBuilder()
                .setModelName(answer.model().name())
                .setModelVersion(Long.toString(answer.model().version()))
                .setId(request.getId());
        for (OutputTensor out : answer.outputs()) {
            ModelInferResponse.InferOutputTensor.Builder t = ModelInferResponse.InferOutputTensor.newBuilder()
                    .setName(out.name()).setDatatype(out.datatype());
            for (long d : out.shape()) {
                t.addShape(d);
            }
            if (raw) {
                // the array is ours and never written again
                b.addRawOutputContents(UnsafeByteOperations.unsafeWrap(out.littleEndian()));
            } else {
                InferTensorContents.Builder c = InferTensorContents.newBuilder();
                for (float v : out.data()) {
                    c.addFp32Contents(v);
                }
                t.setContents(c);
            }
            b.addOutputs(t);
        }
        return b.build();
    }

    private static ModelMetadataResponse.TensorMetadata tensor(ModelContract.TensorMetadata t) {
        ModelMetadataResponse.TensorMetadata.Builder b = ModelMetadataResponse.TensorMetadata.newBuilder()
                .setName(t.name()).setDatatype(t.datatype());
        for (long d : t.shape()) {
            b.addShape(d);
        }
        return b.build();
    }
}
