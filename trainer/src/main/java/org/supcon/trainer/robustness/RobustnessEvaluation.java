package org.supcon.trainer.robustness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.supcon.trainer.images.ImageSet;

/**
 * Robustness of an exported model to image corruptions: the test images clean, then under every
 * corruption at every severity, through the model (and a baseline, on the same corrupted images)
 * in ONNX Runtime; the result is a {@link RobustnessReport} and its files.
 */
public final class RobustnessEvaluation {

    /** The heat map of accuracy per corruption and severity (and, with a baseline, the difference). */
    public static final String HEAT_MAP = "robustness.png";
    /** Images corrupted and classified at a time. */
    static final int PART = 4096;

    private RobustnessEvaluation() {}

    /**
     * What to evaluate.
     *
     * @param corruptions at least one, no repeats
     * @param severities each 1..5, ascending, no repeats
     * @param seed seeds the corruptions' random draws
     */
    public record Options(List<Corruption> corruptions, List<Integer> severities, long seed) {
        public Options {
            corruptions = List.copyOf(corruptions);
            severities = List.copyOf(severities);
            if (corruptions.isEmpty() || corruptions.stream().distinct().count() != corruptions.size()) {
                throw new IllegalArgumentException("corruptions must be at least one, without repeats, got " + corruptions);
            }
            if (severities.isEmpty()) {
                throw new IllegalArgumentException("severities must not be empty");
            }
            for (int i = 0; i < severities.size(); i++) {
                Corruption.checkSeverity(severities.get(i));
                if (i > 0 && severities.get(i) <= severities.get(i - 1)) {
                    throw new IllegalArgumentException("severities must be ascending without repeats, got " + severities);
                }
            }
        }

        /** Every corruption at severities 1 to 5. */
        public static Options all(long seed) {
            return new Options(List.of(Corruption.values()), List.of(1, 2, 3, 4, 5), seed);
        }
    }

    /** Progress, one call per condition group, for a console or a run's status. */
    public interface Progress {
        Progress NONE = new Progress() {};

        default void onClean(double accuracy, Double baselineAccuracy) {}

        /** A corruption done at every severity; {@code done} of {@code total} corruptions. */
        default void onCorruption(RobustnessReport.CorruptionResult result, int done, int total) {}
    }

