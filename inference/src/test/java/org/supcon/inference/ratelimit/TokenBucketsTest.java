package org.supcon.inference.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** The token-bucket arithmetic on a hand-driven clock: burst, refill, Retry-After, eviction, the client bound. */
class TokenBucketsTest {

    private static final long MS = 1_000_000L;
    private static final long S = 1_000 * MS;

    /** A clock that moves only when told; it starts far from 0, as System.nanoTime may. */
    private final AtomicLong clock = new AtomicLong(-7_000_000_000_000L);

    private void advance(long nanos) {
        clock.addAndGet(nanos);
    }

    private TokenBuckets buckets(double rate, int burst, int maxClients) {
        return new TokenBuckets(rate, burst, maxClients, clock::get);
    }

    @Test
    void aFullBucketAdmitsTheBurstThenOneRequestPerInterval() {
        TokenBuckets b = buckets(2, 3, 100);
        for (int i = 0; i < 3; i++) {
            assertEquals(0, b.tryAcquire("a"), "request " + i + " of the burst");
        }
        assertEquals(500 * MS, b.tryAcquire("a"), "the next token comes 1/rate after the burst");
        advance(200 * MS);
        assertEquals(300 * MS, b.tryAcquire("a"), "refused requests take nothing: still 300 ms to go");
        advance(300 * MS);
        assertEquals(0, b.tryAcquire("a"));
        assertEquals(500 * MS, b.tryAcquire("a"));
        // a long idle time refills the bucket to its size, no more
        advance(60 * S);
        for (int i = 0; i < 3; i++) {
            assertEquals(0, b.tryAcquire("a"), "request " + i + " after a minute idle");
        }
        assertEquals(500 * MS, b.tryAcquire("a"));
    }

    @Test
    void refillIsProportionalToTheTimePassed() {
        TokenBuckets b = buckets(10, 5, 100);
        for (int i = 0; i < 5; i++) {
            assertEquals(0, b.tryAcquire("a"));
        }
        advance(250 * MS);   // 2.5 tokens back: two requests now, the third in 50 ms
        assertEquals(0, b.tryAcquire("a"));
        assertEquals(0, b.tryAcquire("a"));
        assertEquals(50 * MS, b.tryAcquire("a"));
    }

    @Test
    void burstOfOneIsAPlainRate() {
        TokenBuckets b = buckets(0.4, 1, 100);   // one request per 2.5 s
        assertEquals(0, b.tryAcquire("a"));
        long wait = b.tryAcquire("a");
        assertEquals(2500 * MS, wait);
        assertEquals(3, TokenBuckets.retryAfterSeconds(wait));
    }

    @Test
    void retryAfterRoundsUpToWholeSecondsAndIsAtLeastOne() {
        assertEquals(1, TokenBuckets.retryAfterSeconds(1));
        assertEquals(1, TokenBuckets.retryAfterSeconds(500 * MS));
        assertEquals(1, TokenBuckets.retryAfterSeconds(S));
        assertEquals(2, TokenBuckets.retryAfterSeconds(S + 1));
        assertEquals(5, TokenBuckets.retryAfterSeconds(4 * S + 1));
        assertEquals(1, TokenBuckets.retryAfterSeconds(0), "never 0, which would invite an immediate retry");
    }

    @Test
    void clientsHaveTheirOwnBuckets() {
        TokenBuckets b = buckets(1, 2, 100);
        assertEquals(0, b.tryAcquire("a"));
        assertEquals(0, b.tryAcquire("a"));
        assertTrue(b.tryAcquire("a") > 0);
        assertEquals(0, b.tryAcquire("b"));
        assertEquals(0, b.tryAcquire("b"));
        assertTrue(b.tryAcquire("b") > 0);
        assertEquals(2, b.clients());
    }

    @Test
    void fullBucketsAreDroppedByTheSweepAndRefillingOnesKept() {
        TokenBuckets b = buckets(1, 2, 100);
        b.tryAcquire("a");                      // full again at +1 s
        b.tryAcquire("b");
        b.tryAcquire("b");                      // full again at +2 s
        advance(500 * MS);
        b.tryAcquire("c");                      // no sweep yet: the first comes a second after the start
        assertEquals(3, b.clients());
        advance(1000 * MS);                     // +1.5 s: a and c are full, b is refilling
        b.tryAcquire("d");                      // a new client runs the sweep
        assertEquals(2, b.clients(), "b (refilling) and d (new) stay");
        assertEquals(500 * MS, waitAfterSpending(b, "b"), "b kept its state: half a token after 1.5 s of refill");
        advance(200 * MS);
        b.tryAcquire("e");                      // a sweep at most once a second: nothing dropped
        assertEquals(3, b.clients());
        advance(10 * S);
        b.tryAcquire("f");
        assertEquals(1, b.clients(), "everything idle is dropped");
        // a dropped client starts over with a full bucket, as it would have anyway
        assertEquals(0, b.tryAcquire("a"));
        assertEquals(0, b.tryAcquire("a"));
        assertTrue(b.tryAcquire("a") > 0);
    }

    /** Spends the tokens {@code key} holds and returns the wait then reported. */
    private static long waitAfterSpending(TokenBuckets b, String key) {
        long wait;
        while ((wait = b.tryAcquire(key)) == 0) {
            // spend
        }
        return wait;
    }

    @Test
    void beyondMaxClientsNewClientsShareOneBucketUntilASweepMakesRoom() {
        TokenBuckets b = buckets(1, 1, 2);
        assertEquals(0, b.tryAcquire("a"));
        assertEquals(0, b.tryAcquire("b"));
        assertEquals(2, b.clients());
        // a and b are refilling: c and d share the overflow bucket (one request per second between them)
        assertEquals(0, b.tryAcquire("c"));
        assertEquals(S, b.tryAcquire("d"));
        assertEquals(S, b.tryAcquire("c"));
        assertEquals(2, b.clients(), "no memory for them");
        assertEquals(S, b.tryAcquire("a"), "a keeps its own budget");
        advance(1100 * MS);                     // a and b full again: the sweep drops them
        assertEquals(0, b.tryAcquire("d"));
        assertEquals(1, b.clients(), "d has its own bucket now");
        assertEquals(0, b.tryAcquire("c"));
        assertEquals(2, b.clients());
    }

    @Test
    void concurrentCallersNeverGetMoreThanTheBucketHolds() throws Exception {
        int threads = 8;
        int burst = 1000;
        TokenBuckets b = buckets(0.001, burst, 100);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> admitted = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                admitted.add(pool.submit(() -> {
                    start.await();
                    int n = 0;
                    for (int i = 0; i < 500; i++) {
                        n += b.tryAcquire("shared") == 0 ? 1 : 0;
                    }
                    return n;
                }));
            }
            start.countDown();
            int total = 0;
            for (Future<Integer> f : admitted) {
                total += f.get(60, TimeUnit.SECONDS);
            }
            assertEquals(burst, total, "4000 attempts on a full bucket of 1000 with the clock stopped");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void badSettingsAreRefusedNamingThem() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> buckets(0, 1, 1)).getMessage().contains("rate"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> buckets(Double.NaN, 1, 1)).getMessage().contains("rate"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> buckets(1e-9, 1, 1)).getMessage().contains("at least 0.001"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> buckets(0.001, Integer.MAX_VALUE, 1)).getMessage()
                .contains("burst of 2147483647"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> buckets(1, 0, 1)).getMessage().contains("burst"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> buckets(1, 1, 0)).getMessage().contains("max clients"));
    }
}
