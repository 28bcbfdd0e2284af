package org.supcon.trainer.robustness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.awt.image.BufferedImage;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.supcon.common.model.OnnxContract;
import org.supcon.trainer.images.FashionMnist;
import org.supcon.trainer.images.ImageSet;

class RobustnessEvaluationTest {

    static ImageSet train;
    static ImageSet test;
    static byte[] model;
    static byte[] other;
    static final RobustnessReport.ModelRef REF = new RobustnessReport.ModelRef("centroids", "1", "mem");
    static final RobustnessReport.ModelRef OTHER_REF = new RobustnessReport.ModelRef("few-centroids", "1", "mem");
    static final RobustnessEvaluation.Options OPTIONS = new RobustnessEvaluation.Options(
            List.of(Corruption.GAUSSIAN_NOISE, Corruption.CONTRAST, Corruption.ROTATE), List.of(1, 3, 5), 7);

    @BeforeAll
    static void models() throws Exception {
        ImageSet all = FashionMnist.train(FashionMnist.defaultDirectory());
        train = all.head(6000);
        test = FashionMnist.test(FashionMnist.defaultDirectory()).head(200);
        model = CentroidModel.build(train, "centroids", "1");
        // a weaker model: class means of 100 images
        other = CentroidModel.build(all.head(100), "few-centroids", "1");
    }

