package org.supcon.trainer.robustness;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.supcon.trainer.images.FashionMnist;
import org.supcon.trainer.images.ImageGeometry;
import org.supcon.trainer.images.ImageSet;

class CorruptionTest {

    /** The corruptions that draw random numbers; the others are fixed functions of the image. */
    static final Set<Corruption> RANDOM = EnumSet.of(Corruption.GAUSSIAN_NOISE, Corruption.SHOT_NOISE,
            Corruption.IMPULSE_NOISE, Corruption.MOTION_BLUR, Corruption.ELASTIC, Corruption.ROTATE, Corruption.SHIFT);

    static ImageSet images;

    @BeforeAll
    static void load() throws Exception {
        images = FashionMnist.test(FashionMnist.defaultDirectory()).head(64);
    }

    /** Mean over images of the root-mean-square difference to the original, in pixel values. */
    static double meanDistance(ImageSet a, ImageSet b) {
        int p = a.geometry().pixels();
        double total = 0;
        for (int i = 0; i < a.size(); i++) {
            double sq = 0;
            for (int j = 0; j < p; j++) {
                double d = (a.pixels()[i * p + j] & 0xFF) - (b.pixels()[i * p + j] & 0xFF);
                sq += d * d;
            }
            total += Math.sqrt(sq / p);
        }
        return total / a.size();
    }

    @Test
    void thereAreThirteenWithDistinctKebabCaseNames() {
        assertEquals(13, Corruption.values().length);
        assertEquals("gaussian-noise, shot-noise, impulse-noise, gaussian-blur, defocus-blur, motion-blur, contrast,"
                + " brightness, pixelate, jpeg, elastic, rotate, shift", Corruption.names());
        for (Corruption c : Corruption.values()) {
            assertEquals(c, Corruption.fromName(" " + c.cliName().toUpperCase() + " "));
            assertEquals(5, c.parameters().length);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Corruption.fromName("fog"));
        assertEquals("unknown corruption 'fog', expected one of: " + Corruption.names(), e.getMessage());
    }

    @Test
    void theSameSeedGivesTheSameBytesAndAnotherSeedOtherBytesForTheRandomOnes() {
        for (Corruption c : Corruption.values()) {
            for (int s = 1; s <= 5; s++) {
                ImageSet a = c.apply(images, s, 11);
                ImageSet b = c.apply(images, s, 11);
                assertArrayEquals(a.pixels(), b.pixels(), c + " " + s);
                ImageSet other = c.apply(images, s, 12);
                if (RANDOM.contains(c)) {
                    assertFalse(Arrays.equals(a.pixels(), other.pixels()), c + " " + s + " ignores the seed");
                } else {
                    assertArrayEquals(a.pixels(), other.pixels(), c + " " + s + " is not random");
                }
            }
        }
    }

    @Test
    void aSetIsCorruptedImageByImageWhateverTheThreads() {
        int p = images.geometry().pixels();
        for (Corruption c : Corruption.values()) {
            ImageSet set = c.apply(images, 3, 5);
            for (int i = 0; i < images.size(); i++) {
                byte[] one = c.apply(images.pixels(), images.offset(i), images.geometry(), 3, 5, i);
                assertArrayEquals(one, Arrays.copyOfRange(set.pixels(), i * p, (i + 1) * p), c + " image " + i);
            }
            // a part is corrupted as it is within the whole set (so evaluating a part at a time changes nothing)
            ImageSet part = c.apply(images, 10, 30, 3, 5);
            assertArrayEquals(Arrays.copyOfRange(set.pixels(), 10 * p, 30 * p), part.pixels(), c + " part");
            assertArrayEquals(Arrays.copyOfRange(images.labels(), 10, 30), part.labels());
            assertEquals(images.id(10), part.id(0));
            assertArrayEquals(images.labels(), set.labels());
            assertEquals(images.labelNames(), set.labelNames());
            assertEquals(images.id(17), set.id(17));
            assertEquals(images.geometry(), set.geometry());
        }
    }

    @Test
    void colourAndNonSquareImagesKeepTheirShapeAndRange() {
        ImageGeometry g = new ImageGeometry(3, 20, 24);
        SplittableRandom rng = new SplittableRandom(3);
        byte[] pixels = new byte[2 * g.pixels()];
        for (int i = 0; i < pixels.length; i++) {
            // a smooth gradient plus noise, both extremes present
            pixels[i] = (byte) Math.max(0, Math.min(255, (i % g.width()) * 12 + rng.nextInt(-20, 20)));
        }
        ImageSet rgb = new ImageSet(g, List.of("a", "b"), pixels, new int[] {0, 1});
        for (Corruption c : Corruption.values()) {
            for (int s = 1; s <= 5; s++) {
                ImageSet out = c.apply(rgb, s, 1);
                assertEquals(g, out.geometry());
                assertEquals(pixels.length, out.pixels().length);
                assertTrue(meanDistance(rgb, out) > 0, c + " " + s + " left the colour image unchanged");
            }
        }
        // brightness keeps a grey pixel grey and lifts black to grey, as adding to the HSV value does
        byte[] grey = new byte[g.pixels()];
        Arrays.fill(grey, (byte) 100);
        byte[] lifted = Corruption.BRIGHTNESS.apply(grey, 0, g, 5, 0, 0);
        for (byte v : lifted) {
            assertEquals(100 + Math.round(0.3f * 255), v & 0xFF);
        }
    }

    @Test
    void everyCorruptionMovesTheImagesFurtherAtEverySeverity() {
        StringBuilder table = new StringBuilder();
        for (Corruption c : Corruption.values()) {
            double previous = 0;
            table.append(String.format("%-15s", c.cliName()));
            for (int s = 1; s <= 5; s++) {
                double d = meanDistance(images, c.apply(images, s, 42));
                table.append(String.format(" %6.2f", d));
                assertTrue(d > previous, c + ": severity " + s + " moves the images " + d + " from the originals,"
                        + " severity " + (s - 1) + " " + previous);
                previous = d;
            }
            table.append('\n');
        }
        System.out.print("mean RMS distance to the originals, severities 1-5, 64 Fashion-MNIST test images:\n" + table);
    }

    @Test
    void aSeverityOutsideOneToFiveIsRefused() {
        for (int bad : new int[] {0, 6, -1}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Corruption.CONTRAST.apply(images, bad, 1));
            assertEquals("severity must be between 1 and 5, got " + bad, e.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> Corruption.JPEG.apply(images.pixels(), 0, images.geometry(), bad, 1, 0));
        }
    }
}
