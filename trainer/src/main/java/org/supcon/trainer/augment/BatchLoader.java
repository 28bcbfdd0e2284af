package org.supcon.trainer.augment;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.supcon.trainer.images.ImageGeometry;
import org.supcon.trainer.images.ImageSet;

/**
 * Iterates over one epoch of an {@link ImageSet} as {@link ViewBatch}es of {@code views} augmented
 * views per image, computed ahead of the consumer by a small pool of daemon threads.
 *
 * <p>Determinism: the image order is a permutation seeded by (seed, epoch) when shuffling, and
 * batch {@code k} draws all its augmentation randomness from a generator seeded by
 * (seed, epoch, k). Batch contents therefore depend only on those values, never on the number of
 * workers or on timing. Batches are delivered strictly in order.
 *
 * <p>Prefetch: up to {@code prefetch} batches are computed or queued while the consumer works on
 * the current one. {@link #waitNanos()} is the time the consumer spent blocked in {@link #next()},
 * so {@code waitNanos / stepTime} is the share of training time lost waiting for data. With
 * {@code workers = 0} batches are computed in {@code next()} itself (all of it counts as waiting).
 *
 * <p>A failure in a worker is rethrown from {@code next()} as an {@link IllegalStateException}
 * naming the batch, with the worker's exception as cause. Use one loader per epoch, from one
 * consumer thread, and close it (try-with-resources) to stop its threads early.
 */
public final class BatchLoader implements Iterator<ViewBatch>, AutoCloseable {

    private static final AtomicInteger POOLS = new AtomicInteger();
    private static final long SHUFFLE_STREAM = -1;

    private final ImageSet set;
    private final int batchSize;
    private final int views;
    private final Augmenter augmenter;
    private final long seed;
    private final int epoch;
    private final int prefetch;
    private final int[] order;
    private final int numBatches;
    private final ThreadPoolExecutor pool;
    private final ArrayDeque<Future<ViewBatch>> inFlight = new ArrayDeque<>();

    private int submitted;
    private int delivered;
    private long waitNanos;
    private boolean closed;

