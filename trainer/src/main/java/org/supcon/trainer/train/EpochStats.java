package org.supcon.trainer.train;

/**
 * What one epoch of the first stage did.
 *
 * @param epoch 1-based
 * @param loss mean training loss over the epoch's steps
 * @param learningRate the rate at the epoch's last step
 * @param imagesPerSecond original images per second (each image counted once, whatever the views)
 * @param dataWaitShare share of the epoch's wall time the training thread waited for batches
 * @param validationAccuracy kNN (contrastive) or classifier (ce) accuracy on the validation split;
 *     NaN when not evaluated this epoch
 * @param seconds wall time of the epoch, evaluation included
 */
public record EpochStats(
        int epoch,
        double loss,
        double learningRate,
        double imagesPerSecond,
        double dataWaitShare,
        double validationAccuracy,
        double seconds) {}
