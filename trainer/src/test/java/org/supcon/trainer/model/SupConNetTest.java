package org.supcon.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.List;
import org.junit.jupiter.api.Test;

class SupConNetTest {

    @Test
    void contrastiveNetGivesUnitNormProjectionsAndRawFeatures() {
        try (NDManager manager = NDManager.newBaseManager()) {
            SupConNet net =
                    SupConNet.forContrastive(EncoderType.SMALL_RESNET, 1, HeadType.MLP, 64);
            Shape in = new Shape(2, 1, 28, 28);
            net.initialize(manager, DataType.FLOAT32, in);
            assertEquals(new Shape(2, 64), net.getOutputShapes(new Shape[] {in})[0]);
            NDArray x = TestBlocks.pixels(manager, 2, 1, 28, 28);
            NDArray z = TestBlocks.forward(manager, net, x, true);
            assertEquals(new Shape(2, 64), z.getShape());
            for (float n : z.norm(new int[] {1}).toFloatArray()) {
                assertEquals(1f, n, 1e-5f);
            }
            NDArray r = net.embed(new ParameterStore(manager, false), x, false);
            assertEquals(new Shape(2, 128), r.getShape());
            assertEquals(128, net.featureDim());
            assertTrue(net.head().isPresent());
            assertTrue(net.classifier().isEmpty());
            assertEquals(List.of("01encoder", "02head"), net.getChildren().keys());
            EncodersTest.assertOnlyExportableBlocks(net);
        }
    }

    @Test
    void crossEntropyNetGivesLogits() {
        try (NDManager manager = NDManager.newBaseManager()) {
            SupConNet net = SupConNet.forCrossEntropy(EncoderType.SMALL_RESNET, 3, 10);
            NDArray logits = TestBlocks.initAndForward(
                    manager, net, TestBlocks.pixels(manager, 2, 3, 32, 32), false);
            assertEquals(new Shape(2, 10), logits.getShape());
            assertTrue(net.head().isEmpty());
            assertEquals(List.of("01encoder", "02classifier"), net.getChildren().keys());
            // Linear(128, 10) on top of the encoder.
            long encoderParams = TestBlocks.trainableParameterCount(net.encoder());
            assertEquals(
                    encoderParams + 128 * 10 + 10, TestBlocks.trainableParameterCount(net));
        }
        assertThrows(
                IllegalArgumentException.class,
                () -> SupConNet.forCrossEntropy(EncoderType.SMALL_RESNET, 1, 1));
    }

    @Test
    void trainerStepChangesConvolutionWeights() {
        try (Model model = Model.newInstance("supcon-net-test")) {
            SupConNet net = SupConNet.forCrossEntropy(EncoderType.SMALL_RESNET, 1, 10);
            model.setBlock(net);
            DefaultTrainingConfig config =
                    new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                            .optOptimizer(
                                    Optimizer.sgd()
                                            .setLearningRateTracker(Tracker.fixed(0.1f))
                                            .build());
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(4, 1, 28, 28));
                Conv2d stem = (Conv2d) net.encoder().getChildren().values().get(1);
                NDArray weight = stem.getParameters().get("weight").getArray();
                NDArray before = weight.duplicate();
                NDManager manager = trainer.getManager();
                NDArray x = TestBlocks.pixels(manager, 4, 1, 28, 28);
                NDArray labels = manager.create(new float[] {0, 1, 2, 3});
                try (GradientCollector gc = trainer.newGradientCollector()) {
                    NDArray logits = trainer.forward(new NDList(x)).singletonOrThrow();
                    NDArray loss =
                            trainer.getLoss().evaluate(new NDList(labels), new NDList(logits));
                    gc.backward(loss);
                }
                trainer.step();
                assertFalse(before.allClose(weight), "stem convolution did not move");
                assertFalse(weight.isNaN().any().getBoolean());
            }
        }
    }

    @Test
    void contrastiveGradientReachesEncoderAndHead() {
        try (NDManager manager = NDManager.newBaseManager()) {
            SupConNet net =
                    SupConNet.forContrastive(EncoderType.SMALL_RESNET, 1, HeadType.MLP, 16);
            net.initialize(manager, DataType.FLOAT32, new Shape(4, 1, 28, 28));
            NDArray x = TestBlocks.pixels(manager, 4, 1, 28, 28);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray z = TestBlocks.forward(manager, net, x, true);
                // Pull the first two samples together: any loss on z is enough here.
                gc.backward(z.get(0).mul(z.get(1)).sum().neg());
            }
            Conv2d stem = (Conv2d) net.encoder().getChildren().values().get(1);
            Linear first = (Linear) net.head().orElseThrow().getChildren().values().get(0);
            List<Parameter> weights =
                    List.of(
                            stem.getParameters().get("weight"),
                            first.getParameters().get("weight"));
            for (Parameter p : weights) {
                NDArray grad = p.getArray().getGradient();
                assertTrue(grad.abs().sum().getFloat() > 0, "no gradient on " + p.getName());
                assertFalse(grad.isNaN().any().getBoolean());
            }
        }
    }
}
