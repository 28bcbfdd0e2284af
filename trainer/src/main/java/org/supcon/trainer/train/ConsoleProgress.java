package org.supcon.trainer.train;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Progress on a terminal: a bar redrawn in place when stdout is a terminal, a line every few
 * seconds otherwise (logs, CI), and one line per epoch either way.
 */
public class ConsoleProgress implements ProgressListener {

    private final PrintStream out;
    private final boolean interactive;
    private final long intervalNanos;
    private long lastPrint;

    public ConsoleProgress(PrintStream out, boolean interactive) {
        this.out = out;
        this.interactive = interactive;
        this.intervalNanos = interactive ? 250_000_000L : 15_000_000_000L;
    }

    public static ConsoleProgress forStdout() {
        return new ConsoleProgress(System.out, System.console() != null);
    }

    @Override
    public void onStep(Step p) {
        long now = System.nanoTime();
        if (now - lastPrint < intervalNanos && p.step() != p.stepsPerEpoch()) {
            return;
        }
        lastPrint = now;
        String line = String.format(Locale.ROOT, "epoch %d/%d %s %d/%d  loss %.4f  lr %.4f  %.0f img/s  ETA %s",
                p.epoch(), p.epochs(), bar(p.step(), p.stepsPerEpoch()), p.step(), p.stepsPerEpoch(), p.loss(),
                p.learningRate(), p.imagesPerSecond(), duration(p.etaSeconds()));
        if (interactive) {
            out.print("\r" + line + "   ");
        } else {
            out.println(line);
        }
        out.flush();
    }

    @Override
    public void onEpoch(EpochStats s, int epochs) {
        if (interactive) {
            out.print("\r");
        }
        out.printf(Locale.ROOT, "epoch %d/%d done: loss %.4f  lr %.4f  %.0f img/s  data wait %.1f%%  %s%s  (%.0f s)%n",
                s.epoch(), epochs, s.loss(), s.learningRate(), s.imagesPerSecond(), 100 * s.dataWaitShare(),
                Double.isNaN(s.validationAccuracy()) ? "" : "validation accuracy ",
                Double.isNaN(s.validationAccuracy()) ? "" : String.format(Locale.ROOT, "%.4f", s.validationAccuracy()),
                s.seconds());
        out.flush();
    }

    @Override
    public void onEmbedding(int done, int total, double imagesPerSecond) {
        long now = System.nanoTime();
        if (now - lastPrint < intervalNanos && done != total) {
            return;
        }
        lastPrint = now;
        String line = String.format(Locale.ROOT, "embedding %s %d/%d  %.0f img/s  ETA %s", bar(done, total), done, total,
                imagesPerSecond, duration((total - done) / imagesPerSecond));
        if (interactive) {
            out.print("\r" + line + (done == total ? "\n" : "   "));
        } else {
            out.println(line);
        }
        out.flush();
    }

    @Override
    public void onResumed(int completedEpochs, int epochs, Path checkpoint) {
        line("resuming from " + checkpoint + " after epoch " + completedEpochs + " of " + epochs);
    }

    private void line(String message) {
        out.println(message);
        out.flush();
    }

    /** A 20-character progress bar, {@code [#####...............]}. */
    public static String bar(long done, long total) {
        int width = 20;
        int filled = total <= 0 ? width : (int) Math.min(width, done * width / total);
        return "[" + "#".repeat(filled) + ".".repeat(width - filled) + "]";
    }

    static String duration(double seconds) {
        if (!Double.isFinite(seconds) || seconds < 0) {
            return "?";
        }
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s % 3600) / 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
