package org.supcon.trainer.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The encoder architectures, each a ResNet with a CIFAR-style stem (3x3 convolution, stride 1, no
 * max-pool) followed by residual stages and global average pooling; see {@link Encoders}.
 */
public enum EncoderType {

    /**
     * The CPU default: stem 32, one basic block per stage at widths 32/64/128 with strides 1/2/2;
     * 128-d features, 0.31M parameters. Forward + backward of 512 images of 1x28x28 took 0.75-1.0
     * s on the 2-core machines (a first-stage stride of 2 would take about 0.33 s).
     */
    SMALL_RESNET("small-resnet", ResidualBlock.Kind.BASIC, 32, new int[] {1, 1, 1},
            new int[] {32, 64, 128}, new int[] {1, 2, 2}),

    /** ResNet-18: basic blocks [2, 2, 2, 2] at widths 64..512; 512-d features. */
    RESNET18("resnet18", ResidualBlock.Kind.BASIC, 64, new int[] {2, 2, 2, 2},
            new int[] {64, 128, 256, 512}, new int[] {1, 2, 2, 2}),

    /** ResNet-50: bottleneck blocks [3, 4, 6, 3] at widths 64..512 (x4 out); 2048-d features. */
    RESNET50("resnet50", ResidualBlock.Kind.BOTTLENECK, 64, new int[] {3, 4, 6, 3},
            new int[] {64, 128, 256, 512}, new int[] {1, 2, 2, 2});

    private final String cliName;
    private final ResidualBlock.Kind blockKind;
    private final int stemWidth;
    private final int[] blocksPerStage;
    private final int[] widths;
    private final int[] strides;

    EncoderType(
            String cliName,
            ResidualBlock.Kind blockKind,
            int stemWidth,
            int[] blocksPerStage,
            int[] widths,
            int[] strides) {
        this.cliName = cliName;
        this.blockKind = blockKind;
        this.stemWidth = stemWidth;
        this.blocksPerStage = blocksPerStage;
        this.widths = widths;
        this.strides = strides;
    }

    /**
     * Parses a command-line name.
     *
     * @param name {@code small-resnet}, {@code resnet18} or {@code resnet50} (case-insensitive)
     * @return the encoder type
     * @throws IllegalArgumentException naming the valid names when {@code name} is none of them
     */
    @JsonCreator
    public static EncoderType fromName(String name) {
        return CliNames.parse(values(), EncoderType::cliName, "encoder", name);
    }

    /**
     * The valid command-line names.
     *
     * @return the names, comma separated
     */
    public static String validNames() {
        return CliNames.join(values(), EncoderType::cliName);
    }

    /**
     * The command-line name.
     *
     * @return e.g. {@code resnet18}
     */
    @JsonValue
    public String cliName() {
        return cliName;
    }

    /**
     * The width of the pooled representation the encoder outputs.
     *
     * @return the last stage's output channels
     */
    public int featureDim() {
        return widths[widths.length - 1] * blockKind.expansion();
    }

    /**
     * The residual block design of every stage.
     *
     * @return basic or bottleneck
     */
    public ResidualBlock.Kind blockKind() {
        return blockKind;
    }

    /**
     * The output channels of the stem convolution.
     *
     * @return stem width
     */
    public int stemWidth() {
        return stemWidth;
    }

    /**
     * The number of residual blocks of each stage.
     *
     * @return a copy, one entry per stage
     */
    public int[] blocksPerStage() {
        return blocksPerStage.clone();
    }

    /**
     * The inner width of each stage's blocks.
     *
     * @return a copy, one entry per stage
     */
    public int[] widths() {
        return widths.clone();
    }

    /**
     * The stride of each stage's first block (the others have stride 1).
     *
     * @return a copy, one entry per stage
     */
    public int[] strides() {
        return strides.clone();
    }

    @Override
    public String toString() {
        return cliName;
    }
}
