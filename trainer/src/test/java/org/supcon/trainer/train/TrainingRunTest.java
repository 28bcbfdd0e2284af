package org.supcon.trainer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.supcon.trainer.loss.Method;
import org.supcon.trainer.settings.RunSettings;
import org.supcon.trainer.settings.TestSettings;

class TrainingRunTest {

    private static RunSettings settings(Method method, int epochs) {
        return settings(method, epochs, 0);
    }

    private static RunSettings settings(Method method, int epochs, int queueSize) {
        return TestSettings.of("queueSize", queueSize, "queueMomentum", 0.9, "method", method.cliName(), "encoder", "small-resnet", "head", "mlp", "projectionDim", 32,
                "epochs", epochs, "batchSize", 32, "views", 2, "learningRate", 0.05, "momentum", 0.9, "weightDecay", 1e-4,
                "warmupEpochs", 0.5, "temperature", 0.1, "baseTemperature", 0.07, "seed", 3, "limit", 0,
                "validationFraction", 0.0, "minCropScale", 0.5, "linearEpochs", 20, "linearLearningRate", 0.1,
                "evalEvery", 1, "loaderWorkers", 1);
    }

    private static TrainingRun run(Method method, int epochs, Path out, ProgressListener listener) {
        return new TrainingRun(settings(method, epochs), data(), out, listener);
    }

    private static TrainingRun.Data data() {
        return new TrainingRun.Data(SyntheticImages.make(32, 1), SyntheticImages.make(4, 2).head(0),
                SyntheticImages.make(20, 3), "synthetic", "synthetic bands");
    }