    /**
     * One line for a person: {@code gaussian-noise   91.2 88.0 85.3 84.1 82.9  CE 0.93  (4.1 s)}.
     */
    public static String line(RobustnessReport.CorruptionResult r, int done, int total) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "corruption %2d/%d %-15s accuracy %%", done, total,
                r.corruption()));
        for (double a : r.accuracy()) {
            sb.append(String.format(Locale.ROOT, " %5.1f", 100 * a));
        }
        if (r.ce() != null) {
            sb.append(String.format(Locale.ROOT, "  CE %.3f", r.ce()));
        }
        sb.append(String.format(Locale.ROOT, "  (%.1f s)", r.seconds()));
        return sb.toString();
    }

    /**
     * Evaluates {@code model} (and {@code baseline}, if not null) on {@code set}.
     *
     * @param modelRef names the model in the report
     * @param baselineRef names the baseline; null when there is none
     * @param dataset the set's origin, one line
     * @throws IllegalArgumentException if the set's classes or image shape do not match a model's
     */
    public static RobustnessReport run(OnnxClassifier model, RobustnessReport.ModelRef modelRef, OnnxClassifier baseline,
            RobustnessReport.ModelRef baselineRef, ImageSet set, String dataset, Options options, Progress progress) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(set, "set");
        if (set.size() == 0) {
            throw new IllegalArgumentException("the test set is empty: nothing to evaluate");
        }
        model.requireCompatible(set, "the dataset");
        if (baseline != null) {
            baseline.requireCompatible(set, "the dataset");
        }
        long t0 = System.nanoTime();
        double clean = model.accuracy(set);
        Double baselineClean = baseline == null ? null : baseline.accuracy(set);
        progress.onClean(clean, baselineClean);
        List<RobustnessReport.CorruptionResult> results = new ArrayList<>();
        double sumAccuracy = 0;
        int conditions = 0;
        for (Corruption c : options.corruptions()) {
            long tc = System.nanoTime();
            List<Double> parameters = new ArrayList<>();
            List<Double> accuracy = new ArrayList<>();
            List<Double> baselineAccuracy = baseline == null ? null : new ArrayList<>();
            for (int severity : options.severities()) {
                int correct = 0;
                int baselineCorrect = 0;
                // a part at a time: a corrupted copy of a large set of large images would double its memory
                for (int from = 0; from < set.size(); from += PART) {
                    ImageSet corrupted = c.apply(set, from, Math.min(set.size(), from + PART), severity, options.seed());
                    correct += model.correct(corrupted);
                    baselineCorrect += baseline == null ? 0 : baseline.correct(corrupted);
                }
                parameters.add(c.parameters()[severity - 1]);
                double a = (double) correct / set.size();
                accuracy.add(a);
                sumAccuracy += a;
                conditions++;
                if (baseline != null) {
                    baselineAccuracy.add((double) baselineCorrect / set.size());
                }
            }
            Double ce = null;
            Double relativeCe = null;
            if (baseline != null) {
                double err = 0;
                double baseErr = 0;
                double rel = 0;
                double baseRel = 0;
                for (int s = 0; s < accuracy.size(); s++) {
                    err += 1 - accuracy.get(s);
                    baseErr += 1 - baselineAccuracy.get(s);
                    rel += (1 - accuracy.get(s)) - (1 - clean);
                    baseRel += (1 - baselineAccuracy.get(s)) - (1 - baselineClean);
                }
                ce = baseErr > 0 ? err / baseErr : null;
                relativeCe = baseRel > 0 ? rel / baseRel : null;
            }
            RobustnessReport.CorruptionResult r = new RobustnessReport.CorruptionResult(c.cliName(), c.parameterName(),
                    parameters, accuracy, baselineAccuracy, ce, relativeCe, (System.nanoTime() - tc) / 1e9);
            results.add(r);
            progress.onCorruption(r, results.size(), options.corruptions().size());
        }
        return new RobustnessReport(modelRef, baselineRef, dataset, set.size(), options.seed(), options.severities(),
                clean, baselineClean, results, sumAccuracy / conditions,
                mean(results.stream().map(RobustnessReport.CorruptionResult::ce).toList()),
                mean(results.stream().map(RobustnessReport.CorruptionResult::relativeCe).toList()),
                (System.nanoTime() - t0) / 1e9);
    }

    /** Mean of the non-null values; null when there are none. */
    private static Double mean(List<Double> values) {
        List<Double> defined = values.stream().filter(Objects::nonNull).toList();
        return defined.isEmpty() ? null : defined.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }

    /**
     * Writes {@value RobustnessReport#FILE}, {@value #HEAT_MAP} and {@value CorruptionGrid#FILE}
     * (image {@code exampleIndex} of {@code set} under every condition) into {@code dir}.
     *
     * @return file name to path of every file written, in that order
     */
    public static Map<String, Path> write(Path dir, RobustnessReport report, ImageSet set, int exampleIndex,
            Options options) throws IOException {
        Files.createDirectories(dir);
        Map<String, Path> files = new LinkedHashMap<>();
        Path json = dir.resolve(RobustnessReport.FILE);
        report.write(json);
        files.put(RobustnessReport.FILE, json);
        Path png = dir.resolve(HEAT_MAP);
        RobustnessPlots.write(report, png);
        files.put(HEAT_MAP, png);
        Path grid = dir.resolve(CorruptionGrid.FILE);
        CorruptionGrid.write(grid, set, exampleIndex, options.corruptions(), options.severities(), options.seed());
        files.put(CorruptionGrid.FILE, grid);
        return files;
    }
}
