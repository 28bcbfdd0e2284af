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
import org.supcon.trainer.model.EncoderType;
import org.supcon.trainer.model.HeadType;

class TrainingRunTest {

    private static TrainSettings settings(Method method, int epochs, Path out) {
        return new TrainSettings("synthetic", method, EncoderType.SMALL_RESNET, HeadType.MLP, 32, epochs, 32, 2,
                0.05, 0.9, 1e-4, 0.5, 0.1, 0.07, 3L, 0, 0.0, 0.5, 20, 0.1, 1, 1, out);
    }

    private static TrainingRun.Data data() {
        return new TrainingRun.Data(SyntheticImages.make(32, 1), SyntheticImages.make(4, 2).head(0),
                SyntheticImages.make(20, 3), "synthetic bands");
    }

    @Test
    void supconSeparatesSeparableClasses(@TempDir Path dir) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            TrainResult r = new TrainingRun(settings(Method.SUPCON, 4, dir), data(), null).run(m, null);
            assertTrue(r.testAccuracy() >= 0.9, "test accuracy " + r.testAccuracy());
            assertTrue(r.history().get(3).loss() < r.history().get(0).loss(), "loss did not fall: " + r.history());
            assertEquals(60, r.testImages());
        }
    }

    @Test
    void crossEntropyBaselineSeparatesThemToo(@TempDir Path dir) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            TrainResult r = new TrainingRun(settings(Method.CE, 4, dir), data(), null).run(m, null);
            assertTrue(r.testAccuracy() >= 0.9, "test accuracy " + r.testAccuracy());
        }
    }

    @Test
    void resumedRunEndsWithTheSameWeightsAsAnUninterruptedOne(@TempDir Path dir) throws Exception {
        List<float[]> straight = new ArrayList<>();
        List<float[]> resumed = new ArrayList<>();
        try (NDManager m = NDManager.newBaseManager()) {
            new TrainingRun(settings(Method.SUPCON, 3, dir.resolve("a")), data(), null)
                    .run(m, t -> straight.addAll(weights(t)));
        }
        try (NDManager m = NDManager.newBaseManager()) {
            // "killed" after the first epoch: only the checkpoint survives
            assertNull(new TrainingRun(settings(Method.SUPCON, 3, dir.resolve("b")), data(), null)
                    .stopAfterEpochs(1).run(m, t -> resumed.add(new float[] {-1})));
        }
        assertTrue(resumed.isEmpty());
        try (NDManager m = NDManager.newBaseManager()) {
            TrainResult r = new TrainingRun(settings(Method.SUPCON, 3, dir.resolve("b")), data(), null)
                    .run(m, t -> resumed.addAll(weights(t)));
            assertEquals(1, r.resumedFromEpoch());
            assertEquals(3, r.history().size());
        }
        assertEquals(straight.size(), resumed.size());
        for (int i = 0; i < straight.size(); i++) {
            assertArrayEquals(straight.get(i), resumed.get(i), 1e-6f, "parameter " + i);
        }
    }

    @Test
    void stopRequestEndsTheRunAtTheNextStepAndKeepsTheLastCheckpoint(@TempDir Path dir) throws Exception {
        int[] steps = new int[1];
        boolean[] stop = new boolean[1];
        ProgressListener listener = new ProgressListener() {
            @Override
            public void onStep(int epoch, int epochs, int step, int stepsPerEpoch, double loss, double lr, double ips, double eta) {
                steps[0]++;
            }

            @Override
            public void onEpoch(EpochStats stats, int epochs) {
                stop[0] = true; // asked for right after the first epoch's checkpoint
            }
        };
        try (NDManager m = NDManager.newBaseManager()) {
            TrainingRun.RunStoppedException e = assertThrows(TrainingRun.RunStoppedException.class,
                    () -> new TrainingRun(settings(Method.SUPCON, 3, dir), data(), listener).stopWhen(() -> stop[0]).run(m, null));
            assertTrue(e.getMessage().contains("epoch 2 step 1"), e.getMessage());
        }
        assertEquals(3, steps[0], "one epoch of 96 images in batches of 32, then no further step");
        try (NDManager m = NDManager.newBaseManager()) {
            TrainResult r = new TrainingRun(settings(Method.SUPCON, 3, dir), data(), null).run(m, null);
            assertEquals(1, r.resumedFromEpoch());
        }
    }

    @Test
    void checkpointFromOtherSettingsIsRefused(@TempDir Path dir) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            new TrainingRun(settings(Method.SUPCON, 2, dir), data(), null).stopAfterEpochs(1).run(m, null);
        }
        try (NDManager m = NDManager.newBaseManager()) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> new TrainingRun(settings(Method.SUPCON, 3, dir), data(), null).run(m, null));
            assertTrue(e.getMessage().contains("epochs: 2 -> 3"), e.getMessage());
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
