package org.supcon.inference.ratelimit;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * One token bucket per client key: a client may send {@code burst} requests at once and
 * {@code ratePerSecond} requests per second sustained; a request over that is refused with the
 * time until its next token.
 *
 * <p>Each bucket is a single {@code long} updated by compare-and-set (the "theoretical arrival
 * time" of the generic cell rate algorithm, which is exactly a token bucket: {@code tat - now} is
 * the time the bucket needs to refill, one token being worth {@code 1/rate} s). No locks on the
 * request path.
 *
 * <p>Memory is bounded by {@code maxClients}. A bucket whose {@code tat} has passed is full, which
 * is what a new bucket is, so dropping it changes nothing; a sweep drops those, at most once a
 * second, when a client without a bucket arrives. When {@code maxClients} buckets are still
 * refilling after that sweep, new clients share one overflow bucket (same rate and burst) until a
 * later sweep makes room: never unlimited, never more memory.
 */
public final class TokenBuckets {

    /** A bucket being dropped by a sweep: callers that still hold it look it up again. */
    private static final long DROPPED = Long.MIN_VALUE;
    private static final long SWEEP_INTERVAL_NANOS = 1_000_000_000L;
    private static final double MIN_RATE = 0.001;

    private final long interval;
    private final long tolerance;
    private final int maxClients;
    private final LongSupplier clock;
    private final long origin;
    private final ConcurrentHashMap<String, AtomicLong> buckets = new ConcurrentHashMap<>();
    private final AtomicLong overflow = new AtomicLong();
    private final AtomicLong lastSweep;

    /**
     * @param ratePerSecond sustained requests per second per key, at least 0.001 (fractions allowed: 0.5 is one per 2 s)
     * @param burst requests a full bucket admits at once, at least 1
     * @param maxClients most keys with their own bucket, at least 1
     * @param nanoClock monotonic nanoseconds ({@code System::nanoTime}; tests inject their own)
     */
    public TokenBuckets(double ratePerSecond, int burst, int maxClients, LongSupplier nanoClock) {
        if (!(ratePerSecond >= MIN_RATE) || Double.isInfinite(ratePerSecond)) {
            throw new IllegalArgumentException("the rate must be at least " + MIN_RATE + " requests per second (one per 1000 s), not "
                    + ratePerSecond);
        }
        if (burst < 1) {
            throw new IllegalArgumentException("the burst must be at least 1, not " + burst);
        }
        if (maxClients < 1) {
            throw new IllegalArgumentException("max clients must be at least 1, not " + maxClients);
        }
        this.interval = Math.max(1, Math.round(1e9 / ratePerSecond));
        try {
            this.tolerance = Math.multiplyExact(interval, burst - 1L);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("a burst of " + burst + " at " + ratePerSecond + " requests per second takes centuries to refill");
        }
        this.maxClients = maxClients;
        this.clock = nanoClock;
        // times are kept relative to the start, so that they are >= 0 and DROPPED is never a real time
        this.origin = nanoClock.getAsLong();
        this.lastSweep = new AtomicLong(0);
    }

    /**
     * Takes one token from {@code key}'s bucket.
     *
     * @return 0 when the request is admitted, otherwise the nanoseconds until the bucket holds a token again (&gt; 0)
     */
    public long tryAcquire(String key) {
        while (true) {
            long now = now();
            AtomicLong bucket = bucket(key, now);
            long tat = bucket.get();
            if (tat == DROPPED) {
                buckets.remove(key, bucket);
                continue;
            }
            long start = Math.max(tat, now);
            long wait = start - now - tolerance;
            if (wait > 0) {
                return wait;
            }
            if (bucket.compareAndSet(tat, start + interval)) {
                return 0;
            }
        }
    }

    /** Whole seconds a client should wait for {@code waitNanos}: rounded up, at least 1 (the unit of {@code Retry-After}). */
    public static long retryAfterSeconds(long waitNanos) {
        return Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
    }

    /** Keys holding their own bucket now (not the overflow one). */
    public int clients() {
        return buckets.size();
    }

    private long now() {
        return clock.getAsLong() - origin;
    }

    private AtomicLong bucket(String key, long now) {
        AtomicLong bucket = buckets.get(key);
        if (bucket != null) {
            return bucket;
        }
        long last = lastSweep.get();
        if (now - last >= SWEEP_INTERVAL_NANOS && lastSweep.compareAndSet(last, now)) {
            sweep(now);
        }
        if (buckets.size() >= maxClients) {
            return overflow;
        }
        // a new bucket is full: tat = now
        return buckets.computeIfAbsent(key, k -> new AtomicLong(now));
    }

    /** Drops every full bucket (its theoretical arrival time has passed): behaviour stays the same, memory is freed. */
    private void sweep(long now) {
        for (Iterator<Map.Entry<String, AtomicLong>> it = buckets.entrySet().iterator(); it.hasNext();) {
            Map.Entry<String, AtomicLong> e = it.next();
            AtomicLong bucket = e.getValue();
            long tat = bucket.get();
            // the CAS makes a concurrent tryAcquire on this bucket either land before (then the bucket is
            // not full and stays) or see DROPPED and retry on a fresh one: no admitted request is forgotten
            if (tat != DROPPED && tat <= now && bucket.compareAndSet(tat, DROPPED)) {
                buckets.remove(e.getKey(), bucket);
            }
        }
    }
}
