package org.supcon.trainer.export;

import static org.supcon.common.model.OnnxContract.BATCH_DIM;
import static org.supcon.common.model.OnnxContract.EMBEDDING;
import static org.supcon.common.model.OnnxContract.INPUT;
import static org.supcon.common.model.OnnxContract.LOGITS;
import static org.supcon.common.model.OnnxContract.PROBABILITIES;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.util.Pair;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.supcon.trainer.images.ImageGeometry;
import org.supcon.common.model.OnnxContract;
import org.supcon.trainer.export.OnnxGraph.Attribute;
import org.supcon.trainer.export.OnnxGraph.Dim;
import org.supcon.trainer.export.OnnxGraph.ElemType;
import org.supcon.trainer.model.GlobalAvgPool;
import org.supcon.trainer.model.L2Normalize;
import org.supcon.trainer.model.Layers;
import org.supcon.trainer.model.Normalize;
import org.supcon.trainer.model.Relu;
import org.supcon.trainer.model.ResidualBlock;
import org.supcon.trainer.model.SupConNet;
import org.supcon.trainer.train.LinearClassifier;

/**
 * Exports a trained {@link SupConNet} encoder plus a linear classifier as one ONNX model (the
 * projection head is dropped) of the {@link OnnxContract} the inference service serves.
 *
 * <p>The exported model:
 *
 * <ul>
 *   <li>input {@value OnnxContract#INPUT}: float32 {@code [N, C, H, W]}, N dynamic
 *       ({@value OnnxContract#BATCH_DIM}), raw pixels 0..255 (the encoder's {@link Normalize} is
 *       part of the graph);
 *   <li>output {@value OnnxContract#EMBEDDING}: float32 {@code [N, D]}, the encoder features
 *       {@code r} scaled to unit L2 norm per row ({@code r / max(||r||, 1e-12)});
 *   <li>output {@value OnnxContract#LOGITS}: float32 {@code [N, K]}, {@code r W^T + b} on the raw
 *       features;
 *   <li>output {@value OnnxContract#PROBABILITIES}: float32 {@code [N, K]}, softmax of the logits.
 * </ul>
 *
 * Batch norm is exported in inference mode with the running statistics and {@link
 * Layers#BN_EPSILON} (DJL's {@code BatchNorm} does not expose its epsilon; the model package
 * builds every batch norm with that constant). See {@link OnnxModelWriter} for versions.
 */
public final class OnnxExporter {

    /** The block types {@link #appendBlock} translates. */
    public static final String SUPPORTED_BLOCKS =
            "Normalize, Conv2d, BatchNorm, Relu, ResidualBlock, GlobalAvgPool, SequentialBlock";

    private static final String ENCODER_PATH = "encoder";
    private static final String CLASSIFIER_PATH = "classifier";

    private OnnxExporter() {}

    /**
     * Exports with the standard metadata; the input geometry is taken from it.
     *
     * @param net the trained network
     * @param classifierOrNull the linear-probe classifier of a contrastive run, or null to use
     *     {@code net.classifier()} (cross-entropy baseline)
     * @param metadata labels (one per class), geometry, name, version, provenance
     * @return the ONNX model bytes
     */
    public static byte[] export(SupConNet net, LinearClassifier classifierOrNull,
            ModelMetadata metadata) {
        return export(net, classifierOrNull, metadata.geometry(), metadata.toMap());
    }

    /**
     * Exports with a metadata map that holds at least the image keys of {@link ModelMetadata};
     * the input geometry is read from them.
     *
     * @param net the trained network
     * @param classifierOrNull the linear-probe classifier of a contrastive run, or null to use
     *     {@code net.classifier()} (cross-entropy baseline)
     * @param metadata written verbatim as {@code metadata_props}
     * @return the ONNX model bytes
     * @throws IllegalArgumentException if an image key is missing or not an integer, or as
     *     {@link #export(SupConNet, LinearClassifier, ImageGeometry, Map)}
     */
    public static byte[] export(SupConNet net, LinearClassifier classifierOrNull,
            Map<String, String> metadata) {
        return export(net, classifierOrNull, ModelMetadata.parseGeometry(metadata), metadata);
    }