    private BatchLoader(Builder b) {
        this.set = b.set;
        this.batchSize = b.batchSize;
        this.views = b.views;
        this.augmenter = b.augmenter;
        this.seed = b.seed;
        this.epoch = b.epoch;
        this.prefetch = b.prefetch;
        int n = set.size();
        this.numBatches = b.dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
        this.order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        if (b.shuffle) {
            SplittableRandom rng = new SplittableRandom(mix(seed, epoch, SHUFFLE_STREAM));
            for (int i = n - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        if (b.workers > 0 && numBatches > 0) {
            this.pool = new ThreadPoolExecutor(b.workers, b.workers, 1, TimeUnit.SECONDS,
                    new LinkedBlockingQueue<>(), daemonThreads());
            // Idle workers of a loader nobody closed must not live forever.
            pool.allowCoreThreadTimeOut(true);
            topUp();
        } else {
            this.pool = null;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Batches in this epoch, known upfront: {@code ceil(size / batchSize)}, or floor with dropLast. */
    public int numBatches() {
        return numBatches;
    }

    /** Batches delivered by {@link #next()} so far. */
    public int batches() {
        return delivered;
    }

    /** Total nanoseconds the consumer was blocked in {@link #next()}. */
    public long waitNanos() {
        return waitNanos;
    }

    public int epoch() {
        return epoch;
    }

    /** Images per full batch (the last batch may be smaller unless dropLast). */
    public int batchSize() {
        return batchSize;
    }

    public int views() {
        return views;
    }

    @Override
    public boolean hasNext() {
        return !closed && delivered < numBatches;
    }

    @Override
    public ViewBatch next() {
        if (closed) {
            throw new IllegalStateException("batch loader of epoch " + epoch + " is closed");
        }
        if (delivered >= numBatches) {
            throw new NoSuchElementException("epoch " + epoch + " has only " + numBatches + " batches");
        }
        int index = delivered;
        long start = System.nanoTime();
        ViewBatch batch;
        if (pool == null) {
            try {
                batch = compute(index);
            } catch (RuntimeException | Error e) {
                throw failure(index, e);
            } finally {
                waitNanos += System.nanoTime() - start;
            }
        } else {
            Future<ViewBatch> future = inFlight.poll();
            topUp();
            try {
                batch = future.get();
            } catch (ExecutionException e) {
                close();
                throw failure(index, e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new IllegalStateException("interrupted while waiting for batch " + index + " of epoch " + epoch, e);
            } catch (CancellationException e) {
                throw new IllegalStateException("batch " + index + " of epoch " + epoch + " was cancelled", e);
            } finally {
                waitNanos += System.nanoTime() - start;
            }
        }
        delivered++;
        return batch;
    }

    private IllegalStateException failure(int index, Throwable cause) {
        return new IllegalStateException("batch loader failed on batch " + index + " of " + numBatches
                + " (epoch " + epoch + "): " + cause, cause);
    }

    /** Stops the workers and drops batches not yet delivered. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Future<ViewBatch> f : inFlight) {
            f.cancel(true);
        }
        inFlight.clear();
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    private void topUp() {
        while (submitted < numBatches && inFlight.size() < prefetch) {
            int index = submitted++;
            inFlight.add(pool.submit(() -> compute(index)));
        }
        if (submitted == numBatches) {
            // Nothing more to queue: let the threads exit once the queued batches are done.
            pool.shutdown();
        }
    }

    private ViewBatch compute(int index) {
        int start = index * batchSize;
        int size = Math.min(batchSize, order.length - start);
        ImageGeometry g = set.geometry();
        int p = g.pixels();
        float[] data = new float[views * size * p];
        int[] labels = new int[size];
        byte[] pixels = set.pixels();
        SplittableRandom rng = new SplittableRandom(mix(seed, epoch, index));
        for (int b = 0; b < size; b++) {
            int image = order[start + b];
            labels[b] = set.label(image);
            int src = set.offset(image);
            for (int v = 0; v < views; v++) {
                int dst = (v * size + b) * p;
                if (augmenter == null) {
                    Augmenter.copy(pixels, src, g, data, dst);
                } else {
                    augmenter.augment(pixels, src, g, rng, data, dst);
                }
            }
        }
        return new ViewBatch(data, labels, size, views, g, index);
    }

    /** A well-mixed seed for (seed, epoch, stream): nearby inputs give unrelated generators. */
    static long mix(long seed, long epoch, long stream) {
        long h = splitMix(seed);
        h = splitMix(h ^ (epoch * 0x9E3779B97F4A7C15L));
        return splitMix(h ^ (stream * 0xC2B2AE3D27D4EB4FL));
    }

    private static long splitMix(long z) {
        z += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static ThreadFactory daemonThreads() {
        int pool = POOLS.incrementAndGet();
        AtomicInteger thread = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "batch-loader-" + pool + "-" + thread.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Builds a {@link BatchLoader}. Required: {@link #setImageSet}, {@link #setBatchSize}.
     * Defaults: 2 views, plain copies (no augmenter), seed 0, epoch 0, shuffle, keep the last
     * partial batch, 1 worker, prefetch 4.
     */
    public static final class Builder {
        private ImageSet set;
        private int batchSize;
        private int views = 2;
        private Augmenter augmenter;
        private long seed;
        private int epoch;
        private boolean shuffle = true;
        private boolean dropLast;
        private int workers = 1;
        private int prefetch = 4;

        private Builder() {
        }

        public Builder setImageSet(ImageSet set) {
            this.set = set;
            return this;
        }

        public Builder setBatchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /** Views per image; SupCon uses 2. */
        public Builder optViews(int views) {
            this.views = views;
            return this;
        }

        /** The augmenter, or null for plain copies of the images. */
        public Builder optAugmenter(Augmenter augmenter) {
            this.augmenter = augmenter;
            return this;
        }

        /** Shorthand for {@code optAugmenter(new Augmenter(settings))}. */
        public Builder optAugmentSettings(AugmentSettings settings) {
            this.augmenter = new Augmenter(Objects.requireNonNull(settings, "settings"));
            return this;
        }

        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder optEpoch(int epoch) {
            this.epoch = epoch;
            return this;
        }

        public Builder optShuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        /** Drop the last batch if it is smaller than batchSize. */
        public Builder optDropLast(boolean dropLast) {
            this.dropLast = dropLast;
            return this;
        }

        /** Worker threads; 0 computes batches in the consumer's thread. */
        public Builder optWorkers(int workers) {
            this.workers = workers;
            return this;
        }

        /** Batches computed ahead of the consumer, at least 1. */
        public Builder optPrefetch(int prefetch) {
            this.prefetch = prefetch;
            return this;
        }

        public BatchLoader build() {
            Objects.requireNonNull(set, "imageSet is required: call setImageSet(...)");
            if (batchSize <= 0) {
                throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
            }
            if (views <= 0) {
                throw new IllegalArgumentException("views must be positive, got " + views);
            }
            if (epoch < 0) {
                throw new IllegalArgumentException("epoch must be >= 0, got " + epoch);
            }
            if (workers < 0) {
                throw new IllegalArgumentException("workers must be >= 0, got " + workers);
            }
            if (prefetch <= 0) {
                throw new IllegalArgumentException("prefetch must be positive, got " + prefetch);
            }
            if ((long) views * batchSize * set.geometry().pixels() > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("a batch of " + views + " x " + batchSize + " images of "
                        + set.geometry() + " does not fit in one float array");
            }
            return new BatchLoader(this);
        }
    }
}
