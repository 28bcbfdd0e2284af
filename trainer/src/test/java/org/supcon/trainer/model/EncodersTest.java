package org.supcon.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EncodersTest {

    /** The block types an exporter has to know; anything else (e.g. LambdaBlock) is a bug. */
    static final Set<Class<?>> EXPORTABLE =
            Set.of(
                    SequentialBlock.class,
                    Conv2d.class,
                    BatchNorm.class,
                    Linear.class,
                    Normalize.class,
                    Relu.class,
                    GlobalAvgPool.class,
                    L2Normalize.class,
                    ResidualBlock.class,
                    SupConNet.class);

    static void assertOnlyExportableBlocks(Block block) {
        assertTrue(
                EXPORTABLE.contains(block.getClass()),
                "unexpected block type " + block.getClass().getName());
        for (Block child : block.getChildren().values()) {
            assertOnlyExportableBlocks(child);
        }
    }

    private static void assertEncodes(EncoderType type, long... inputShape) {
        try (NDManager manager = NDManager.newBaseManager()) {
            int channels = (int) inputShape[1];
            SequentialBlock encoder = Encoders.build(type, channels);
            NDArray x = TestBlocks.pixels(manager, inputShape);
            NDArray r = TestBlocks.initAndForward(manager, encoder, x, false);
            Shape expected = new Shape(inputShape[0], type.featureDim());
            assertEquals(expected, r.getShape(), type + " with " + channels + " channels");
            assertEquals(expected, encoder.getOutputShapes(new Shape[] {x.getShape()})[0]);
            assertFalse(r.isNaN().any().getBoolean());
        }
    }

    @Test
    void smallResnetEncodesOneAndThreeChannels() {
        assertEquals(128, EncoderType.SMALL_RESNET.featureDim());
        assertEncodes(EncoderType.SMALL_RESNET, 2, 1, 28, 28);
        assertEncodes(EncoderType.SMALL_RESNET, 2, 3, 32, 32);
    }

    @Test
    void resnet18EncodesOneAndThreeChannels() {
        assertEquals(512, EncoderType.RESNET18.featureDim());
        assertEncodes(EncoderType.RESNET18, 2, 1, 28, 28);
        assertEncodes(EncoderType.RESNET18, 2, 3, 32, 32);
    }

    @Test
    void resnet50EncodesOneAndThreeChannels() {
        assertEquals(2048, EncoderType.RESNET50.featureDim());
        assertEncodes(EncoderType.RESNET50, 1, 3, 32, 32);
        assertEncodes(EncoderType.RESNET50, 1, 1, 28, 28);
    }

    @Test
    void encoderIsNormalizeStemStagesPool() {
        SequentialBlock encoder = Encoders.build(EncoderType.RESNET18, 1);
        List<Block> blocks = encoder.getChildren().values();
        assertEquals(4 + 8 + 1, blocks.size());
        assertInstanceOf(Normalize.class, blocks.get(0));
        Conv2d stem = assertInstanceOf(Conv2d.class, blocks.get(1));
        assertEquals(new Shape(3, 3), stem.getKernelShape());
        assertEquals(new Shape(1, 1), stem.getStride());
        assertEquals(64, stem.getFilters());
        assertInstanceOf(BatchNorm.class, blocks.get(2));
        assertInstanceOf(Relu.class, blocks.get(3));
        int[] expectedStrides = {1, 1, 2, 1, 2, 1, 2, 1};
        for (int i = 0; i < 8; i++) {
            ResidualBlock b = assertInstanceOf(ResidualBlock.class, blocks.get(4 + i));
            assertEquals(ResidualBlock.Kind.BASIC, b.kind());
            assertEquals(expectedStrides[i], b.stride(), "block " + i);
        }
        assertInstanceOf(GlobalAvgPool.class, blocks.get(12));
        for (EncoderType type : EncoderType.values()) {
            assertOnlyExportableBlocks(Encoders.build(type, 3));
        }
    }

    /** Learnable scalars of a CIFAR ResNet-18 without its fc layer, from the architecture. */
    private static long resnet18ParameterCount(int inputChannels) {
        long count = conv(inputChannels, 64, 3) + bn(64);
        int in = 64;
        int[] widths = {64, 128, 256, 512};
        int[] strides = {1, 2, 2, 2};
        for (int stage = 0; stage < 4; stage++) {
            for (int b = 0; b < 2; b++) {
                int w = widths[stage];
                int stride = b == 0 ? strides[stage] : 1;
                count += conv(in, w, 3) + bn(w) + conv(w, w, 3) + bn(w);
                if (stride != 1 || in != w) {
                    count += conv(in, w, 1) + bn(w);
                }
                in = w;
            }
        }
        return count;
    }

    private static long conv(int in, int out, int k) {
        return (long) in * out * k * k;
    }

    private static long bn(int channels) {
        return 2L * channels;
    }

    @Test
    void resnet18HasTheCifarResnet18ParameterCount() {
        try (NDManager manager = NDManager.newBaseManager()) {
            SequentialBlock encoder = Encoders.build(EncoderType.RESNET18, 3);
            encoder.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 32, 32));
            long expected = resnet18ParameterCount(3);
            assertEquals(expected, TestBlocks.trainableParameterCount(encoder));
            // Published CIFAR ResNet-18 (kuangliu): 11,173,962 with a 512x10 fc (5,130).
            assertEquals(11_173_962L - 5_130L, expected);
        }
    }

    @Test
    void convolutionsAreKaimingFanOutAndBatchNormStartsAsIdentity() {
        try (NDManager manager = NDManager.newBaseManager()) {
            SequentialBlock encoder = Encoders.build(EncoderType.RESNET18, 3);
            encoder.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 32, 32));
            // First block of the last stage: conv1 is 256 -> 512, 3x3, so fan_out = 2 * fan_in.
            ResidualBlock last = (ResidualBlock) encoder.getChildren().values().get(10);
            NDArray w = last.conv1().getParameters().get("weight").getArray();
            assertEquals(new Shape(512, 256, 3, 3), w.getShape());
            double expectedStd = Math.sqrt(2.0 / (512 * 9));
            double std = Math.sqrt(w.square().mean().getFloat());
            assertEquals(expectedStd, std, 0.02 * expectedStd);
            NDArray stem = ((Conv2d) encoder.getChildren().values().get(1))
                    .getParameters().get("weight").getArray(); // 64x3x3x3: fan_in 27, fan_out 576
            double stemStd = Math.sqrt(stem.square().mean().getFloat());
            assertEquals(Math.sqrt(2.0 / 576), stemStd, 0.15 * Math.sqrt(2.0 / 576));
            for (Parameter p : last.bn1().getParameters().values()) {
                float[] values = p.getArray().toFloatArray();
                float want = switch (p.getType()) {
                    case GAMMA, RUNNING_VAR -> 1f;
                    default -> 0f;
                };
                for (float v : values) {
                    assertEquals(want, v, p.getName());
                }
            }
        }
    }

    @Test
    void rejectsChannelCountWithoutDefaultStatisticsAndMismatchedInput() {
        assertThrows(
                IllegalArgumentException.class, () -> Encoders.build(EncoderType.SMALL_RESNET, 2));
        try (NDManager manager = NDManager.newBaseManager()) {
            SequentialBlock encoder = Encoders.build(EncoderType.SMALL_RESNET, 1);
            NDArray rgb = TestBlocks.pixels(manager, 2, 3, 28, 28);
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> TestBlocks.initAndForward(manager, encoder, rgb, false));
            assertTrue(e.getMessage().contains("[N, 1, H, W]"), e.getMessage());
        }
    }

    @Test
    void explicitNormalizeSetsAnyChannelCount() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Normalize two = Normalize.builder().setMean(0.5f, 0.5f).setStd(0.25f, 0.25f).build();
            SequentialBlock encoder = Encoders.build(EncoderType.SMALL_RESNET, two);
            NDArray r = TestBlocks.initAndForward(
                    manager, encoder, TestBlocks.pixels(manager, 2, 2, 16, 16), false);
            assertEquals(new Shape(2, 128), r.getShape());
        }
    }
}
