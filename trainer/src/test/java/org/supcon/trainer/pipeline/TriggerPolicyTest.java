package org.supcon.trainer.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TriggerPolicyTest {

    @Test
    void startsOnceTheThresholdIsReachedAndCountsAgainFromZero() {
        TriggerPolicy t = new TriggerPolicy(100);
        assertFalse(t.arrived(60, false));
        assertTrue(t.arrived(40, false));
        assertEquals(0, t.sinceLastRun());
        assertFalse(t.arrived(99, false));
    }

    @Test
    void onlyCountsWhileARunIsActiveAndStartsAfterIt() {
        TriggerPolicy t = new TriggerPolicy(10);
        assertFalse(t.arrived(25, true));
        assertEquals(25, t.sinceLastRun());
        assertTrue(t.arrived(1, false), "the first batch after the run ended");
    }

    @Test
    void aRunStartedByHandResetsTheCount() {
        TriggerPolicy t = new TriggerPolicy(10);
        t.arrived(9, false);
        t.runStarted();
        assertFalse(t.arrived(9, false));
        assertThrows(IllegalArgumentException.class, () -> new TriggerPolicy(0));
    }
}
