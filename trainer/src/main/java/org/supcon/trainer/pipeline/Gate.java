package org.supcon.trainer.pipeline;

import java.util.Locale;
import java.util.OptionalDouble;

/**
 * Whether a finished run may be published: its held-out accuracy must be at least the current
 * published version's accuracy minus a tolerance. The first version always passes; a disabled
 * gate passes everything. The two accuracies come from each run's own held-out split, so as the
 * dataset grows they are measured on different (overlapping) test sets; the tolerance absorbs that.
 *
 * @param enabled false publishes every successful run
 * @param tolerance accuracy (fraction) a new version may lose against the current one
 */
public record Gate(boolean enabled, double tolerance) {

    /**
     * The gate's answer, recorded in the run.
     *
     * @param publish whether to publish
     * @param reason one line a person reads
     * @param accuracy the run's accuracy
     * @param currentVersion the published version compared against; null when none (or gate off)
     * @param currentAccuracy its accuracy; null when none
     */
    public record Decision(boolean publish, String reason, double accuracy, Long currentVersion, Double currentAccuracy) {}

    public Gate {
        if (!(tolerance >= 0 && tolerance <= 1)) {
            throw new IllegalArgumentException("trainer.gate.tolerance must be in [0, 1], got " + tolerance);
        }
    }

    /**
     * @param accuracy the run's held-out accuracy
     * @param currentVersion the latest published version, 0 when none
     * @param currentAccuracy its recorded accuracy; empty when none or when it has none recorded
     */
    public Decision decide(double accuracy, long currentVersion, OptionalDouble currentAccuracy) {
        if (!enabled) {
            return new Decision(true, "gate disabled (trainer.gate.enabled=false)", accuracy, null, null);
        }
        if (Double.isNaN(accuracy)) {
            return new Decision(false, "the run has no held-out accuracy", accuracy, versionOrNull(currentVersion), null);
        }
        if (currentVersion <= 0) {
            return new Decision(true, "no published version yet", accuracy, null, null);
        }
        if (currentAccuracy.isEmpty()) {
            return new Decision(true, String.format(Locale.ROOT, "published version %d records no testAccuracy", currentVersion),
                    accuracy, currentVersion, null);
        }
        double current = currentAccuracy.getAsDouble();
        double floor = current - tolerance;
        boolean pass = accuracy >= floor - 1e-12;
        String reason = String.format(Locale.ROOT, "accuracy %.4f %s %.4f (version %d's %.4f minus tolerance %.4f)",
                accuracy, pass ? ">=" : "<", floor, currentVersion, current, tolerance);
        return new Decision(pass, reason, accuracy, currentVersion, current);
    }

    private static Long versionOrNull(long v) {
        return v > 0 ? v : null;
    }
}