    /**
     * Exports the network.
     *
     * @param net the trained network
     * @param classifierOrNull the linear-probe classifier of a contrastive run, or null to use
     *     {@code net.classifier()} (cross-entropy baseline)
     * @param geometry the input image geometry; the channels must be the network's
     * @param metadata written verbatim as {@code metadata_props}; if it holds {@link
     *     ModelMetadata#LABELS} or the image keys, they must agree with the classifier and {@code
     *     geometry}
     * @return the ONNX model bytes
     * @throws UnsupportedBlockException if the encoder holds a block with no ONNX translation
     * @throws IllegalArgumentException if the classifier does not fit the encoder, the metadata
     *     contradicts the model, or a parameter is not initialised
     */
    public static byte[] export(SupConNet net, LinearClassifier classifierOrNull,
            ImageGeometry geometry, Map<String, String> metadata) {
        OnnxGraph graph = graph(net, classifierOrNull, geometry);
        long classes = graph.outputs().get(1).dims().get(1).value();
        checkMetadata(metadata, geometry, classes);
        String doc = "SupCon " + net.encoderType().cliName() + " encoder + "
                + (classifierOrNull == null ? "cross-entropy classifier" : "linear probe")
                + "; input " + INPUT + " float32 [N, " + geometry.channels() + ", "
                + geometry.height() + ", " + geometry.width() + "] raw pixels 0..255; outputs "
                + EMBEDDING + " [N, " + net.featureDim() + "] (unit L2 norm), " + LOGITS + " [N, "
                + classes + "], " + PROBABILITIES + " [N, " + classes + "]";
        return OnnxModelWriter.write(graph, metadata, doc);
    }

    /**
     * Builds the graph without serialising it.
     *
     * @param net the trained network
     * @param classifierOrNull the linear-probe classifier, or null for {@code net.classifier()}
     * @param geometry the input image geometry
     * @return the graph, input {@value OnnxContract#INPUT}, outputs {@value OnnxContract#EMBEDDING}, {@value OnnxContract#LOGITS},
     *     {@value OnnxContract#PROBABILITIES} in that order
     */
    public static OnnxGraph graph(SupConNet net, LinearClassifier classifierOrNull,
            ImageGeometry geometry) {
        if (net.inputChannels() != geometry.channels()) {
            throw new IllegalArgumentException("network takes " + net.inputChannels()
                    + " channels, but the image geometry is " + geometry);
        }
        int dim = net.featureDim();
        Classifier classifier = classifier(net, classifierOrNull, dim);
        OnnxGraphBuilder g = new OnnxGraphBuilder("supcon-" + net.encoderType().cliName());
        Dim batch = Dim.param(BATCH_DIM);
        String images = g.input(INPUT, ElemType.FLOAT, batch, Dim.of(geometry.channels()),
                Dim.of(geometry.height()), Dim.of(geometry.width()));
        String features = appendBlock(g, net.encoder(), ENCODER_PATH, images);

        String norm = g.node("ReduceL2", "embedding/ReduceL2", List.of(features),
                Attribute.ints("axes", 1), Attribute.of("keepdims", 1L));
        String eps = g.initializer("embedding/eps", new long[0],
                new float[] {L2Normalize.DEFAULT_EPSILON});
        String clamped = g.node("Max", "embedding/Max", List.of(norm, eps));
        g.nodeWithOutput("Div", "embedding/Div", EMBEDDING, List.of(features, clamped));

        String w = g.initializer(CLASSIFIER_PATH + "/weight",
                new long[] {classifier.classes, dim}, classifier.weight);
        String b = classifier.bias == null
                ? ""
                : g.initializer(CLASSIFIER_PATH + "/bias", new long[] {classifier.classes},
                        classifier.bias);
        List<String> gemmInputs = b.isEmpty() ? List.of(features, w) : List.of(features, w, b);
        g.nodeWithOutput("Gemm", CLASSIFIER_PATH + "/Gemm", LOGITS, gemmInputs,
                Attribute.of("transB", 1L));
        g.nodeWithOutput("Softmax", CLASSIFIER_PATH + "/Softmax", PROBABILITIES, List.of(LOGITS),
                Attribute.of("axis", 1L));

        g.output(EMBEDDING, ElemType.FLOAT, batch, Dim.of(dim));
        g.output(LOGITS, ElemType.FLOAT, batch, Dim.of(classifier.classes));
        g.output(PROBABILITIES, ElemType.FLOAT, batch, Dim.of(classifier.classes));
        return g.build();
    }

