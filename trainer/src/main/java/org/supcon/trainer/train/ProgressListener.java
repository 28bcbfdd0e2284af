package org.supcon.trainer.train;

import java.nio.file.Path;

/** Receives a training run's progress as typed events; the console, the service's run state or a test may listen. */
public interface ProgressListener {

    /**
     * One training step finished.
     *
     * @param epoch 1-based
     * @param epochs first-stage epochs of the run
     * @param step 1-based step within the epoch
     * @param stepsPerEpoch steps in each epoch
     * @param loss mean loss of the epoch so far
     * @param learningRate the rate used by this step
     * @param imagesPerSecond original images per second over the epoch so far
     * @param etaSeconds estimated time left for the first stage
     */
    record Step(int epoch, int epochs, int step, int stepsPerEpoch, double loss, double learningRate,
            double imagesPerSecond, double etaSeconds) {}

    default void onStep(Step step) {}

    default void onEpoch(EpochStats stats, int epochs) {}

    /** The run continues from {@code checkpoint}, written after {@code completedEpochs} of {@code epochs}. */
    default void onResumed(int completedEpochs, int epochs, Path checkpoint) {}

    /** The linear classifier starts training on the frozen encoder's features of {@code trainImages}. */
    default void onLinearProbe(int trainImages) {}

    /** The final evaluation on {@code testImages} starts. */
    default void onEvaluation(int testImages) {}

    /**
     * Every sample is being embedded for the version's vector index: {@code done} of {@code total}
     * images so far, at {@code imagesPerSecond}.
     */
    default void onEmbedding(int done, int total, double imagesPerSecond) {}

    ProgressListener NONE = new ProgressListener() {};
}
