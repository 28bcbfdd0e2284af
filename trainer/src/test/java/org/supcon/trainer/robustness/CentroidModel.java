package org.supcon.trainer.robustness;

import java.util.List;
import java.util.Map;
import org.supcon.common.model.OnnxContract;
import org.supcon.trainer.export.ModelMetadata;
import org.supcon.trainer.export.OnnxGraph.Dim;
import org.supcon.trainer.export.OnnxGraph.ElemType;
import org.supcon.trainer.export.OnnxGraphBuilder;
import org.supcon.trainer.export.OnnxModelWriter;
import org.supcon.trainer.images.ImageGeometry;
import org.supcon.trainer.images.ImageSet;

/**
 * A real classifier built in milliseconds for tests: nearest class mean of the raw pixels
 * ({@code logit_k = x . m_k - |m_k|^2 / 2}, scaled), learnt from a training set and written as an
 * ONNX model with the exported models' input, logits, probabilities and metadata. About 68 % on
 * Fashion-MNIST, so corruptions move its accuracy as they move a network's.
 */
public final class CentroidModel {

    private CentroidModel() {}

    /** The model of {@code train}'s class means, named {@code name} version {@code version}. */
    public static byte[] build(ImageSet train, String name, String version) {
        ImageGeometry g = train.geometry();
        int d = g.pixels();
        int k = train.numClasses();
        double[][] mean = new double[k][d];
        int[] counts = train.countsPerLabel();
        for (int i = 0; i < train.size(); i++) {
            int off = train.offset(i);
            for (int j = 0; j < d; j++) {
                mean[train.label(i)][j] += (train.pixels()[off + j] & 0xFF) / (double) counts[train.label(i)];
            }
        }
        double scale = 1.0 / (255.0 * 255.0);
        float[] w = new float[d * k];
        float[] b = new float[k];
        for (int c = 0; c < k; c++) {
            double sq = 0;
            for (int j = 0; j < d; j++) {
                w[j * k + c] = (float) (mean[c][j] * scale);
                sq += mean[c][j] * mean[c][j];
            }
            b[c] = (float) (-0.5 * sq * scale);
        }
        OnnxGraphBuilder gb = new OnnxGraphBuilder("centroids");
        String x = gb.input(OnnxContract.INPUT, ElemType.FLOAT, Dim.param(OnnxContract.BATCH_DIM), Dim.of(g.channels()),
                Dim.of(g.height()), Dim.of(g.width()));
        String shape = gb.initializer("shape", new long[] {2}, new long[] {-1, d});
        String flat = gb.node("Reshape", "flatten", List.of(x, shape));
        String wv = gb.initializer("w", new long[] {d, k}, w);
        String bv = gb.initializer("b", new long[] {k}, b);
        String mm = gb.node("MatMul", "matmul", List.of(flat, wv));
        gb.nodeWithOutput("Add", "bias", OnnxContract.LOGITS, List.of(mm, bv));
        gb.nodeWithOutput("Softmax", "softmax", OnnxContract.PROBABILITIES, List.of(OnnxContract.LOGITS));
        gb.output(OnnxContract.LOGITS, ElemType.FLOAT, Dim.param(OnnxContract.BATCH_DIM), Dim.of(k));
        gb.output(OnnxContract.PROBABILITIES, ElemType.FLOAT, Dim.param(OnnxContract.BATCH_DIM), Dim.of(k));
        return OnnxModelWriter.write(gb.build(), ModelMetadata.entries(train.labelNames(), g, name, version, Map.of()),
                "nearest class mean, for tests");
    }
}
