package org.supcon.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.Optional;

/**
 * An encoder with one top: a projection head (contrastive training) or a linear classifier (the
 * cross-entropy baseline). Input raw pixels {@code [N, C, H, W]}; output either {@code z} of shape
 * {@code [N, projectionDim]} with unit-norm rows, or logits {@code [N, numClasses]}.
 *
 * <p>Children are {@code "encoder"} and then {@code "head"} or {@code "classifier"} (DJL prefixes a
 * two-digit index). {@link #embed} gives the encoder's features {@code r} of shape {@code [N,
 * featureDim]}, which is what the linear-probe stage and the exporter use.
 */
public final class SupConNet extends AbstractBlock {

    private static final byte VERSION = 1;

    private final EncoderType encoderType;
    private final int inputChannels;
    private final SequentialBlock encoder;
    private final SequentialBlock head;
    private final Linear classifier;
    private final Block top;

    private SupConNet(
            EncoderType encoderType, int inputChannels, SequentialBlock head, Linear classifier) {
        super(VERSION);
        this.encoderType = encoderType;
        this.inputChannels = inputChannels;
        this.encoder = addChildBlock("encoder", Encoders.build(encoderType, inputChannels));
        if (head != null) {
            this.head = addChildBlock("head", head);
            this.classifier = null;
            this.top = head;
        } else {
            this.head = null;
            this.classifier = addChildBlock("classifier", classifier);
            this.top = classifier;
        }
    }

    /**
     * A network for contrastive training: encoder + projection head.
     *
     * @param encoderType the encoder architecture
     * @param inputChannels 1 or 3 (selects the default normalisation)
     * @param headType MLP or linear
     * @param projectionDim the output dimension of the head (128 in the paper)
     * @return the network, forward gives {@code z} of shape {@code [N, projectionDim]}
     */
    public static SupConNet forContrastive(
            EncoderType encoderType, int inputChannels, HeadType headType, int projectionDim) {
        requireEncoder(encoderType);
        SequentialBlock head =
                ProjectionHead.build(headType, encoderType.featureDim(), projectionDim);
        return new SupConNet(encoderType, inputChannels, head, null);
    }

    /**
     * A network for the cross-entropy baseline: encoder + linear classifier.
     *
     * @param encoderType the encoder architecture
     * @param inputChannels 1 or 3 (selects the default normalisation)
     * @param numClasses the number of classes
     * @return the network, forward gives logits of shape {@code [N, numClasses]}
     */
    public static SupConNet forCrossEntropy(
            EncoderType encoderType, int inputChannels, int numClasses) {
        requireEncoder(encoderType);
        return new SupConNet(
                encoderType, inputChannels, null, ClassifierHead.build(numClasses));
    }

    private static void requireEncoder(EncoderType encoderType) {
        if (encoderType == null) {
            throw new IllegalArgumentException("encoder type must be given");
        }
    }

    /**
     * The encoder: {@code [N, C, H, W] -> [N, featureDim]}.
     *
     * @return the encoder block
     */
    public SequentialBlock encoder() {
        return encoder;
    }

    /**
     * The projection head of a contrastive network.
     *
     * @return the head, empty for a cross-entropy network
     */
    public Optional<SequentialBlock> head() {
        return Optional.ofNullable(head);
    }

    /**
     * The classifier of a cross-entropy network.
     *
     * @return the classifier, empty for a contrastive network
     */
    public Optional<Linear> classifier() {
        return Optional.ofNullable(classifier);
    }

    /**
     * The encoder architecture.
     *
     * @return the encoder type
     */
    public EncoderType encoderType() {
        return encoderType;
    }

    /**
     * The input channel count.
     *
     * @return 1 or 3
     */
    public int inputChannels() {
        return inputChannels;
    }

    /**
     * The encoder's feature dimension.
     *
     * @return {@code encoderType().featureDim()}
     */
    public int featureDim() {
        return encoderType.featureDim();
    }

    /**
     * Runs the encoder only.
     *
     * @param parameterStore the parameter store
     * @param x raw pixels {@code [N, C, H, W]}
     * @param training whether batch norm uses (and updates) batch statistics
     * @return the features {@code r} of shape {@code [N, featureDim]}
     */
    public NDArray embed(ParameterStore parameterStore, NDArray x, boolean training) {
        return encoder.forward(parameterStore, new NDList(x), training).singletonOrThrow();
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        NDList features = encoder.forward(parameterStore, inputs, training);
        return top.forward(parameterStore, features, training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return top.getOutputShapes(encoder.getOutputShapes(inputShapes));
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        encoder.initialize(manager, dataType, inputShapes);
        top.initialize(manager, dataType, encoder.getOutputShapes(inputShapes));
    }

    @Override
    public String toString() {
        String topName = head != null ? "head=" + head : "classifier=" + classifier;
        return "SupConNet(encoder=" + encoderType + ", channels=" + inputChannels + ", " + topName
                + ")";
    }
}
