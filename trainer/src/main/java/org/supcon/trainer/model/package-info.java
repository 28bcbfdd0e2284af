/**
 * The networks: encoders (a small ResNet, CIFAR-stem ResNet-18 and ResNet-50), the projection
 * head, the SupCon network that joins them, and the linear classifier.
 *
 * <p>Tensor layout is NCHW throughout. Encoders take raw pixel values 0..255 as float {@code [N, C,
 * H, W]} and return features {@code [N, featureDim]}; normalisation is the first block of every
 * encoder, so the exported graph takes raw pixels too.
 *
 * <p><b>Block vocabulary, kept closed on purpose.</b> An ONNX exporter walks these block trees and
 * must recognise every node. So every block here is either a stock DJL parameter block ({@link
 * ai.djl.nn.convolutional.Conv2d}, {@link ai.djl.nn.norm.BatchNorm}, {@link ai.djl.nn.core.Linear},
 * {@link ai.djl.nn.SequentialBlock}) or one of the small named classes of this package ({@link
 * org.supcon.trainer.model.Normalize}, {@link org.supcon.trainer.model.Relu}, {@link
 * org.supcon.trainer.model.GlobalAvgPool}, {@link org.supcon.trainer.model.L2Normalize}, {@link
 * org.supcon.trainer.model.ResidualBlock}, {@link org.supcon.trainer.model.SupConNet}), each of
 * which exposes its children and constants through getters and documents its exact dataflow. No
 * {@code LambdaBlock}, no {@code Activation.reluBlock()}, no {@code Blocks.batchFlattenBlock()}:
 * those are opaque functions an exporter cannot translate. Adding a new block type here means
 * teaching the exporter about it.
 *
 * <p>Convolutions have no bias and are followed by batch norm; the batch-norm constants are
 * {@link org.supcon.trainer.model.Layers#BN_EPSILON} and {@link
 * org.supcon.trainer.model.Layers#BN_MOMENTUM} (DJL's {@code BatchNorm} has no getters for them).
 */
package org.supcon.trainer.model;
