package org.supcon.trainer.producer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts what an ingest run achieved. Thread-safe: the producer's I/O thread reports
 * acknowledgements while the main thread reads the counts for the progress bar.
 */
public final class IngestTally {

    /** How many failure reasons are kept; the rest is only counted. */
    public static final int KEPT_REASONS = 5;

    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final List<String> reasons = new ArrayList<>();

    /** A record the broker acknowledged, {@code bytes} = key + value size. */
    public void sent(long recordBytes) {
        bytes.addAndGet(recordBytes);
        sent.incrementAndGet();
    }

    /** A record that was not stored: it could not be built, or the broker or client rejected it. */
    public void failed(String id, String reason) {
        failed.incrementAndGet();
        synchronized (reasons) {
            if (reasons.size() < KEPT_REASONS) {
                reasons.add(id + ": " + reason);
            }
        }
    }

    public long sent() {
        return sent.get();
    }

    public long failed() {
        return failed.get();
    }

    public long bytes() {
        return bytes.get();
    }

    /** The first {@value #KEPT_REASONS} failures as {@code "<id>: <reason>"}. */
    public List<String> reasons() {
        synchronized (reasons) {
            return List.copyOf(reasons);
        }
    }
}
