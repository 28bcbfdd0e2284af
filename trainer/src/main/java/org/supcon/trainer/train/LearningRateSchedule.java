package org.supcon.trainer.train;

/**
 * Linear warm-up to the peak rate, then cosine decay to {@code peak * 0.001} (the reference's
 * {@code eta_min = lr * lr_decay_rate ** 3}), evaluated per step so that a small data set still
 * gets a smooth schedule.
 */
public record LearningRateSchedule(double peak, long warmupSteps, long totalSteps) {

    public LearningRateSchedule {
        if (peak <= 0 || totalSteps < 1 || warmupSteps < 0 || warmupSteps >= totalSteps) {
            throw new IllegalArgumentException(
                    "bad schedule: peak " + peak + ", warm-up " + warmupSteps + " of " + totalSteps + " steps");
        }
    }

    /** The schedule for {@code epochs} of {@code stepsPerEpoch}, with fractional warm-up epochs. */
    public static LearningRateSchedule of(double peak, double warmupEpochs, int epochs, int stepsPerEpoch) {
        long total = (long) epochs * stepsPerEpoch;
        long warmup = Math.min(total - 1, Math.round(warmupEpochs * stepsPerEpoch));
        return new LearningRateSchedule(peak, warmup, total);
    }

    /** Learning rate for the 0-based global step. */
    public double at(long step) {
        if (step < warmupSteps) {
            return peak * (step + 1) / warmupSteps;
        }
        double min = peak * 1e-3;
        double progress = Math.min(1.0, (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps));
        return min + (peak - min) * 0.5 * (1 + Math.cos(Math.PI * progress));
    }
}
