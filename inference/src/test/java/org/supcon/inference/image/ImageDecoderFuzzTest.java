package org.supcon.inference.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;

/**
 * Coverage-guided fuzzing of {@link ImageDecoder} with arbitrary bytes as the uploaded file.
 * Invariant: it either fills exactly {@code channels * 28 * 28} values, each a pixel value in
 * 0..255, or throws its documented {@link ImageException} with a kind and a message; nothing else
 * (no NullPointerException, IndexOutOfBounds, NegativeArraySize, OutOfMemoryError).
 *
 * <p>The first input byte picks the model's channels (even: gray, odd: RGB); the rest is the file.
 * Seeds and findings are in {@code ImageDecoderFuzzTestInputs/}. In {@code verify} the
 * {@code fuzz-image-decoder} Surefire execution fuzzes this for a bounded time.
 */
class ImageDecoderFuzzTest {

    /** The production default limit per side (inference.limits.max-dimension). */
    private static final ImageDecoder DECODER = new ImageDecoder(2048);

    @FuzzTest(maxDuration = "20s")
    void decodeThrowsOnlyImageExceptionAndFillsTheModelInput(byte[] input) {
        if (input.length == 0) {
            return;
        }
        int channels = (input[0] & 1) == 0 ? 1 : 3;
        byte[] file = Arrays.copyOfRange(input, 1, input.length);
        float[] out;
        try {
            out = DECODER.decode(file, "fuzz.png", channels, 28, 28);
        } catch (ImageException e) {
            assertNotNull(e.kind());
            assertNotNull(e.getMessage());
            assertFalse(e.getMessage().isBlank());
            return;
        }
        assertEquals(channels * 28 * 28, out.length);
        for (float v : out) {
            assertTrue(v >= 0 && v <= 255.001f, () -> "pixel value " + v);
        }
    }
}
