package org.supcon.inference.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.supcon.inference.model.OverloadedException;

/** The decode budget: worst case per declared pixel taken before decoding, given back after. */
class DecodeBudgetTest {

    private static byte[] png(int w, int h) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    @Test
    void aDecodeTakesItsWorstCaseAndGivesItBack() throws Exception {
        DecodeBudget budget = new DecodeBudget(3_000_000);
        ImageDecoder decoder = new ImageDecoder(1024, budget);
        long full = budget.availableBytes();
        for (int i = 0; i < 3; i++) {
            decoder.decode(png(28, 28), "small", 1, 28, 28);
            decoder.decode(png(300, 300), "medium", 1, 28, 28);
        }
        assertEquals(full, budget.availableBytes(), "every decode gave its share back");
        assertThrows(ImageException.class, () -> decoder.decode(new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3}, "junk", 1, 28, 28));
        assertEquals(full, budget.availableBytes(), "a failed decode gives its share back too");
    }

    @Test
    void anImageThatDoesNotFitBesideTheDecodesInFlightIsRefusedAtOnceAndServedAfter() throws Exception {
        DecodeBudget budget = new DecodeBudget(3_000_000);
        ImageDecoder decoder = new ImageDecoder(1024, budget);
        byte[] medium = png(300, 300); // 2.16 MB worst case
        try (DecodeBudget.Lease held = budget.acquire(250, 250, "in flight")) { // 1.5 MB
            OverloadedException e = assertThrows(OverloadedException.class, () -> decoder.decode(medium, "image 0", 1, 28, 28));
            assertTrue(e.getMessage().contains("inference.limits.decode-memory-mb") && e.getMessage().contains("image 0"), e.getMessage());
            decoder.decode(png(28, 28), "small", 1, 28, 28); // small ones still fit
        }
        assertEquals(28 * 28, decoder.decode(medium, "image 0", 1, 28, 28).length);
    }

    @Test
    void anImageOverTheWholeBudgetIsTooLarge() throws Exception {
        ImageDecoder decoder = new ImageDecoder(1024, new DecodeBudget(3_000_000));
        ImageException e = assertThrows(ImageException.class, () -> decoder.decode(png(400, 400), "big.png", 1, 28, 28));
        assertEquals(ImageException.Kind.TOO_LARGE, e.kind());
        assertTrue(e.getMessage().contains("big.png") && e.getMessage().contains("decode budget"), e.getMessage());
    }

    @Test
    void concurrentHoldersNeverExceedTheBudget() throws Exception {
        DecodeBudget budget = new DecodeBudget(10_000_000);
        AtomicLong held = new AtomicLong();
        AtomicLong peak = new AtomicLong();
        AtomicInteger refused = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            Thread th = new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < 2000; i++) {
                        long bytes = 300L * 300 * DecodeBudget.BYTES_PER_PIXEL;
                        try (DecodeBudget.Lease l = budget.acquire(300, 300, "x")) {
                            long now = held.addAndGet(bytes);
                            peak.accumulateAndGet(now, Math::max);
                            held.addAndGet(-bytes);
                        } catch (OverloadedException e) {
                            refused.incrementAndGet();
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            th.start();
            threads.add(th);
        }
        start.countDown();
        for (Thread th : threads) {
            th.join();
        }
        assertTrue(peak.get() <= 10_000_000, "peak " + peak.get());
        assertEquals(10_000_000 / 1024 * 1024, budget.availableBytes());
    }

    @Test
    void aBudgetUnderOneKibibyteIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new DecodeBudget(100));
    }
}
