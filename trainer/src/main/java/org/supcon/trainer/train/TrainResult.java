package org.supcon.trainer.train;

import java.util.List;
import java.util.Map;

/**
 * What a finished run reports; written as {@code summary.json}.
 *
 * @param testAccuracy accuracy on the test set of the final model (linear classifier on the
 *     frozen encoder for contrastive methods, the network's own classifier for ce), as a fraction;
 *     the final epoch's, never the best over epochs
 * @param validationAccuracy the same classifier on the held-out validation split
 * @param imagesPerSecond first-stage training throughput, original images per second, median
 *     over the epochs of this process
 * @param dataWaitShare share of first-stage wall time the training thread waited for batches
 * @param wallSeconds whole run, data loading to summary
 * @param trainSeconds first stage only (this process)
 */
public record TrainResult(
        String method,
        String encoder,
        int epochs,
        double testAccuracy,
        double validationAccuracy,
        double imagesPerSecond,
        double dataWaitShare,
        double wallSeconds,
        double trainSeconds,
        double linearSeconds,
        int trainImages,
        int validationImages,
        int testImages,
        int resumedFromEpoch,
        long parameters,
        List<String> labels,
        int[][] confusionMatrix,
        List<EpochStats> history,
        Map<String, Object> settings,
        Map<String, String> environment) {}
