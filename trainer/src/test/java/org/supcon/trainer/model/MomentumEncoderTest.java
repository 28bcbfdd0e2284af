package org.supcon.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MomentumEncoderTest {

    private static final Shape INPUT = new Shape(1, 1, 28, 28);

    private static SupConNet net(NDManager m, int seed) {
        Engine.getInstance().setRandomSeed(seed);
        SupConNet net = SupConNet.forContrastive(EncoderType.SMALL_RESNET, 1, HeadType.MLP, 16);
        net.initialize(m, DataType.FLOAT32, INPUT);
        return net;
    }

    /** A momentum encoder of {@code query}'s architecture, started from its weights. */
    private static MomentumEncoder keyOf(SupConNet query, double momentum, NDManager m) {
        MomentumEncoder key = new MomentumEncoder(SupConNet.forContrastive(EncoderType.SMALL_RESNET, 1, HeadType.MLP, 16), momentum);
        key.initializeFrom(query, m, INPUT);
        return key;
    }

    private static List<float[]> weights(List<Parameter> params) {
        List<float[]> out = new ArrayList<>();
        for (Parameter p : params) {
            out.add(p.getArray().toFloatArray());
        }
        return out;
    }

    private static List<Parameter> params(SupConNet net) {
        List<Parameter> out = new ArrayList<>();
        net.getParameters().forEach(p -> out.add(p.getValue()));
        return out;
    }

    @Test
    void startsAsACopyAndFollowsTheMovingAverage() {
        try (NDManager m = NDManager.newBaseManager()) {
            SupConNet query = net(m, 1);
            MomentumEncoder key = keyOf(query, 0.75, m);
            List<float[]> q0 = weights(params(query));
            List<float[]> k0 = weights(key.parameters());
            for (int i = 0; i < q0.size(); i++) {
                assertArrayEquals(q0.get(i), k0.get(i), 0f, "parameter " + i + " not copied");
            }
            // the trained network moves: every weight + 1 (first) then * 2 (second)
            for (Parameter p : params(query)) {
                p.getArray().addi(1f);
            }
            key.update(query);
            List<float[]> k1 = weights(key.parameters());
            for (int i = 0; i < q0.size(); i++) {
                float[] expected = new float[q0.get(i).length];
                for (int j = 0; j < expected.length; j++) {
                    expected[j] = 0.75f * k0.get(i)[j] + 0.25f * (q0.get(i)[j] + 1f);
                }
                assertArrayEquals(expected, k1.get(i), 1e-6f, "parameter " + i);
            }
        }
    }

    @Test
    void momentumZeroCopiesTheTrainedNetwork() {
        try (NDManager m = NDManager.newBaseManager()) {
            SupConNet query = net(m, 2);
            MomentumEncoder key = keyOf(query, 0, m);
            for (Parameter p : params(query)) {
                p.getArray().muli(3f);
            }
            key.update(query);
            List<float[]> q = weights(params(query));
            List<float[]> k = weights(key.parameters());
            for (int i = 0; i < q.size(); i++) {
                assertArrayEquals(q.get(i), k.get(i), 1e-6f);
            }
        }
    }

    /** Same weights, same input, training mode: the keys are the trained network's projections, without gradient. */
    @Test
    void keysEqualTheTrainedNetworksOutputAndCarryNoGradient() {
        try (NDManager m = NDManager.newBaseManager()) {
            SupConNet query = net(m, 3);
            MomentumEncoder key = keyOf(query, 0.99, m);
            NDArray x = m.randomUniform(0, 255, new Shape(8, 1, 28, 28));
            ParameterStore ps = new ParameterStore(m, false);
            NDArray k = key.forward(ps, new NDList(x), true).singletonOrThrow();
            NDArray q = query.forward(ps, new NDList(x), true).singletonOrThrow();
            assertEquals(new Shape(8, 16), k.getShape());
            assertArrayEquals(q.toFloatArray(), k.toFloatArray(), 1e-5f);
            assertFalse(k.hasGradient(), "keys must not carry a gradient");
        }
    }

    @Test
    void otherArchitecturesAndBadMomentumAreRefused() {
        try (NDManager m = NDManager.newBaseManager()) {
            SupConNet query = net(m, 4);
            MomentumEncoder wide = new MomentumEncoder(SupConNet.forContrastive(EncoderType.SMALL_RESNET, 1, HeadType.MLP, 32), 0.9);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> wide.initializeFrom(query, m, INPUT));
            assertTrue(e.getMessage().contains("shape"), e.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> new MomentumEncoder(SupConNet.forContrastive(EncoderType.SMALL_RESNET, 1, HeadType.MLP, 16), 1.0));
        }
    }
}
