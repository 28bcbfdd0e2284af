/**
 * ONNX export of a trained network: the encoder (with its input normalisation) plus a linear
 * classifier, as one model with outputs {@code embedding}, {@code logits} and {@code
 * probabilities}; see {@link org.supcon.trainer.export.OnnxExporter} for the contract.
 *
 * <p>DJL cannot write ONNX, so the graph is built here: {@link
 * org.supcon.trainer.export.OnnxExporter} walks the block tree and refuses any block it does not
 * know ({@link org.supcon.trainer.export.UnsupportedBlockException}), {@link
 * org.supcon.trainer.export.OnnxGraphBuilder} collects nodes and weights with unique names, and
 * {@link org.supcon.trainer.export.OnnxModelWriter} encodes it with the protoc-generated messages
 * of {@code src/main/onnx-proto/onnx_subset.proto} (package {@code
 * org.supcon.trainer.export.onnx}), the subset of onnx.proto it writes. {@link org.supcon.trainer.export.ModelMetadata} holds the labels, geometry and provenance
 * written into {@code metadata_props}, and {@link org.supcon.trainer.export.ParityCheck} compares
 * the export with the DJL network in ONNX Runtime before anyone trusts it.
 */
package org.supcon.trainer.export;
