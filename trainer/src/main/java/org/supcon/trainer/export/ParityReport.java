package org.supcon.trainer.export;

import java.util.List;

/**
 * The outcome of comparing a DJL network with its ONNX export on the same images ({@link
 * ParityCheck}).
 *
 * @param images distinct images compared
 * @param rowsCompared rows compared over all runs (the first image is also run alone)
 * @param batchSizes the batch sizes the ONNX model was run at, e.g. {@code [1, 64]}
 * @param maxEmbeddingDiff max |DJL - ONNX| over all embedding elements
 * @param maxLogitDiff max |DJL - ONNX| over all logits
 * @param maxProbabilityDiff max |softmax(DJL logits) - ONNX probabilities|
 * @param argmaxDisagreements rows whose predicted class differs
 * @param maxNormDeviation max over rows of | ||ONNX embedding||_2 - 1 |
 * @param tolerance the absolute tolerance every maximum is held to
 * @param passed whether every check held
 * @param message what failed, with the numbers; or a one-line summary when all passed
 */
public record ParityReport(
        int images,
        int rowsCompared,
        List<Integer> batchSizes,
        double maxEmbeddingDiff,
        double maxLogitDiff,
        double maxProbabilityDiff,
        int argmaxDisagreements,
        double maxNormDeviation,
        double tolerance,
        boolean passed,
        String message) {

    /** Copies the batch sizes. */
    public ParityReport {
        batchSizes = List.copyOf(batchSizes);
    }

    /**
     * The fraction of rows with the same predicted class.
     *
     * @return 1.0 when all agree
     */
    public double argmaxAgreement() {
        return rowsCompared == 0 ? 1.0 : 1.0 - (double) argmaxDisagreements / rowsCompared;
    }
}
