package org.supcon.trainer.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EtaTest {

    @Test
    void remainingStepsTimesThePaceSoFar() {
        // epoch 2 of 3, step 4 of 10 done: 6 + 10 steps left; 20 steps took 10 s
        assertEquals(8.0, Eta.seconds(2, 3, 4, 10, 20, 10.0), 1e-12);
        assertEquals(0.0, Eta.seconds(3, 3, 10, 10, 30, 15.0), 1e-12, "last step of the last epoch");
        // a resumed run: only this process's steps set the pace
        assertEquals(5.0, Eta.seconds(5, 5, 5, 10, 5, 5.0), 1e-12);
    }

    @Test
    void unknownBeforeTheFirstTimedStep() {
        assertTrue(Double.isNaN(Eta.seconds(1, 3, 1, 10, 0, 0)));
        assertTrue(Double.isNaN(Eta.seconds(1, 3, 1, 0, 4, 1)));
    }
}
