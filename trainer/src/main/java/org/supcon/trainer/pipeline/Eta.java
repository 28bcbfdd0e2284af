package org.supcon.trainer.pipeline;

/**
 * Time left in a run's first stage, from the pace of the steps this process has run so far
 * (a resumed run's earlier steps do not count: they ran elsewhere or at another time).
 */
public final class Eta {

    private Eta() {}

    /**
     * @param epoch current epoch, 1-based
     * @param epochs epochs in the run
     * @param step steps done in the current epoch
     * @param stepsPerEpoch steps per epoch
     * @param stepsThisProcess steps timed so far by this process
     * @param secondsThisProcess their wall time
     * @return seconds, or NaN before the first timed step
     */
    public static double seconds(int epoch, int epochs, int step, int stepsPerEpoch, long stepsThisProcess,
            double secondsThisProcess) {
        if (stepsThisProcess <= 0 || stepsPerEpoch <= 0 || !(secondsThisProcess >= 0)) {
            return Double.NaN;
        }
        long remaining = (long) (epochs - epoch) * stepsPerEpoch + (stepsPerEpoch - step);
        return Math.max(0, remaining) * secondsThisProcess / stepsThisProcess;
    }
}
