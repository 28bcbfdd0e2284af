package org.supcon.trainer.train;

/** Receives a run's progress; the console, a REST endpoint or a test may listen. */
public interface ProgressListener {

    /**
     * One training step finished.
     *
     * @param epoch 1-based
     * @param step 1-based step within the epoch
     * @param stepsPerEpoch steps in each epoch
     * @param loss this step's loss
     * @param learningRate the rate used by this step
     * @param imagesPerSecond original images per second over the epoch so far
     * @param etaSeconds estimated time left for the first stage
     */
    default void onStep(int epoch, int epochs, int step, int stepsPerEpoch, double loss, double learningRate,
            double imagesPerSecond, double etaSeconds) {}

    default void onEpoch(EpochStats stats, int epochs) {}

    /** A phase of the run starts or ends (data loading, resume, linear stage, evaluation). */
    default void onPhase(String message) {}

    ProgressListener NONE = new ProgressListener() {};
}
