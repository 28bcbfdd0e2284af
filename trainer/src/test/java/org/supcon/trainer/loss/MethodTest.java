package org.supcon.trainer.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.training.loss.Loss;
import org.junit.jupiter.api.Test;

class MethodTest {

    @Test
    void parsesCliNames() {
        assertEquals(Method.SUPCON, Method.fromName("supcon"));
        assertEquals(Method.SUPCON_IN, Method.fromName("supcon-in"));
        assertEquals(Method.SIMCLR, Method.fromName(" SimCLR "));
        assertEquals(Method.CE, Method.fromName("ce"));
        for (Method method : Method.values()) {
            assertEquals(method, Method.fromName(method.cliName()));
        }
    }

    @Test
    void unknownNameListsTheValidOnes() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Method.fromName("supcon_in"));
        assertEquals(
                "unknown method 'supcon_in', expected one of: supcon, supcon-in, simclr, ce",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Method.fromName(null));
    }

    @Test
    void onlyCrossEntropyIsNotContrastive() {
        assertTrue(Method.SUPCON.isContrastive());
        assertTrue(Method.SUPCON_IN.isContrastive());
        assertTrue(Method.SIMCLR.isContrastive());
        assertFalse(Method.CE.isContrastive());
    }

    @Test
    void buildsTheMatchingLoss() {
        SupConLoss out = assertInstanceOf(SupConLoss.class, Method.SUPCON.newLoss(0.2, 0.3));
        assertEquals(SupConLoss.Variant.OUT, out.getVariant());
        assertEquals(0.2, out.getTemperature());
        assertEquals(0.3, out.getBaseTemperature());
        SupConLoss in = assertInstanceOf(SupConLoss.class, Method.SUPCON_IN.newLoss(0.1, 0.07));
        assertEquals(SupConLoss.Variant.IN, in.getVariant());
        SimClrLoss simClr = assertInstanceOf(SimClrLoss.class, Method.SIMCLR.newLoss(0.5, 0.5));
        assertEquals(0.5, simClr.getTemperature());
        Loss ce = Method.CE.newLoss(Double.NaN, Double.NaN);
        assertInstanceOf(CrossEntropyLoss.class, ce);
        assertThrows(IllegalArgumentException.class, () -> Method.SUPCON.newLoss(0, 0.07));
    }
}
