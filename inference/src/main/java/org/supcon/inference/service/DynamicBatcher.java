package org.supcon.inference.service;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;
import org.supcon.inference.model.InferenceResult;
import org.supcon.inference.model.ModelUnavailableException;
import org.supcon.inference.model.OverloadedException;

/**
 * Merges concurrent requests into one model run. A runner thread takes the oldest waiting request
 * and adds the requests behind it until the batch holds {@code maxBatchSize} images or the oldest
 * has waited {@code maxDelay}; requests already queued when the deadline has passed still join
 * (they would otherwise wait for the next run). The batch runs once and its outputs are split back
 * row by row, so every caller gets exactly what an unbatched run of its own images gives.
 *
 * <p>A request larger than {@code maxBatchSize} runs alone. The queue is bounded: a full queue
 * refuses with {@link OverloadedException} at once rather than letting latency grow without limit.
 */
public final class DynamicBatcher implements AutoCloseable {

    /** Runs one merged batch: {@code n} images of {@code imageSize} floats each. */
    @FunctionalInterface
    public interface BatchRunner {
        InferenceResult run(float[] images, int n) throws Exception;
    }

    private static final Logger LOG = Logger.getLogger(DynamicBatcher.class);

    private record Request(float[] images, int n, long enqueuedNanos, CompletableFuture<InferenceResult> result) {
    }

    private final String name;
    private final int imageSize;
    private final BatchRunner runner;
    private final int maxBatchSize;
    private final long maxDelayNanos;
    private final BlockingQueue<Request> queue;
    private final BatchListener listener;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean closed;

    /**
     * @param name for thread names and messages, e.g. {@code fashion-mnist-supcon v3}
     * @param imageSize floats per image (C * H * W)
     * @param runners runner threads, at least 1
     */
    public DynamicBatcher(String name, int imageSize, BatchRunner runner, int maxBatchSize, Duration maxDelay,
            int maxQueue, int runners, BatchListener listener) {
        if (imageSize < 1 || maxBatchSize < 1 || maxQueue < 1 || runners < 1 || maxDelay.isNegative()) {
            throw new IllegalArgumentException("batcher of " + name + ": imageSize, maxBatchSize, maxQueue and runners must be"
                    + " positive and maxDelay not negative, got " + imageSize + ", " + maxBatchSize + ", " + maxQueue + ", "
                    + runners + ", " + maxDelay);
        }
        this.name = name;
        this.imageSize = imageSize;
        this.runner = runner;
        this.maxBatchSize = maxBatchSize;
        this.maxDelayNanos = maxDelay.toNanos();
        this.queue = new ArrayBlockingQueue<>(maxQueue);
        this.listener = listener;
        for (int i = 0; i < runners; i++) {
            Thread t = new Thread(this::runLoop, "batcher " + name + " #" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    /**
     * Queues {@code n} images ({@code n * imageSize} floats, NCHW).
     *
     * @throws IllegalArgumentException if the length does not match {@code n}
     * @throws OverloadedException if the queue is full
     * @throws ModelUnavailableException if the batcher is closed
     */
    public CompletableFuture<InferenceResult> submit(float[] images, int n) {
        if (n < 1 || images == null || (long) n * imageSize != images.length) {
            throw new IllegalArgumentException("expected " + n + " image(s) of " + imageSize + " values = "
                    + ((long) n * imageSize) + " values, got " + (images == null ? 0 : images.length));
        }
        if (closed) {
            throw new ModelUnavailableException(name + " was unloaded");
        }
        Request r = new Request(images, n, System.nanoTime(), new CompletableFuture<>());
        if (!queue.offer(r)) {
            throw new OverloadedException(name + " is overloaded: " + queue.size() + " requests already wait for a batch");
        }
        return r.result();
    }

    /** Requests waiting now. */
    public int queued() {
        return queue.size();
    }

    /** Stops taking requests; those queued still run. Waits for the runner threads. */
    @Override
    public void close() {
        closed = true;
        for (Thread t : threads) {
            if (t == Thread.currentThread()) {
                continue; // closed from a completion callback on a runner: it exits after this batch
            }
            try {
                t.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (Request r; (r = queue.poll()) != null; ) {
            r.result().completeExceptionally(new ModelUnavailableException(name + " was unloaded"));
        }
    }

    private void runLoop() {
        Request carry = null;
        List<Request> batch = new ArrayList<>();
        while (true) {
            Request first;
            try {
                first = carry != null ? carry : queue.poll(50, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            carry = null;
            if (first == null) {
                if (closed) {
                    return;
                }
                continue;
            }
            batch.clear();
            batch.add(first);
            int total = first.n();
            long deadline = first.enqueuedNanos() + maxDelayNanos;
            while (total < maxBatchSize) {
                long wait = deadline - System.nanoTime();
                Request next;
                try {
                    next = wait > 0 ? queue.poll(wait, TimeUnit.NANOSECONDS) : queue.poll();
                } catch (InterruptedException e) {
                    next = null;
                    Thread.currentThread().interrupt();
                }
                if (next == null) {
                    break;
                }
                if (total + next.n() > maxBatchSize) {
                    carry = next;
                    break;
                }
                batch.add(next);
                total += next.n();
            }
            run(batch, total);
            if (Thread.interrupted()) {
                closed = true;
            }
        }
    }

    private void run(List<Request> batch, int total) {
        long start = System.nanoTime();
        long[] queueNanos = new long[batch.size()];
        for (int i = 0; i < queueNanos.length; i++) {
            queueNanos[i] = start - batch.get(i).enqueuedNanos();
        }
        try {
            listener.batchStarted(total, batch.size(), queueNanos);
        } catch (RuntimeException e) {
            LOG.debugf(e, "batch listener of %s failed", name);
        }
        InferenceResult result;
        try {
            float[] images;
            if (batch.size() == 1) {
                images = batch.get(0).images();
            } else {
                images = new float[total * imageSize];
                int offset = 0;
                for (Request r : batch) {
                    System.arraycopy(r.images(), 0, images, offset, r.images().length);
                    offset += r.images().length;
                }
            }
            result = runner.run(images, total);
            if (result.n() != total) {
                throw new IllegalStateException(name + " returned " + result.n() + " rows for " + total + " images");
            }
        } catch (Exception | LinkageError e) {
            LOG.errorf(e, "a batch of %d image(s) on %s failed", total, name);
            for (Request r : batch) {
                r.result().completeExceptionally(e);
            }
            return;
        }
        if (batch.size() == 1) {
            batch.get(0).result().complete(result);
            return;
        }
        int row = 0;
        for (Request r : batch) {
            r.result().complete(slice(result, row, r.n()));
            row += r.n();
        }
    }

    /** Rows {@code [from, from + n)} of a result. */
    static InferenceResult slice(InferenceResult all, int from, int n) {
        int d = all.embeddingDim();
        int k = all.classes();
        float[] embedding = new float[n * d];
        float[] logits = new float[n * k];
        float[] probabilities = new float[n * k];
        System.arraycopy(all.embedding(), from * d, embedding, 0, n * d);
        System.arraycopy(all.logits(), from * k, logits, 0, n * k);
        System.arraycopy(all.probabilities(), from * k, probabilities, 0, n * k);
        return new InferenceResult(n, d, k, embedding, logits, probabilities);
    }
}
