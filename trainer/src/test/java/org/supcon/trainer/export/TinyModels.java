package org.supcon.trainer.export;

import java.util.List;
import java.util.Map;
import org.supcon.trainer.export.OnnxGraph.Dim;
import org.supcon.trainer.export.OnnxGraph.ElemType;

/** Hand-built graphs for tests that need a model but not a network. */
final class TinyModels {

    private TinyModels() {}

    /** {@code y = relu(x * scale)} for x of shape [N, 3]. */
    static byte[] scaleRelu(float[] scale, Map<String, String> metadata) {
        OnnxGraphBuilder g = new OnnxGraphBuilder("tiny");
        String x = g.input("x", ElemType.FLOAT, Dim.param("N"), Dim.of(3));
        String s = g.initializer("scale", new long[] {3}, scale);
        String m = g.node("Mul", "mul", List.of(x, s));
        g.nodeWithOutput("Relu", "relu", "y", List.of(m));
        g.output("y", ElemType.FLOAT, Dim.param("N"), Dim.of(3));
        return OnnxModelWriter.write(g.build(), metadata, "a tiny test model");
    }
}
