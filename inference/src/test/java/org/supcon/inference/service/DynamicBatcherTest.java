package org.supcon.inference.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.supcon.inference.model.InferenceResult;
import org.supcon.inference.model.OverloadedException;
import org.supcon.inference.testing.TestModels;

/** The batcher on a real ONNX Runtime session of fixture version 1. */
class DynamicBatcherTest {

    static final int SIZE = 28 * 28;
    static OrtSession session;
    static OrtRunner runner;

    @BeforeAll
    static void load() throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        session = env.createSession(TestModels.model(1), new OrtSession.SessionOptions());
        runner = new OrtRunner(env, session, 1, 28, 28);
    }

    @AfterAll
    static void close() throws Exception {
        session.close();
    }

    static float[] images(int n, long seed) {
        Random random = new Random(seed);
        float[] x = new float[n * SIZE];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextInt(256);
        }
        return x;
    }

    @Test
    void concurrentCallersGetTheirOwnUnbatchedResultsAndShareBatches() throws Exception {
        InferenceMetrics metrics = new InferenceMetrics(new SimpleMeterRegistry(), "test");
        int callers = 16;
        // a long delay so that the callers meet in the queue; they are released together
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try (DynamicBatcher batcher = new DynamicBatcher("test", SIZE, runner, 64, Duration.ofMillis(500), 100, 1, metrics)) {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<InferenceResult>> results = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                int n = 1 + c % 3;
                long seed = c;
                results.add(pool.submit(() -> {
                    start.await();
                    return batcher.submit(images(n, seed), n).get();
                }));
            }
            start.countDown();
            for (int c = 0; c < callers; c++) {
                int n = 1 + c % 3;
                InferenceResult batched = results.get(c).get();
                InferenceResult alone = runner.run(images(n, c), n);
                assertEquals(n, batched.n());
                assertArrayEquals(alone.embedding(), batched.embedding(), 1e-5f, "embedding of caller " + c);
                assertArrayEquals(alone.logits(), batched.logits(), 1e-4f, "logits of caller " + c);
                assertArrayEquals(alone.probabilities(), batched.probabilities(), 1e-5f, "probabilities of caller " + c);
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(metrics.batchSize().max() > 3, "largest batch " + metrics.batchSize().max() + " images: no merging");
        int expected = 0;
        for (int c = 0; c < callers; c++) {
            expected += 1 + c % 3;
        }
        assertEquals(expected, (long) metrics.batchSize().totalAmount(), "every image ran exactly once");
    }

    @Test
    void aBatchNeverExceedsTheMaximumButALargerRequestRunsAlone() throws Exception {
        InferenceMetrics metrics = new InferenceMetrics(new SimpleMeterRegistry(), "test");
        try (DynamicBatcher batcher = new DynamicBatcher("test", SIZE, runner, 4, Duration.ofMillis(100), 100, 1, metrics)) {
            List<CompletableFuture<InferenceResult>> futures = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                futures.add(batcher.submit(images(3, i), 3));
            }
            CompletableFuture<InferenceResult> big = batcher.submit(images(9, 99), 9);
            for (CompletableFuture<InferenceResult> f : futures) {
                assertEquals(3, f.get().n());
            }
            assertArrayEquals(runner.run(images(9, 99), 9).logits(), big.get().logits(), 1e-4f);
        }
        assertEquals(9, metrics.batchSize().max(), "the 9-image request ran alone, the others in batches of at most 4");
        assertEquals(7, metrics.batchSize().count(), "3-image requests cannot pair under a maximum of 4");
    }

    @Test
    void aFullQueueRefusesAtOnceAndWrongLengthsAreRejected() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        DynamicBatcher.BatchRunner blocked = (x, n) -> {
            release.await();
            return runner.run(x, n);
        };
        try (DynamicBatcher batcher = new DynamicBatcher("test", SIZE, blocked, 1, Duration.ZERO, 2, 1, BatchListener.NONE)) {
            CompletableFuture<InferenceResult> running = batcher.submit(images(1, 1), 1);
            // the runner holds the first; wait until it took it, then fill the queue of 2
            while (batcher.queued() > 0) {
                Thread.onSpinWait();
            }
            CompletableFuture<InferenceResult> a = batcher.submit(images(1, 2), 1);
            CompletableFuture<InferenceResult> b = batcher.submit(images(1, 3), 1);
            OverloadedException e = assertThrows(OverloadedException.class, () -> batcher.submit(images(1, 4), 1));
            assertTrue(e.getMessage().contains("overloaded"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> batcher.submit(new float[SIZE + 1], 1));
            release.countDown();
            assertEquals(1, running.get().n());
            assertEquals(1, a.get().n());
            assertEquals(1, b.get().n());
        }
    }
}
