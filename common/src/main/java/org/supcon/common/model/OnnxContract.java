package org.supcon.common.model;

import java.util.List;

/**
 * The ONNX model the trainer exports and the inference service serves; both build against these
 * names so that neither can drift from the other.
 *
 * <ul>
 *   <li>input {@value #INPUT}: float32 {@code [N, C, H, W]} (NCHW, row-major), N dynamic
 *       ({@value #BATCH_DIM}), raw pixel values 0..255; normalisation is part of the graph;
 *   <li>output {@value #EMBEDDING}: float32 {@code [N, D]}, the encoder features at unit L2 norm;
 *   <li>output {@value #LOGITS}: float32 {@code [N, K]}, K = the number of labels;
 *   <li>output {@value #PROBABILITIES}: float32 {@code [N, K]}, softmax of the logits;
 *   <li>{@code metadata_props}: {@value #LABELS} a JSON list of the class names in logit order, and
 *       the input geometry {@value #IMAGE_CHANNELS}, {@value #IMAGE_HEIGHT}, {@value #IMAGE_WIDTH} as
 *       decimal integers.
 * </ul>
 *
 * The file is ONNX IR version {@value #IR_VERSION} with the default-domain opset {@value #OPSET}.
 */
public final class OnnxContract {

    /** Name of the graph input. */
    public static final String INPUT = "images";

    /** Name of the unit-norm embedding output. */
    public static final String EMBEDDING = "embedding";

    /** Name of the logits output. */
    public static final String LOGITS = "logits";

    /** Name of the class-probabilities output. */
    public static final String PROBABILITIES = "probabilities";

    /** The outputs in contract order. */
    public static final List<String> OUTPUTS = List.of(EMBEDDING, LOGITS, PROBABILITIES);

    /** The symbolic batch dimension of the input and outputs. */
    public static final String BATCH_DIM = "N";

    /** The ONNX IR version written. */
    public static final long IR_VERSION = 8;

    /** The version of the default ({@code ai.onnx}) operator set the graph uses. */
    public static final long OPSET = 17;

    /** Metadata key of the JSON list of class names. */
    public static final String LABELS = "labels";

    /** Metadata key of the input channel count. */
    public static final String IMAGE_CHANNELS = "image.channels";

    /** Metadata key of the input height. */
    public static final String IMAGE_HEIGHT = "image.height";

    /** Metadata key of the input width. */
    public static final String IMAGE_WIDTH = "image.width";

    private OnnxContract() {
    }
}
