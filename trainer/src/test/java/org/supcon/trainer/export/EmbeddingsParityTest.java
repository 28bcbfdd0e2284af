package org.supcon.trainer.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.supcon.common.model.OnnxContract;
import org.supcon.trainer.images.ImageGeometry;
import org.supcon.trainer.images.ImageSet;
import org.supcon.trainer.model.EncoderType;
import org.supcon.trainer.model.SupConNet;
import org.supcon.trainer.train.Features;
import org.supcon.trainer.train.TrainingRun;

/**
 * The vectors of a version's index are the served model's {@code embedding} output: what
 * {@link TrainingRun#embeddings} computes in DJL equals what ONNX Runtime computes from the
 * exported model, image by image, across DJL's batches.
 */
class EmbeddingsParityTest {

    private static final ImageGeometry G = new ImageGeometry(1, 12, 12);

    @Test
    void embeddingsAreTheExportedModelsEmbeddingOutput() throws Exception {
        int n = 520; // two DJL batches of up to 500
        SplittableRandom rng = new SplittableRandom(9);
        byte[] pixels = new byte[n * G.pixels()];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) rng.nextInt(256);
        }
        ImageSet set = new ImageSet(G, List.of("a", "b"), pixels, new int[n]);
        try (NDManager manager = NDManager.newBaseManager()) {
            SupConNet net = ExportFixtures.net(manager, EncoderType.SMALL_RESNET, G, true, 11);
            List<Integer> progress = new ArrayList<>();
            Features djl = TrainingRun.embeddings(net, new ParameterStore(manager, false), manager, set, progress::add);
            assertEquals(List.of(500, 520), progress);
            assertEquals(n, djl.rows());
            assertEquals(net.featureDim(), djl.dim());

            byte[] onnx = OnnxExporter.export(net, ExportFixtures.classifier(net.featureDim(), 2), G, Map.of());
            float[] input = new float[n * G.pixels()];
            for (int i = 0; i < input.length; i++) {
                input[i] = pixels[i] & 0xFF;
            }
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            float[][] expected;
            try (OrtSession session = env.createSession(onnx, new OrtSession.SessionOptions());
                    OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), new long[] {n, 1, 12, 12});
                    OrtSession.Result out = session.run(Map.of(OnnxContract.INPUT, in))) {
                expected = (float[][]) out.get(OnnxContract.EMBEDDING).orElseThrow().getValue();
            }
            double maxDiff = 0;
            double maxNormDeviation = 0;
            for (int r = 0; r < n; r++) {
                double sq = 0;
                for (int c = 0; c < djl.dim(); c++) {
                    float v = djl.values()[r * djl.dim() + c];
                    maxDiff = Math.max(maxDiff, Math.abs(v - expected[r][c]));
                    sq += (double) v * v;
                }
                maxNormDeviation = Math.max(maxNormDeviation, Math.abs(Math.sqrt(sq) - 1));
            }
            assertTrue(maxDiff <= 1e-4, "max |DJL - ONNX| " + maxDiff);
            assertTrue(maxNormDeviation <= 1e-5, "max | ||v|| - 1 | " + maxNormDeviation);
            // the images differ, so must their embeddings: equal rows would pass the comparison trivially
            double rowsApart = 0;
            for (int c = 0; c < djl.dim(); c++) {
                rowsApart = Math.max(rowsApart, Math.abs(expected[0][c] - expected[1][c]));
            }
            assertTrue(rowsApart > 1e-3, "rows 0 and 1 differ by at most " + rowsApart);
        }
    }
}
