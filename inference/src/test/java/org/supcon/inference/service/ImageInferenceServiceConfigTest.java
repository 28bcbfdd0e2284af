package org.supcon.inference.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Proxy;
import java.util.Map;
import org.junit.jupiter.api.Test;
import javax.imageio.ImageIO;
import org.supcon.inference.config.InferenceConfig;
import org.supcon.inference.image.ImageDecoder;
import org.supcon.inference.image.ImageException;

/** The decode budget's setting is checked when the service is built: a budget under 1 MB is refused naming its key. */
class ImageInferenceServiceConfigTest {

    @Test
    void aDecodeBudgetUnderOneMegabyteIsRefusedNamingTheKey() {
        for (int mb : new int[] {0, -5}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new ImageInferenceService(null, config(mb)));
            assertTrue(e.getMessage().contains("inference.limits.decode-memory-mb"), e.getMessage());
            assertTrue(e.getMessage().endsWith("got " + mb), e.getMessage());
        }
    }

    @Test
    void oneMegabyteStartsAndIsTheBudgetTheDecoderApplies() throws Exception {
        ImageDecoder decoder = new ImageInferenceService(null, config(1)).decoder();
        // 28x28 takes 19 KB of the budget: decoded
        float[] small = decoder.decode(png(28, 28), "small.png", 1, 28, 28);
        assertEquals(28 * 28, small.length);
        // 250x250 takes 1.5 MB, more than the whole 1 MB budget: refused as too large, naming the key
        ImageException e = assertThrows(ImageException.class, () -> decoder.decode(png(250, 250), "big.png", 1, 28, 28));
        assertEquals(ImageException.Kind.TOO_LARGE, e.kind());
        assertTrue(e.getMessage().contains("1.0 MB (inference.limits.decode-memory-mb)"), e.getMessage());
    }

    private static byte[] png(int width, int height) throws Exception {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    /** The two limits the constructor reads; any other call fails the test. */
    private static InferenceConfig config(int decodeMemoryMb) {
        Map<String, Object> limits = Map.of("decodeMemoryMb", decodeMemoryMb, "maxDimension", 2048);
        InferenceConfig.Limits l = (InferenceConfig.Limits) Proxy.newProxyInstance(InferenceConfig.class.getClassLoader(),
                new Class<?>[] {InferenceConfig.Limits.class}, (p, m, a) -> {
                    Object v = limits.get(m.getName());
                    if (v == null) {
                        throw new AssertionError("unexpected config call " + m.getName());
                    }
                    return v;
                });
        return (InferenceConfig) Proxy.newProxyInstance(InferenceConfig.class.getClassLoader(),
                new Class<?>[] {InferenceConfig.class}, (p, m, a) -> {
                    if (m.getName().equals("limits")) {
                        return l;
                    }
                    throw new AssertionError("unexpected config call " + m.getName());
                });
    }
}
