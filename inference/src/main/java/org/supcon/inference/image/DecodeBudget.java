package org.supcon.inference.image;

import java.util.concurrent.Semaphore;
import org.supcon.inference.model.OverloadedException;

/**
 * Bounds the memory of the images being decoded at once: each decode first takes, from a fixed
 * budget, the worst case its declared dimensions can allocate ({@link #BYTES_PER_PIXEL} per
 * pixel: a 16-bit RGBA raster, its ARGB copy and the float planes), and gives it back when done.
 * An image that alone needs more than the whole budget is refused as too large; one that does not
 * fit beside the decodes in flight is refused at once as an overload (REST 429, gRPC
 * RESOURCE_EXHAUSTED), never queued, so concurrent requests cannot exhaust the heap. Thread-safe.
 */
public final class DecodeBudget {

    /** Worst-case bytes allocated per declared pixel while decoding (measured: ~101 MB for 2048x2048). */
    public static final long BYTES_PER_PIXEL = 24;
    private static final long UNIT = 1024;

    private final Semaphore units;
    private final long totalBytes;

    /** @param totalBytes the budget; at least one 1 KiB unit */
    public DecodeBudget(long totalBytes) {
        if (totalBytes < UNIT || totalBytes / UNIT > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("the decode budget must be between 1 KiB and 2 TiB, got " + totalBytes + " bytes");
        }
        this.totalBytes = totalBytes;
        this.units = new Semaphore((int) (totalBytes / UNIT));
    }

    /** A taken share of the budget; closing it gives it back (once). */
    public final class Lease implements AutoCloseable {
        private int held;

        private Lease(int held) {
            this.held = held;
        }

        @Override
        public synchronized void close() {
            units.release(held);
            held = 0;
        }
    }

    /**
     * Takes the worst case of a {@code width} x {@code height} decode.
     *
     * @throws ImageException (too large) when it exceeds the whole budget
     * @throws OverloadedException when it does not fit beside the decodes in flight
     */
    public Lease acquire(int width, int height, String what) {
        long bytes = (long) width * height * BYTES_PER_PIXEL;
        if (bytes > totalBytes) {
            throw new ImageException(ImageException.Kind.TOO_LARGE, what + " is " + width + "x" + height + " pixels, which takes up to "
                    + mb(bytes) + " to decode, more than the decode budget of " + mb(totalBytes)
                    + " (inference.limits.decode-memory-mb)");
        }
        int need = (int) Math.max(1, (bytes + UNIT - 1) / UNIT);
        if (!units.tryAcquire(need)) {
            throw new OverloadedException("the images being decoded hold the decode budget of " + mb(totalBytes)
                    + " (inference.limits.decode-memory-mb); " + what + " needs " + mb(bytes) + "; retry in a moment");
        }
        return new Lease(need);
    }

    /** Bytes of the budget free now (for tests and metrics). */
    public long availableBytes() {
        return units.availablePermits() * UNIT;
    }

    private static String mb(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MB", bytes / 1e6);
    }
}