    @Test
    void supconSeparatesSeparableClasses(@TempDir Path dir) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            TrainResult r = run(Method.SUPCON, 4, dir, null).run(m).result();
            assertTrue(r.testAccuracy() >= 0.9, "test accuracy " + r.testAccuracy());
            assertTrue(r.history().get(3).loss() < r.history().get(0).loss(), "loss did not fall: " + r.history());
            assertEquals(60, r.testImages());
        }
    }

    @Test
    void crossEntropyBaselineSeparatesThemToo(@TempDir Path dir) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            TrainResult r = run(Method.CE, 4, dir, null).run(m).result();
            assertTrue(r.testAccuracy() >= 0.9, "test accuracy " + r.testAccuracy());
        }
    }

    @Test
    void resumedRunEndsWithTheSameWeightsAsAnUninterruptedOne(@TempDir Path dir) throws Exception {
        List<float[]> straight = new ArrayList<>();
        List<float[]> resumed = new ArrayList<>();
        try (NDManager m = NDManager.newBaseManager()) {
            straight.addAll(weights(run(Method.SUPCON, 3, dir.resolve("a"), null).run(m)));
        }
        try (NDManager m = NDManager.newBaseManager()) {
            // "killed" after the first epoch: only the checkpoint survives
            assertNull(run(Method.SUPCON, 3, dir.resolve("b"), null).stopAfterEpochs(1).run(m));
        }
        try (NDManager m = NDManager.newBaseManager()) {
            TrainingRun.Trained t = run(Method.SUPCON, 3, dir.resolve("b"), null).run(m);
            resumed.addAll(weights(t));
            TrainResult r = t.result();
            assertEquals(1, r.resumedFromEpoch());
            assertEquals(3, r.history().size());
        }
        assertEquals(straight.size(), resumed.size());
        for (int i = 0; i < straight.size(); i++) {
            assertArrayEquals(straight.get(i), resumed.get(i), 1e-6f, "parameter " + i);
        }
    }

    /**
     * With a queue of 100 (3 steps of 64 keys per epoch, so it wraps within an epoch), a run killed
     * after epoch 1 and resumed ends with the uninterrupted run's weights: the momentum encoder and
     * the queue came back from the checkpoint (without them, epochs 2-3 would see other
     * negatives). And the queue changes training: the weights differ from a run without one.
     */
    @Test
    void queueRunResumesExactlyAndDiffersFromAPlainRun(@TempDir Path dir) throws Exception {
        List<float[]> straight;
        List<float[]> resumed;
        List<float[]> plain;
        try (NDManager m = NDManager.newBaseManager()) {
            straight = weights(new TrainingRun(settings(Method.SUPCON, 3, 100), data(), dir.resolve("a"), null).run(m));
        }
        try (NDManager m = NDManager.newBaseManager()) {
            assertNull(new TrainingRun(settings(Method.SUPCON, 3, 100), data(), dir.resolve("b"), null).stopAfterEpochs(1).run(m));
        }
        try (NDManager m = NDManager.newBaseManager()) {
            TrainingRun.Trained t = new TrainingRun(settings(Method.SUPCON, 3, 100), data(), dir.resolve("b"), null).run(m);
            assertEquals(1, t.result().resumedFromEpoch());
            resumed = weights(t);
        }
        try (NDManager m = NDManager.newBaseManager()) {
            plain = weights(run(Method.SUPCON, 3, dir.resolve("c"), null).run(m));
        }
        assertEquals(straight.size(), plain.size(), "the queue must not change the trained (exported) network");
        for (int i = 0; i < straight.size(); i++) {
            assertArrayEquals(straight.get(i), resumed.get(i), 1e-6f, "parameter " + i);
        }
        double difference = 0;
        for (int i = 0; i < straight.size(); i++) {
            for (int j = 0; j < straight.get(i).length; j++) {
                difference = Math.max(difference, Math.abs(straight.get(i)[j] - plain.get(i)[j]));
            }
        }
        assertTrue(difference > 1e-4, "a queue of 100 left the weights as without one (max difference " + difference + ")");
    }

    @Test
    void stopRequestEndsTheRunAtTheNextStepAndKeepsTheLastCheckpoint(@TempDir Path dir) throws Exception {
        int[] steps = new int[1];
        boolean[] stop = new boolean[1];
        ProgressListener listener = new ProgressListener() {
            @Override
            public void onStep(Step step) {
                steps[0]++;
            }

            @Override
            public void onEpoch(EpochStats stats, int epochs) {
                stop[0] = true; // asked for right after the first epoch's checkpoint
            }
        };
        try (NDManager m = NDManager.newBaseManager()) {
            TrainingRun.RunStoppedException e = assertThrows(TrainingRun.RunStoppedException.class,
                    () -> run(Method.SUPCON, 3, dir, listener).stopWhen(() -> stop[0]).run(m));
            assertTrue(e.getMessage().contains("epoch 2 step 1"), e.getMessage());
        }
        assertEquals(3, steps[0], "one epoch of 96 images in batches of 32, then no further step");
        try (NDManager m = NDManager.newBaseManager()) {
            TrainResult r = run(Method.SUPCON, 3, dir, null).run(m).result();
            assertEquals(1, r.resumedFromEpoch());
        }
    }

    @Test
    void checkpointFromOtherSettingsIsRefused(@TempDir Path dir) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            run(Method.SUPCON, 2, dir, null).stopAfterEpochs(1).run(m);
        }
        try (NDManager m = NDManager.newBaseManager()) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> run(Method.SUPCON, 3, dir, null).run(m));
            assertTrue(e.getMessage().contains("epochs: 2 -> 3"), e.getMessage());
            // a queue changes the weights: a checkpoint without one is not resumed with one
            IllegalStateException queued = assertThrows(IllegalStateException.class,
                    () -> new TrainingRun(settings(Method.SUPCON, 2, 100), data(), dir, null).run(m));
            assertTrue(queued.getMessage().contains("queueSize: null -> 100"), queued.getMessage());
        }
    }

    private static List<float[]> weights(TrainingRun.Trained t) {
        List<float[]> out = new ArrayList<>();
        for (Pair<String, Parameter> p : t.net().getParameters()) {
            out.add(p.getValue().getArray().toFloatArray());
        }
        return out;
    }
}
