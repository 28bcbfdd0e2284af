package org.supcon.inference.oip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ImagesInputTest {

    private final TestModel model = TestModel.gray(4);

    @Test
    void acceptsTheModelGeometryAndCountsElements() {
        ImagesInput in = ImagesInput.check(model, 8, "images", "UINT8", new long[] {3, 1, 4, 4});
        assertEquals(Datatype.UINT8, in.datatype());
        assertEquals(3, in.n());
        assertEquals(48, in.elements());
    }

    @Test
    void refusesAnotherInputName() {
        OipException e = assertThrows(OipException.class,
                () -> ImagesInput.check(model, 8, "input0", "FP32", new long[] {1, 1, 4, 4}));
        assertEquals(OipException.Kind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage().contains("'input0'"), e.getMessage());
    }

    @Test
    void refusesUnsupportedDatatypesNamingTheAcceptedOnes() {
        OipException e = assertThrows(OipException.class,
                () -> ImagesInput.check(model, 8, "images", "INT64", new long[] {1, 1, 4, 4}));
        assertEquals(OipException.Kind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage().contains("INT64") && e.getMessage().contains("FP32, UINT8"), e.getMessage());
        // the spec's datatype names are case-sensitive
        assertThrows(OipException.class, () -> ImagesInput.check(model, 8, "images", "fp32", new long[] {1, 1, 4, 4}));
    }

    @Test
    void refusesWrongRankAndWrongImageDimensions() {
        for (long[] shape : new long[][] {{1, 16}, {1, 4, 4}, {1, 3, 4, 4}, {1, 1, 4, 5}, {1, 1, 5, 4, 1}}) {
            OipException e = assertThrows(OipException.class, () -> ImagesInput.check(model, 8, "images", "FP32", shape));
            assertEquals(OipException.Kind.INVALID_ARGUMENT, e.kind());
            assertTrue(e.getMessage().contains(ImagesInput.format(shape)) && e.getMessage().contains("[-1, 1, 4, 4]"),
                    e.getMessage());
        }
    }

    @Test
    void refusesAnEmptyOrNegativeBatch() {
        assertThrows(OipException.class, () -> ImagesInput.check(model, 8, "images", "FP32", new long[] {0, 1, 4, 4}));
        assertThrows(OipException.class, () -> ImagesInput.check(model, 8, "images", "FP32", new long[] {-1, 1, 4, 4}));
    }

    @Test
    void aBatchOverTheLimitIsResourceExhausted() {
        ImagesInput.check(model, 8, "images", "FP32", new long[] {8, 1, 4, 4});
        OipException e = assertThrows(OipException.class,
                () -> ImagesInput.check(model, 8, "images", "FP32", new long[] {9, 1, 4, 4}));
        assertEquals(OipException.Kind.TOO_LARGE, e.kind());
        assertEquals("RESOURCE_EXHAUSTED", e.kind().grpcCode);
        assertTrue(e.getMessage().contains("9") && e.getMessage().contains("8"), e.getMessage());
    }

    @Test
    void exactlyOneInput() {
        ImagesInput.checkInputCount(1);
        assertThrows(OipException.class, () -> ImagesInput.checkInputCount(0));
        assertThrows(OipException.class, () -> ImagesInput.checkInputCount(2));
    }
}
