package org.supcon.trainer.model;

import ai.djl.nn.SequentialBlock;

/** Builds the encoders named by {@link EncoderType}. */
public final class Encoders {

    private Encoders() {}

    /**
     * Builds an encoder with the default normalisation for the channel count ({@link
     * Normalize#forChannels(int)}).
     *
     * @param type the architecture
     * @param inputChannels 1 (Fashion-MNIST statistics) or 3 (CIFAR-10 statistics)
     * @return the encoder, raw pixels {@code [N, inputChannels, H, W]} to {@code [N,
     *     type.featureDim()]}
     */
    public static SequentialBlock build(EncoderType type, int inputChannels) {
        return build(type, Normalize.forChannels(inputChannels));
    }

    /**
     * Builds an encoder as a flat sequence: {@link Normalize}, stem {@code Conv2d} (3x3, stride
     * 1), {@code BatchNorm}, {@link Relu}, the {@link ResidualBlock}s of every stage in order,
     * {@link GlobalAvgPool}.
     *
     * <p>Normalisation is inside the encoder so that the trained (and exported) model takes raw
     * pixels and no caller can forget or duplicate it.
     *
     * @param type the architecture
     * @param normalize the input normalisation; its channel count is the encoder's
     * @return the encoder, raw pixels {@code [N, normalize.channels(), H, W]} to {@code [N,
     *     type.featureDim()]}
     */
    public static SequentialBlock build(EncoderType type, Normalize normalize) {
        SequentialBlock encoder = new SequentialBlock();
        encoder.add(normalize);
        encoder.add(Layers.conv(3, type.stemWidth(), 1));
        encoder.add(Layers.batchNorm());
        encoder.add(new Relu());
        int channels = type.stemWidth();
        int[] blocks = type.blocksPerStage();
        int[] widths = type.widths();
        int[] strides = type.strides();
        for (int stage = 0; stage < blocks.length; stage++) {
            for (int b = 0; b < blocks[stage]; b++) {
                ResidualBlock block =
                        ResidualBlock.builder()
                                .setKind(type.blockKind())
                                .setInChannels(channels)
                                .setWidth(widths[stage])
                                .optStride(b == 0 ? strides[stage] : 1)
                                .build();
                encoder.add(block);
                channels = block.outChannels();
            }
        }
        encoder.add(new GlobalAvgPool());
        return encoder;
    }
}
