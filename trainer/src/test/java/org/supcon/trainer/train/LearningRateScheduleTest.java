package org.supcon.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {

    @Test
    void warmsUpLinearlyThenDecaysByCosineToAThousandth() {
        LearningRateSchedule s = LearningRateSchedule.of(0.5, 1, 11, 10); // 10 warm-up steps of 110
        assertEquals(0.05, s.at(0), 1e-12);
        assertEquals(0.25, s.at(4), 1e-12);
        assertEquals(0.5, s.at(9), 1e-12);
        assertEquals(0.5, s.at(10), 1e-12);
        // half way through the decay: mid-point of peak and floor
        assertEquals((0.5 + 0.0005) / 2, s.at(10 + 50), 1e-12);
        assertEquals(0.0005, s.at(110), 1e-12);
        for (long i = 11; i < 110; i++) {
            assertTrue(s.at(i) < s.at(i - 1), "not decreasing at " + i);
        }
    }

    @Test
    void refusesAScheduleWithoutDecaySteps() {
        assertThrows(IllegalArgumentException.class, () -> new LearningRateSchedule(0.1, 5, 5));
    }
}