    /**
     * Appends the ONNX nodes of one block (recursively for a {@code SequentialBlock}).
     *
     * @param g the graph being built
     * @param block the block, initialised
     * @param path the block's position, used in error messages and node/initializer names, e.g.
     *     {@code encoder}
     * @param input the value the block consumes
     * @return the value the block produces
     * @throws UnsupportedBlockException naming the first block (and its path) with no translation
     */
    public static String appendBlock(OnnxGraphBuilder g, Block block, String path,
            String input) {
        if (block instanceof Normalize normalize) {
            return normalize(g, normalize, path, input);
        }
        if (block instanceof Conv2d conv) {
            return conv(g, conv, path, input);
        }
        if (block instanceof BatchNorm bn) {
            return batchNorm(g, bn, path, input);
        }
        if (block instanceof Relu) {
            return g.node("Relu", path + "/Relu", List.of(input));
        }
        if (block instanceof ResidualBlock residual) {
            return residual(g, residual, path, input);
        }
        if (block instanceof GlobalAvgPool) {
            String pooled = g.node("GlobalAveragePool", path + "/GlobalAveragePool",
                    List.of(input));
            return g.node("Flatten", path + "/Flatten", List.of(pooled),
                    Attribute.of("axis", 1L));
        }
        // Exact class: a subclass could override forward with anything.
        if (block.getClass() == SequentialBlock.class) {
            SequentialBlock sequence = (SequentialBlock) block;
            if (sequence.isReturnIntermediate()) {
                throw new UnsupportedBlockException("SequentialBlock(returnIntermediate)", path,
                        SUPPORTED_BLOCKS);
            }
            String x = input;
            for (Pair<String, Block> child : sequence.getChildren()) {
                x = appendBlock(g, child.getValue(), path + "/" + child.getKey(), x);
            }
            return x;
        }
        throw new UnsupportedBlockException(block.getClass().getSimpleName(), path,
                SUPPORTED_BLOCKS);
    }

    private static String normalize(OnnxGraphBuilder g, Normalize n, String path, String x) {
        long c = n.channels();
        // The same three operations as Normalize.forward, so the results agree bit for bit.
        String scale = g.initializer(path + "/pixelScale", new long[0],
                new float[] {n.pixelScale()});
        String mean = g.initializer(path + "/mean", new long[] {1, c, 1, 1}, n.mean());
        String std = g.initializer(path + "/std", new long[] {1, c, 1, 1}, n.std());
        String unit = g.node("Div", path + "/DivScale", List.of(x, scale));
        String centred = g.node("Sub", path + "/Sub", List.of(unit, mean));
        return g.node("Div", path + "/DivStd", List.of(centred, std));
    }

    private static String conv(OnnxGraphBuilder g, Conv2d conv, String path, String x) {
        Tensor weight = parameter(conv, "weight", path);
        long[] kernel = conv.getKernelShape().getShape();
        long[] stride = conv.getStride().getShape();
        long[] pad = conv.getPadding().getShape();
        long[] dilation = conv.getDilation().getShape();
        String w = g.initializer(path + "/weight", weight.dims, weight.data);
        List<String> inputs = List.of(x, w);
        if (conv.isIncludeBias()) {
            Tensor bias = parameter(conv, "bias", path);
            inputs = List.of(x, w, g.initializer(path + "/bias", bias.dims, bias.data));
        }
        return g.node("Conv", path + "/Conv", inputs,
                Attribute.ints("kernel_shape", kernel),
                Attribute.ints("strides", stride),
                Attribute.ints("pads", pad[0], pad[1], pad[0], pad[1]),
                Attribute.ints("dilations", dilation),
                Attribute.of("group", (long) conv.getGroups()));
    }

    private static String batchNorm(OnnxGraphBuilder g, BatchNorm bn, String path, String x) {
        String scale = initializer(g, bn, "gamma", path);
        String shift = initializer(g, bn, "beta", path);
        String mean = initializer(g, bn, "runningMean", path);
        String var = initializer(g, bn, "runningVar", path);
        return g.node("BatchNormalization", path + "/BatchNormalization",
                List.of(x, scale, shift, mean, var),
                Attribute.of("epsilon", Layers.BN_EPSILON));
    }

    private static String residual(OnnxGraphBuilder g, ResidualBlock r, String path, String x) {
        // Dataflow as documented on ResidualBlock; its ReLUs are calls, not child blocks.
        String h = convBn(g, r, r.conv1(), r.bn1(), path, x);
        h = g.node("Relu", path + "/Relu1", List.of(h));
        h = convBn(g, r, r.conv2(), r.bn2(), path, h);
        if (r.kind() == ResidualBlock.Kind.BOTTLENECK) {
            h = g.node("Relu", path + "/Relu2", List.of(h));
            Conv2d conv3 = r.conv3().orElseThrow(() -> missing(path, "conv3"));
            BatchNorm bn3 = r.bn3().orElseThrow(() -> missing(path, "bn3"));
            h = convBn(g, r, conv3, bn3, path, h);
        }
        String shortcut = x;
        if (r.hasProjection()) {
            Conv2d sc = r.shortcutConv().orElseThrow(() -> missing(path, "shortcutConv"));
            BatchNorm sb = r.shortcutBn().orElseThrow(() -> missing(path, "shortcutBn"));
            shortcut = convBn(g, r, sc, sb, path, x);
        }
        String sum = g.node("Add", path + "/Add", List.of(h, shortcut));
        return g.node("Relu", path + "/ReluOut", List.of(sum));
    }

