package org.supcon.inference.oip;

import static org.supcon.common.model.OnnxContract.EMBEDDING;
import static org.supcon.common.model.OnnxContract.INPUT;
import static org.supcon.common.model.OnnxContract.LOGITS;
import static org.supcon.common.model.OnnxContract.OUTPUTS;
import static org.supcon.common.model.OnnxContract.PROBABILITIES;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.supcon.common.model.OnnxContract;
import org.supcon.inference.model.ServedModel;

/**
 * The ONNX contract ({@link OnnxContract}) seen through OIP: one input {@code images [N, C, H, W]}
 * and three FP32 outputs {@code embedding [N, D]}, {@code logits [N, K]},
 * {@code probabilities [N, K]}, listed in contract order when a request names none.
 */
public final class ModelContract {

    /** The spec's platform string for an ONNX model ("<framework>_<format>"). */
    public static final String PLATFORM = "onnxruntime_onnx";

    private ModelContract() {
    }

    /** A tensor as listed in model metadata; -1 for the variable batch dimension. */
    public record TensorMetadata(String name, String datatype, long[] shape) {
    }

    public static List<TensorMetadata> inputs(ServedModel model) {
        return List.of(new TensorMetadata(INPUT, Datatype.FP32.name(),
                new long[] {-1, model.channels(), model.height(), model.width()}));
    }

    public static List<TensorMetadata> outputs(ServedModel model) {
        int k = model.labels().size();
        return List.of(
                new TensorMetadata(EMBEDDING, Datatype.FP32.name(), new long[] {-1, model.embeddingDim()}),
                new TensorMetadata(LOGITS, Datatype.FP32.name(), new long[] {-1, k}),
                new TensorMetadata(PROBABILITIES, Datatype.FP32.name(), new long[] {-1, k}));
    }

    /**
     * The outputs to return, in the order requested; all of them, in contract order, when the
     * request names none. Unknown or repeated names are refused.
     */
    public static List<String> selectOutputs(List<String> requested) {
        if (requested == null || requested.isEmpty()) {
            return OUTPUTS;
        }
        Set<String> seen = new LinkedHashSet<>();
        for (String name : requested) {
            if (!OUTPUTS.contains(name)) {
                throw OipException.invalid("unknown output '" + name + "'; the model has outputs " + OUTPUTS);
            }
            if (!seen.add(name)) {
                throw OipException.invalid("output '" + name + "' is requested twice");
            }
        }
        return new ArrayList<>(seen);
    }
}
