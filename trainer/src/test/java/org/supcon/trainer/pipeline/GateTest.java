package org.supcon.trainer.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class GateTest {

    @Test
    void publishesWhenAccuracyIsAtLeastTheCurrentMinusTheTolerance() {
        Gate gate = new Gate(true, 0.01);
        Gate.Decision same = gate.decide(0.90, 3, OptionalDouble.of(0.90));
        assertTrue(same.publish(), same.reason());
        assertEquals(3L, same.currentVersion());
        assertTrue(gate.decide(0.891, 3, OptionalDouble.of(0.90)).publish(), "within the tolerance");
        assertTrue(gate.decide(0.89, 3, OptionalDouble.of(0.90)).publish(), "exactly at the floor");
        Gate.Decision worse = gate.decide(0.88, 3, OptionalDouble.of(0.90));
        assertFalse(worse.publish());
        assertEquals("accuracy 0.8800 < 0.8900 (version 3's 0.9000 minus tolerance 0.0100)", worse.reason());
        assertTrue(gate.decide(0.95, 3, OptionalDouble.of(0.90)).publish());
    }

    @Test
    void zeroToleranceRefusesAnythingWorse() {
        Gate gate = new Gate(true, 0);
        assertFalse(gate.decide(0.8999, 1, OptionalDouble.of(0.9)).publish());
        assertTrue(gate.decide(0.9, 1, OptionalDouble.of(0.9)).publish());
    }

    @Test
    void firstVersionAndMissingMetricPassAndADisabledGatePassesEverything() {
        Gate.Decision first = new Gate(true, 0).decide(0.1, 0, OptionalDouble.empty());
        assertTrue(first.publish());
        assertEquals("no published version yet", first.reason());
        assertTrue(new Gate(true, 0).decide(0.1, 2, OptionalDouble.empty()).reason().contains("records no testAccuracy"));
        Gate.Decision off = new Gate(false, 0).decide(0.1, 2, OptionalDouble.of(0.99));
        assertTrue(off.publish());
        assertTrue(off.reason().contains("disabled"));
        assertFalse(new Gate(true, 0.5).decide(Double.NaN, 0, OptionalDouble.empty()).publish(), "no accuracy, no publication");
    }

    @Test
    void toleranceOutsideZeroToOneIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Gate(true, -0.1));
        assertThrows(IllegalArgumentException.class, () -> new Gate(true, 1.5));
    }
}
