package org.supcon.trainer.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.supcon.common.repository.ModelCard;
import org.supcon.common.repository.RepositoryLayout;
import org.supcon.trainer.images.DatasetException;
import org.supcon.trainer.images.DatasetSource;
import org.supcon.trainer.images.ImageSet;
import org.supcon.trainer.repository.ModelRepository;
import org.supcon.trainer.repository.PublishedVersion;
import org.supcon.trainer.robustness.Corruption;
import org.supcon.trainer.robustness.OnnxClassifier;
import org.supcon.trainer.robustness.RobustnessEvaluation;
import org.supcon.trainer.robustness.RobustnessReport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code evaluate}: robustness of an exported model (a published version or any {@code model.onnx})
 * to image corruptions, on a dataset's test images, in ONNX Runtime in process; with a baseline
 * model, the corruption errors relative to it and their mean (mCE). See {@link RobustnessEvaluation}.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Accuracy of an exported model on the test images, clean and under image corruptions (ImageNet-C"
                + " families) at severities 1-5; with --baseline, the corruption error of each corruption relative to the"
                + " baseline and their mean (mCE). Writes robustness.json, robustness.png and corruptions.png into --output."})
public final class EvaluateCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "ROOT/NAME/VERSION|FILE.onnx",
            description = "a published version directory or an exported model file")
    Path model;

    @Option(names = "--dataset", paramLabel = "fashion-mnist|PATH", defaultValue = "fashion-mnist",
            description = "its test split: Fashion-MNIST's test files or a folder's held-out 20%% (default: ${DEFAULT-VALUE})")
    String dataset;

    @Option(names = "--corruptions", paramLabel = "LIST|all", defaultValue = "all",
            description = "comma-separated corruptions, or all (default: ${DEFAULT-VALUE}): gaussian-noise, shot-noise,"
                    + " impulse-noise, gaussian-blur, defocus-blur, motion-blur, contrast, brightness, pixelate, jpeg, elastic,"
                    + " rotate, shift")
    String corruptions;

    @Option(names = "--severities", paramLabel = "1-5|1,3,5", defaultValue = "1-5",
            description = "a range or a comma-separated list of severities in 1..5 (default: ${DEFAULT-VALUE})")
    String severities;

    @Option(names = "--baseline", paramLabel = "ROOT/NAME/VERSION|FILE.onnx",
            description = "the model the corruption errors are relative to (e.g. the cross-entropy baseline)")
    Path baseline;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "seeds the corruptions (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--test-limit", paramLabel = "N", defaultValue = "0",
            description = "evaluate on the first N test images, 0 = all (default: ${DEFAULT-VALUE})")
    int testLimit;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "where the files go")
    Path output;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** A model file and how the report names it (null until read from the model's metadata). */
    record Located(byte[] onnx, Path path, RobustnessReport.ModelRef ref) {

        /** Named by its model card, or else by its ONNX metadata. */
        Located named(OnnxClassifier classifier) {
            return ref != null ? this : new Located(onnx, path, new RobustnessReport.ModelRef(
                    classifier.metadata().modelName(), classifier.metadata().modelVersion(), path.toString()));
        }
    }

    @Override
    public Integer call() throws IOException {
        List<Corruption> chosen = corruptions(corruptions);
        List<Integer> levels = severities(severities);
        if (testLimit < 0) {
            throw usage("--test-limit must not be negative, got " + testLimit);
        }
        Located m = locate("--model", model);
        Located b = baseline == null ? null : locate("--baseline", baseline);
        ImageSet test;
        String description;
        try {
            DatasetSource.Loaded loaded = DatasetSource.load(dataset);
            test = testLimit > 0 ? loaded.test().head(testLimit) : loaded.test();
            description = loaded.description() + (testLimit > 0 && testLimit < loaded.test().size()
                    ? "; the first " + test.size() + " test images" : "");
        } catch (DatasetException e) {
            throw usage("--dataset " + dataset + ": " + e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        RobustnessEvaluation.Options options = new RobustnessEvaluation.Options(chosen, levels, seed);
        try (OnnxClassifier classifier = open("--model", model, m);
                OnnxClassifier base = b == null ? null : open("--baseline", baseline, b)) {
            if (base != null && !new TreeSet<>(base.labels()).equals(new TreeSet<>(classifier.labels()))) {
                throw usage("--baseline " + baseline + " predicts " + base.labels() + " but --model " + model
                        + " predicts " + classifier.labels() + "; a baseline must have the model's classes");
            }
            check("--model", model, classifier, test);
            if (base != null) {
                check("--baseline", baseline, base, test);
            }
            m = m.named(classifier);
            b = b == null ? null : b.named(base);
            out.printf(Locale.ROOT, "evaluating %s v%s%s on %d test images (%s), %d corruptions x severities %s, seed %d%n",
                    m.ref().name(), m.ref().version(), b == null ? "" : " against " + b.ref().name() + " v" + b.ref().version(),
                    test.size(), description, chosen.size(), levels, seed);
            out.flush();
            RobustnessReport report = RobustnessEvaluation.run(classifier, m.ref(), base, b == null ? null : b.ref(),
                    test, description, options, new RobustnessEvaluation.Progress() {
                        @Override
                        public void onClean(double accuracy, Double baselineAccuracy) {
                            out.printf(Locale.ROOT, "clean accuracy %.2f %%%s%n", 100 * accuracy, baselineAccuracy == null
                                    ? "" : String.format(Locale.ROOT, " (baseline %.2f %%)", 100 * baselineAccuracy));
                            out.flush();
                        }

                        @Override
                        public void onCorruption(RobustnessReport.CorruptionResult r, int done, int total) {
                            out.println(RobustnessEvaluation.line(r, done, total));
                            out.flush();
                        }
                    });
            Map<String, Path> files = RobustnessEvaluation.write(output, report, test, 0, options);
            summary(out, report);
            out.println("wrote " + String.join(", ", files.values().stream().map(Path::toString).toList()));
            out.flush();
        }
        return 0;
    }

    /** The table on stdout: accuracy per severity, its mean and, with a baseline, CE and relative CE. */
    static void summary(PrintWriter out, RobustnessReport r) {
        boolean base = r.baseline() != null;
        out.println();
        StringBuilder head = new StringBuilder("| corruption |");
        StringBuilder rule = new StringBuilder("|---|");
        for (int s : r.severities()) {
            head.append(" s").append(s).append(" |");
            rule.append("---|");
        }
        head.append(" mean |").append(base ? " CE | relative CE |" : "");
        rule.append("---|").append(base ? "---|---|" : "");
        out.println(head);
        out.println(rule);
        for (RobustnessReport.CorruptionResult c : r.corruptions()) {
            StringBuilder row = new StringBuilder("| " + c.corruption() + " |");
            for (double a : c.accuracy()) {
                row.append(String.format(Locale.ROOT, " %.2f |", 100 * a));
            }
            row.append(String.format(Locale.ROOT, " %.2f |", 100 * c.meanAccuracy()));
            if (base) {
                row.append(' ').append(format(c.ce())).append(" | ").append(format(c.relativeCe())).append(" |");
            }
            out.println(row);
        }
        out.println();
        out.printf(Locale.ROOT, "clean accuracy %.2f %%, mean corrupted accuracy %.2f %%%s (%d images, %.1f s)%n",
                100 * r.cleanAccuracy(), 100 * r.meanCorruptedAccuracy(), base ? String.format(Locale.ROOT,
                        "; baseline clean %.2f %%; mCE %s, relative mCE %s", 100 * r.baselineCleanAccuracy(),
                        format(r.mCE()), format(r.relativeMCE())) : "", r.testImages(), r.seconds());
    }

    private static String format(Double v) {
        return v == null ? "n/a" : String.format(Locale.ROOT, "%.3f", v);
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    static List<Corruption> corruptions(String value, java.util.function.Function<String, RuntimeException> usage) {
        if (value.trim().equalsIgnoreCase("all")) {
            return List.of(Corruption.values());
        }
        List<Corruption> list = new ArrayList<>();
        for (String name : value.split(",", -1)) {
            Corruption c;
            try {
                c = Corruption.fromName(name);
            } catch (IllegalArgumentException e) {
                throw usage.apply("--corruptions: " + e.getMessage() + " (or all)");
            }
            if (list.contains(c)) {
                throw usage.apply("--corruptions names " + c.cliName() + " twice");
            }
            list.add(c);
        }
        return list;
    }

    private List<Corruption> corruptions(String value) {
        return corruptions(value, this::usage);
    }

    /** {@code 1-5}, {@code 3}, {@code 1,3,5} (or a mix, {@code 1-2,5}); ascending, without repeats. */
    static List<Integer> severities(String value, java.util.function.Function<String, RuntimeException> usage) {
        TreeSet<Integer> set = new TreeSet<>();
        for (String part : value.split(",", -1)) {
            String p = part.trim();
            try {
                int dash = p.indexOf('-', 1);
                int from = Integer.parseInt(dash < 0 ? p : p.substring(0, dash).trim());
                int to = dash < 0 ? from : Integer.parseInt(p.substring(dash + 1).trim());
                Corruption.checkSeverity(from);
                Corruption.checkSeverity(to);
                if (to < from) {
                    throw usage.apply("--severities: range '" + p + "' runs backwards; write " + to + "-" + from);
                }
                for (int s = from; s <= to; s++) {
                    set.add(s);
                }
            } catch (NumberFormatException e) {
                throw usage.apply("--severities needs a range like 1-5 or a list like 1,3,5, got '" + value + "'");
            } catch (IllegalArgumentException e) {
                throw usage.apply("--severities '" + value + "': " + e.getMessage());
            }
        }
        return List.copyOf(set);
    }

    private List<Integer> severities(String value) {
        return severities(value, this::usage);
    }

    /** A version directory ({@code model.onnx} and {@code model-card.json}) or a model file. */
    private Located locate(String option, Path path) throws IOException {
        if (Files.isDirectory(path)) {
            Path file = path.resolve(RepositoryLayout.MODEL_FILE);
            Path cardFile = path.resolve(RepositoryLayout.CARD_FILE);
            if (!Files.isRegularFile(file) || !Files.isRegularFile(cardFile)) {
                throw usage(option + " " + path + " is a directory but not a published version: it needs "
                        + RepositoryLayout.MODEL_FILE + " and " + RepositoryLayout.CARD_FILE);
            }
            ModelCard card = ModelCard.read(cardFile);
            byte[] model = Files.readAllBytes(file);
            Optional<String> changed = ModelRepository.verify(new PublishedVersion(card.modelName(), card.version(), path, file, card), model);
            if (changed.isPresent()) {
                throw usage(option + " " + path + ": " + changed.get());
            }
            return new Located(model, path, new RobustnessReport.ModelRef(card.modelName(),
                    Long.toString(card.version()), path.toString()));
        }
        if (!Files.isRegularFile(path)) {
            throw usage(option + " " + path + " does not exist (give ROOT/NAME/VERSION or a model.onnx file)");
        }
        return new Located(Files.readAllBytes(path), path, null);
    }

    private OnnxClassifier open(String option, Path path, Located located) {
        try {
            return new OnnxClassifier(located.onnx());
        } catch (IllegalArgumentException e) {
            throw usage(option + " " + path + " is not an exported model: " + e.getMessage());
        }
    }

    /** The dataset's classes and image shape must be the model's; a model file is named by its metadata. */
    private void check(String option, Path path, OnnxClassifier classifier, ImageSet test) {
        try {
            classifier.requireCompatible(test, "--dataset " + dataset);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage() + " (" + option + " " + path + ")");
        }
    }
}
