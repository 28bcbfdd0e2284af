package org.supcon.trainer.producer;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The ingest progress bar: redrawn in place on a terminal, a line every few seconds otherwise
 * (logs, CI). Counts acknowledged records, not queued ones.
 */
final class IngestProgress {

    private final PrintStream out;
    private final boolean interactive;
    private final long intervalNanos;
    private final long start = System.nanoTime();
    private long lastPrint = start;

    IngestProgress(PrintStream out, boolean interactive) {
        this.out = out;
        this.interactive = interactive;
        this.intervalNanos = interactive ? 250_000_000L : 5_000_000_000L;
    }

    /** Prints the state if the interval has passed since the last print. */
    void update(IngestTally tally, long total) {
        long now = System.nanoTime();
        if (now - lastPrint >= intervalNanos) {
            lastPrint = now;
            print(tally, total, now);
        }
    }

    /** Prints the final state and ends the redrawn line. */
    void finish(IngestTally tally, long total) {
        print(tally, total, System.nanoTime());
        if (interactive) {
            out.println();
        }
        out.flush();
    }

    private void print(IngestTally tally, long total, long now) {
        long done = tally.sent() + tally.failed();
        double seconds = (now - start) / 1e9;
        String line = String.format(Locale.ROOT, "%s %d/%d  %d sent, %d failed, %.0f rec/s, %.1f MB",
                org.supcon.trainer.train.ConsoleProgress.bar(done, total), done, total, tally.sent(), tally.failed(), seconds > 0 ? tally.sent() / seconds : 0,
                tally.bytes() / 1e6);
        if (interactive) {
            out.print("\r" + line + "   ");
        } else {
            out.println(line);
        }
        out.flush();
    }

}
