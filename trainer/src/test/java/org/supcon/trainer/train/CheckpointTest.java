package org.supcon.trainer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.supcon.trainer.model.EncoderType;
import org.supcon.trainer.model.HeadType;
import org.supcon.trainer.model.SupConNet;

class CheckpointTest {

    private static SupConNet net(NDManager m, int seed) {
        ai.djl.engine.Engine.getInstance().setRandomSeed(seed);
        SupConNet net = SupConNet.forContrastive(EncoderType.SMALL_RESNET, 1, HeadType.LINEAR, 8);
        net.initialize(m, DataType.FLOAT32, new Shape(1, 1, 8, 8));
        return net;
    }

    /** Every parameter (BatchNorm running statistics included), concatenated. */
    private static float[] first(SupConNet net) {
        java.util.List<Float> all = new java.util.ArrayList<>();
        for (Pair<String, Parameter> p : net.getParameters()) {
            for (float v : p.getValue().getArray().toFloatArray()) {
                all.add(v);
            }
        }
        float[] out = new float[all.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = all.get(i);
        }
        return out;
    }

    @Test
    void roundTripsWeightsAndState(@TempDir Path dir) throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            SupConNet a = net(m, 1);
            SupConNet b = net(m, 2);
            assertFalse(java.util.Arrays.equals(first(a), first(b)), "different seeds gave the same weights");
            Checkpoint ck = new Checkpoint(dir);
            EpochStats e = new EpochStats(1, 2.5, 0.1, 100, 0.01, 0.5, 3);
            ck.save(new Checkpoint.State(1, 17, Map.of("epochs", 3), List.of(e)), a, new SgdMomentum(m, a, 0.9, 0), m);
            Checkpoint.State s = ck.load(b, new SgdMomentum(m, b, 0.9, 0), m);
            assertArrayEquals(first(a), first(b));
            assertEquals(17, s.globalStep());
            assertEquals(List.of(e), s.history());
            assertFalse(Files.exists(dir.resolve("last.ckpt.tmp")), "temporary file left behind");
        }
    }

    @Test
    void truncatedOrForeignFileIsRefusedWithItsName(@TempDir Path dir) throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            SupConNet a = net(m, 1);
            Checkpoint ck = new Checkpoint(dir);
            ck.save(new Checkpoint.State(1, 1, Map.of(), List.of()), a, new SgdMomentum(m, a, 0.9, 0), m);
            byte[] bytes = Files.readAllBytes(ck.file());
            Files.write(ck.file(), java.util.Arrays.copyOf(bytes, bytes.length / 2));
            IOException e = assertThrows(IOException.class, () -> ck.load(a, new SgdMomentum(m, a, 0.9, 0), m));
            assertTrue(e.getMessage().contains("last.ckpt"), e.getMessage());
            Files.writeString(ck.file(), "hello");
            e = assertThrows(IOException.class, () -> ck.load(a, new SgdMomentum(m, a, 0.9, 0), m));
            assertTrue(e.getMessage().contains("not a supcon checkpoint"), e.getMessage());
        }
    }
}
