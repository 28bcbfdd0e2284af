package org.supcon.inference.oip;

import java.util.Arrays;

import org.supcon.common.model.OnnxContract;
import org.supcon.inference.model.ServedModel;

/**
 * The checked header of the one input tensor: name {@code images}, an accepted datatype and the
 * shape {@code [N, C, H, W]} with the model's C, H, W and {@code 1 <= N <= maxBatch}.
 *
 * @param n the batch size
 * @param elements {@code N * C * H * W}, the number of values the data must hold
 */
public record ImagesInput(Datatype datatype, int n, int elements) {

    /** Refuses anything but exactly one tensor named {@code images}. */
    public static void checkInputCount(int inputs) {
        if (inputs != 1) {
            throw OipException.invalid("expected exactly one input '" + OnnxContract.INPUT + "', got " + inputs);
        }
    }

    public static ImagesInput check(ServedModel model, int maxBatch, String name, String datatype, long[] shape) {
        if (!OnnxContract.INPUT.equals(name)) {
            throw OipException.invalid("unknown input '" + name + "'; the model has one input '" + OnnxContract.INPUT + "'");
        }
        Datatype type = Datatype.parse(datatype);
        long[] expected = {-1, model.channels(), model.height(), model.width()};
        String want = "; expected [N, C, H, W] = " + format(expected);
        if (shape.length != 4) {
            throw OipException.invalid("input 'images' has shape " + format(shape) + want);
        }
        if (shape[0] < 1) {
            throw OipException.invalid("input 'images' has batch dimension " + shape[0] + "; it must be at least 1");
        }
        for (int i = 1; i < 4; i++) {
            if (shape[i] != expected[i]) {
                throw OipException.invalid("input 'images' has shape " + format(shape) + want);
            }
        }
        if (shape[0] > maxBatch) {
            throw OipException.tooLarge("input 'images' has batch " + shape[0] + ", over the limit of " + maxBatch
                    + " (inference.limits.max-batch); split the request");
        }
        int n = (int) shape[0];
        long elements = (long) n * model.channels() * model.height() * model.width();
        if (elements > Integer.MAX_VALUE) {
            throw OipException.tooLarge("input 'images' has " + elements + " elements; too large");
        }
        return new ImagesInput(type, n, (int) elements);
    }

    public static String format(long[] shape) {
        return Arrays.toString(shape);
    }
}
