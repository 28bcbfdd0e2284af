package org.supcon.inference.oip;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import org.supcon.common.model.OnnxContract;
import org.supcon.inference.model.InferenceResult;

/** One FP32 output tensor of an inference answer, flattened row-major. */
public record OutputTensor(String name, long[] shape, float[] data) {

    public String datatype() {
        return Datatype.FP32.name();
    }

    /** The requested outputs of {@code result}, in the given order (see {@link ModelContract#selectOutputs}). */
    public static List<OutputTensor> select(InferenceResult result, List<String> names) {
        List<OutputTensor> out = new ArrayList<>(names.size());
        for (String name : names) {
            out.add(switch (name) {
                case OnnxContract.EMBEDDING -> new OutputTensor(name, new long[] {result.n(), result.embeddingDim()}, result.embedding());
                case OnnxContract.LOGITS -> new OutputTensor(name, new long[] {result.n(), result.classes()}, result.logits());
                case OnnxContract.PROBABILITIES -> new OutputTensor(name, new long[] {result.n(), result.classes()}, result.probabilities());
                default -> throw OipException.invalid("unknown output '" + name + "'");
            });
        }
        return out;
    }

    /** The raw contents form: little-endian float32, no padding. */
    public byte[] littleEndian() {
        ByteBuffer buf = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(data);
        return buf.array();
    }
}
