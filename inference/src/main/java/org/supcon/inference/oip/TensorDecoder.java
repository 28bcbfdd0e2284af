package org.supcon.inference.oip;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Turns the three ways OIP carries tensor data (raw little-endian bytes, typed protobuf
 * contents, JSON arrays flat or nested) into the float pixel values 0..255 the model takes.
 * Every method checks the element count against the shape and names what is wrong.
 */
public final class TensorDecoder {

    private TensorDecoder() {
    }

    /** Raw contents: the flattened row-major elements, little-endian, no padding (spec). */
    public static float[] raw(ImagesInput input, ByteBuffer bytes) {
        long need = (long) input.elements() * input.datatype().bytes;
        if (bytes.remaining() != need) {
            throw OipException.invalid("raw contents of input 'images' hold " + bytes.remaining() + " bytes; "
                    + input.n() + " images of " + input.datatype() + " need " + need);
        }
        float[] out = new float[input.elements()];
        ByteBuffer le = bytes.slice().order(ByteOrder.LITTLE_ENDIAN);
        if (input.datatype() == Datatype.FP32) {
            le.asFloatBuffer().get(out);
        } else {
            for (int i = 0; i < out.length; i++) {
                out[i] = le.get(i) & 0xFF;
            }
        }
        return out;
    }

    /** Typed FP32 contents ({@code fp32_contents}). */
    public static float[] fp32(ImagesInput input, List<Float> values) {
        requireCount(input, values.size(), "fp32_contents");
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }

    /** Typed UINT8 contents ({@code uint_contents}, one uint32 per element, each 0..255). */
    public static float[] uint8(ImagesInput input, List<Integer> values) {
        requireCount(input, values.size(), "uint_contents");
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            int v = values.get(i);
            if (v < 0 || v > 255) {
                throw OipException.invalid("input 'images' element " + i + " is " + Integer.toUnsignedString(v)
                        + "; UINT8 values are 0..255");
            }
            out[i] = v;
        }
        return out;
    }

    /**
     * JSON {@code data}: a flat array of {@code N*C*H*W} numbers, or nested arrays whose
     * nesting follows the shape exactly.
     */
    public static float[] json(ImagesInput input, long[] shape, JsonNode data) {
        if (data == null || !data.isArray()) {
            throw OipException.invalid("input 'images' needs 'data' as a JSON array");
        }
        float[] out = new float[input.elements()];
        boolean nested = data.size() > 0 && data.get(0).isArray();
        if (nested) {
            int[] pos = {0};
            flatten(data, shape, 0, input.datatype(), out, pos);
        } else {
            requireCount(input, data.size(), "data");
            for (int i = 0; i < out.length; i++) {
                out[i] = element(data.get(i), i, input.datatype());
            }
        }
        return out;
    }

    private static void flatten(JsonNode node, long[] shape, int depth, Datatype type, float[] out, int[] pos) {
        if (node.size() != shape[depth]) {
            throw OipException.invalid("input 'images' data has " + node.size() + " entries at depth " + depth
                    + "; shape " + ImagesInput.format(shape) + " needs " + shape[depth]);
        }
        boolean last = depth == shape.length - 1;
        for (JsonNode child : node) {
            if (last) {
                out[pos[0]] = element(child, pos[0], type);
                pos[0]++;
            } else if (child.isArray()) {
                flatten(child, shape, depth + 1, type, out, pos);
            } else {
                throw OipException.invalid("input 'images' data is nested " + (depth + 1)
                        + " deep where shape " + ImagesInput.format(shape) + " needs " + shape.length);
            }
        }
    }

    private static float element(JsonNode v, int index, Datatype type) {
        if (!v.isNumber()) {
            throw OipException.invalid("input 'images' element " + index + " is " + v.getNodeType().name().toLowerCase()
                    + " " + truncate(v.toString()) + "; " + type + " needs numbers");
        }
        if (type == Datatype.UINT8) {
            if (!v.canConvertToExactIntegral() || v.asDouble() < 0 || v.asDouble() > 255) {
                throw OipException.invalid("input 'images' element " + index + " is " + v + "; UINT8 values are integers 0..255");
            }
            return v.asInt();
        }
        return v.floatValue();
    }

    private static void requireCount(ImagesInput input, int got, String field) {
        if (got != input.elements()) {
            throw OipException.invalid("input 'images' " + field + " holds " + got + " values; " + input.n()
                    + " images of its shape need " + input.elements());
        }
    }

    private static String truncate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