    /** Accuracy of {@code onnx} on {@code set} computed directly with ONNX Runtime, in batches of 64. */
    static double directAccuracy(byte[] onnx, ImageSet set) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        int correct = 0;
        int p = set.geometry().pixels();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions(); OrtSession s = env.createSession(onnx, o)) {
            for (int start = 0; start < set.size(); start += 64) {
                int n = Math.min(64, set.size() - start);
                float[] x = new float[n * p];
                for (int i = 0; i < x.length; i++) {
                    x[i] = set.pixels()[start * p + i] & 0xFF;
                }
                try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {n, 1, 28, 28});
                        OrtSession.Result r = s.run(Map.of(OnnxContract.INPUT, in))) {
                    float[][] logits = (float[][]) r.get(OnnxContract.LOGITS).orElseThrow().getValue();
                    for (int i = 0; i < n; i++) {
                        int best = 0;
                        for (int k = 1; k < logits[i].length; k++) {
                            best = logits[i][k] > logits[i][best] ? k : best;
                        }
                        correct += best == set.label(start + i) ? 1 : 0;
                    }
                }
            }
        }
        return (double) correct / set.size();
    }

    @Test
    void accuracyIsWhatOnnxRuntimeGivesOnTheSameCorruptedImages() throws Exception {
        RobustnessReport r;
        try (OnnxClassifier c = new OnnxClassifier(model)) {
            r = RobustnessEvaluation.run(c, REF, null, null, test, "fashion-mnist test", OPTIONS,
                    RobustnessEvaluation.Progress.NONE);
        }
        assertEquals(directAccuracy(model, test), r.cleanAccuracy());
        assertTrue(r.cleanAccuracy() > 0.5, "nearest class mean on Fashion-MNIST: " + r.cleanAccuracy());
        double sum = 0;
        for (int ci = 0; ci < OPTIONS.corruptions().size(); ci++) {
            Corruption c = OPTIONS.corruptions().get(ci);
            RobustnessReport.CorruptionResult cr = r.corruptions().get(ci);
            assertEquals(c.cliName(), cr.corruption());
            for (int si = 0; si < OPTIONS.severities().size(); si++) {
                int severity = OPTIONS.severities().get(si);
                double direct = directAccuracy(model, c.apply(test, severity, OPTIONS.seed()));
                assertEquals(direct, cr.accuracy().get(si), c + " severity " + severity);
                assertEquals(c.parameters()[severity - 1], cr.parameters().get(si));
                assertEquals(1 - direct, r.error(ci, si), 1e-12);
                sum += direct;
            }
            assertNull(cr.ce());
        }
        assertEquals(sum / 9, r.meanCorruptedAccuracy(), 1e-12);
        assertNull(r.mCE());
        assertNull(r.baseline());
        // the strongest contrast loss hurts a classifier of raw pixel distances
        assertTrue(r.corruptions().get(1).accuracy().get(2) < r.cleanAccuracy(), r.toString());
    }

    @Test
    void aModelAgainstItselfHasCorruptionErrorOne() {
        RobustnessReport r;
        try (OnnxClassifier c = new OnnxClassifier(model); OnnxClassifier same = new OnnxClassifier(model)) {
            r = RobustnessEvaluation.run(c, REF, same, REF, test, "fashion-mnist test", OPTIONS,
                    RobustnessEvaluation.Progress.NONE);
        }
        int withErrors = 0;
        for (RobustnessReport.CorruptionResult cr : r.corruptions()) {
            assertEquals(cr.accuracy(), cr.baselineAccuracy());
            if (cr.accuracy().stream().anyMatch(a -> a < 1)) {
                withErrors++;
                assertEquals(1.0, cr.ce(), 1e-12, cr.corruption());
            }
        }
        assertEquals(3, withErrors);
        assertEquals(1.0, r.mCE(), 1e-12);
        assertEquals(r.cleanAccuracy(), r.baselineCleanAccuracy());
    }

    @Test
    void corruptionErrorsAgainstAnotherModelAreTheRatiosOfSummedErrors(@TempDir Path dir) throws Exception {
        RobustnessReport r;
        List<String> lines = new ArrayList<>();
        try (OnnxClassifier c = new OnnxClassifier(model); OnnxClassifier base = new OnnxClassifier(other)) {
            r = RobustnessEvaluation.run(c, REF, base, OTHER_REF, test, "fashion-mnist test", OPTIONS,
                    new RobustnessEvaluation.Progress() {
                        @Override
                        public void onCorruption(RobustnessReport.CorruptionResult cr, int done, int total) {
                            lines.add(RobustnessEvaluation.line(cr, done, total));
                        }
                    });
        }
        assertEquals(3, lines.size());
        assertTrue(lines.get(0).startsWith("corruption  1/3 gaussian-noise"), lines.get(0));
        assertEquals(directAccuracy(other, test), r.baselineCleanAccuracy());
        double ceSum = 0;
        for (RobustnessReport.CorruptionResult cr : r.corruptions()) {
            double err = 0;
            double baseErr = 0;
            double rel = 0;
            double baseRel = 0;
            for (int s = 0; s < 3; s++) {
                err += 1 - cr.accuracy().get(s);
                baseErr += 1 - cr.baselineAccuracy().get(s);
                rel += r.cleanAccuracy() - cr.accuracy().get(s);
                baseRel += r.baselineCleanAccuracy() - cr.baselineAccuracy().get(s);
            }
            assertEquals(err / baseErr, cr.ce(), 1e-12, cr.corruption());
            if (baseRel > 0) {
                assertEquals(rel / baseRel, cr.relativeCe(), 1e-9, cr.corruption());
            } else {
                assertNull(cr.relativeCe());
            }
            ceSum += cr.ce();
        }
        assertEquals(ceSum / 3, r.mCE(), 1e-12);

        Map<String, Path> files = RobustnessEvaluation.write(dir, r, test, 0, OPTIONS);
        assertEquals(List.of(RobustnessReport.FILE, RobustnessEvaluation.HEAT_MAP, CorruptionGrid.FILE),
                List.copyOf(files.keySet()));
        assertEquals(r, RobustnessReport.read(files.get(RobustnessReport.FILE)));
        BufferedImage heat = ImageIO.read(files.get(RobustnessEvaluation.HEAT_MAP).toFile());
        assertNotNull(heat);
        int[] heatSize = RobustnessPlots.size(3, true);
        assertEquals(heatSize[0], heat.getWidth());
        assertEquals(heatSize[1], heat.getHeight());
        BufferedImage grid = ImageIO.read(files.get(CorruptionGrid.FILE).toFile());
        int[] gridSize = CorruptionGrid.size(test.geometry(), 3, 3);
        assertEquals(gridSize[0], grid.getWidth());
        assertEquals(gridSize[1], grid.getHeight());
    }

    @Test
    void theReportRoundTripsWithoutABaselineAndItsHeatMapIsOnePanel(@TempDir Path dir) throws Exception {
        RobustnessEvaluation.Options one = new RobustnessEvaluation.Options(List.of(Corruption.JPEG), List.of(2), 1);
        RobustnessReport r;
        try (OnnxClassifier c = new OnnxClassifier(model)) {
            r = RobustnessEvaluation.run(c, REF, null, null, test.head(50), "head", one, RobustnessEvaluation.Progress.NONE);
        }
        Map<String, Path> files = RobustnessEvaluation.write(dir, r, test, 3, one);
        assertEquals(r, RobustnessReport.read(files.get(RobustnessReport.FILE)));
        BufferedImage heat = ImageIO.read(files.get(RobustnessEvaluation.HEAT_MAP).toFile());
        assertEquals(RobustnessPlots.size(1, false)[0], heat.getWidth());
        assertEquals(RobustnessPlots.size(1, false)[1], heat.getHeight());
    }

    @Test
    void aSetWithOtherClassesOrAnotherShapeIsRefused() {
        List<String> names = new ArrayList<>(test.labelNames());
        names.set(3, "Gown");
        ImageSet renamed = new ImageSet(test.geometry(), names, test.pixels(), test.labels());
        try (OnnxClassifier c = new OnnxClassifier(model)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RobustnessEvaluation.run(c, REF,
                    null, null, renamed, "x", OPTIONS, RobustnessEvaluation.Progress.NONE));
            assertTrue(e.getMessage().contains("Gown") && e.getMessage().contains("Dress"), e.getMessage());
            // the same classes in another order are matched by name
            List<String> reversed = new ArrayList<>(test.labelNames());
            java.util.Collections.reverse(reversed);
            int[] relabelled = new int[test.size()];
            for (int i = 0; i < relabelled.length; i++) {
                relabelled[i] = reversed.indexOf(test.labelNames().get(test.label(i)));
            }
            ImageSet reordered = new ImageSet(test.geometry(), reversed, test.pixels(), relabelled);
            assertEquals(c.accuracy(test), c.accuracy(reordered));
        }
        assertThrows(IllegalArgumentException.class, () -> new RobustnessEvaluation.Options(List.of(Corruption.JPEG),
                List.of(3, 1), 1));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> new OnnxClassifier(new byte[] {1, 2, 3}));
        assertTrue(bad.getMessage().contains("cannot load"), bad.getMessage());
    }
}