    private static String convBn(OnnxGraphBuilder g, Block parent, Conv2d conv, BatchNorm bn,
            String path, String x) {
        String y = conv(g, conv, path + "/" + childName(parent, conv, path), x);
        return batchNorm(g, bn, path + "/" + childName(parent, bn, path), y);
    }

    private static IllegalStateException missing(String path, String child) {
        return new IllegalStateException("bottleneck/projecting ResidualBlock at " + path
                + " has no " + child);
    }

    private static String childName(Block parent, Block child, String path) {
        for (Pair<String, Block> p : parent.getChildren()) {
            if (p.getValue() == child) {
                return p.getKey();
            }
        }
        throw new IllegalStateException("block at " + path + " does not list "
                + child.getClass().getSimpleName() + " among its children");
    }

    private static String initializer(OnnxGraphBuilder g, Block block, String name,
            String path) {
        Tensor t = parameter(block, name, path);
        return g.initializer(path + "/" + name, t.dims, t.data);
    }

    private record Tensor(long[] dims, float[] data) {}

    private static Tensor parameter(Block block, String name, String path) {
        Parameter p = block.getDirectParameters().get(name);
        if (p == null) {
            throw new IllegalStateException(block.getClass().getSimpleName() + " at " + path
                    + " has no parameter " + name + "; it has "
                    + block.getDirectParameters().keys());
        }
        if (!p.isInitialized()) {
            throw new IllegalArgumentException("parameter " + name + " of "
                    + block.getClass().getSimpleName() + " at " + path
                    + " is not initialised; initialise and train the network before export");
        }
        NDArray a = p.getArray();
        if (a.getDataType() != DataType.FLOAT32) {
            throw new IllegalArgumentException("parameter " + name + " at " + path
                    + " is " + a.getDataType() + "; the exporter writes float32 only");
        }
        return new Tensor(a.getShape().getShape(), a.toFloatArray());
    }

    private record Classifier(int classes, float[] weight, float[] bias) {}

    private static Classifier classifier(SupConNet net, LinearClassifier probe, int dim) {
        if (probe != null) {
            if (probe.dim() != dim) {
                throw new IllegalArgumentException("linear classifier expects features of dim "
                        + probe.dim() + ", but the " + net.encoderType() + " encoder gives "
                        + dim);
            }
            return new Classifier(probe.classes(), probe.weight(), probe.bias());
        }
        Linear linear = net.classifier().orElseThrow(() -> new IllegalArgumentException(
                "a contrastive network has no classifier of its own; pass the linear probe's"
                        + " LinearClassifier"));
        Tensor w = parameter(linear, "weight", CLASSIFIER_PATH);
        if (w.dims.length != 2 || w.dims[1] != dim) {
            throw new IllegalArgumentException("classifier weight has shape "
                    + Arrays.toString(w.dims) + ", expected [classes, " + dim + "]");
        }
        float[] bias = linear.getDirectParameters().contains("bias")
                ? parameter(linear, "bias", CLASSIFIER_PATH).data
                : null;
        return new Classifier((int) w.dims[0], w.data, bias);
    }

    private static void checkMetadata(Map<String, String> metadata, ImageGeometry geometry,
            long classes) {
        if (metadata.containsKey(ModelMetadata.LABELS)) {
            List<String> labels = ModelMetadata.parseLabels(metadata.get(ModelMetadata.LABELS));
            if (labels.size() != classes) {
                throw new IllegalArgumentException("metadata lists " + labels.size()
                        + " labels, but the classifier has " + classes + " classes");
            }
        }
        checkGeometry(metadata, ModelMetadata.IMAGE_CHANNELS, geometry.channels());
        checkGeometry(metadata, ModelMetadata.IMAGE_HEIGHT, geometry.height());
        checkGeometry(metadata, ModelMetadata.IMAGE_WIDTH, geometry.width());
    }

    private static void checkGeometry(Map<String, String> metadata, String key, int expected) {
        String value = metadata.get(key);
        if (value != null && !value.trim().equals(Integer.toString(expected))) {
            throw new IllegalArgumentException("metadata " + key + " is " + value
                    + ", but the exported input has " + expected);
        }
    }
}
