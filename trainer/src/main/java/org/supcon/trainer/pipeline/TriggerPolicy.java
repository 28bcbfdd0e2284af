package org.supcon.trainer.pipeline;

/**
 * Starts a run by itself once {@code threshold} new or relabelled samples have arrived since the
 * last run started; while a run is active it only counts. Thread-safe.
 */
public final class TriggerPolicy {

    private final int threshold;
    private long sinceLastRun;

    /** @param threshold samples per run, at least 1 */
    public TriggerPolicy(int threshold) {
        if (threshold < 1) {
            throw new IllegalArgumentException("trainer.trigger.new-samples must be at least 1, got " + threshold);
        }
        this.threshold = threshold;
    }

    /**
     * Counts {@code samples} arrivals; true when a run should start now (the count is then reset).
     *
     * @param runActive whether a run is queued or running
     */
    public synchronized boolean arrived(long samples, boolean runActive) {
        sinceLastRun += Math.max(0, samples);
        if (!runActive && sinceLastRun >= threshold) {
            sinceLastRun = 0;
            return true;
        }
        return false;
    }

    /** A run started (by REST or by this policy): count from zero. */
    public synchronized void runStarted() {
        sinceLastRun = 0;
    }

    public synchronized long sinceLastRun() {
        return sinceLastRun;
    }
}
