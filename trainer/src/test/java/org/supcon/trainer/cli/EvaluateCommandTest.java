package org.supcon.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.supcon.common.repository.ModelCard;
import org.supcon.common.repository.RepositoryLayout;
import org.supcon.trainer.images.FashionMnist;
import org.supcon.trainer.images.ImageSet;
import org.supcon.trainer.repository.ModelRepository;
import org.supcon.trainer.robustness.CentroidModel;
import org.supcon.trainer.robustness.RobustnessReport;
import org.supcon.trainer.settings.TestSettings;
import picocli.CommandLine;

class EvaluateCommandTest {

    @TempDir
    static Path tmp;
    static Path modelFile;
    static Path version;
    static Path otherClasses;

    @BeforeAll
    static void models() throws Exception {
        ImageSet train = FashionMnist.train(FashionMnist.defaultDirectory()).head(3000);
        modelFile = Files.write(tmp.resolve("centroids.onnx"), CentroidModel.build(train, "centroids", "unpublished"));
        // a published version: ROOT/NAME/VERSION with the model and its card
        version = Files.createDirectories(tmp.resolve("repo/few-centroids/3"));
        byte[] onnx = CentroidModel.build(train.head(200), "few-centroids", "3");
        Files.write(version.resolve(RepositoryLayout.MODEL_FILE), onnx);
        ModelCard card = new ModelCard("few-centroids", 3, FashionMnist.LABELS, Map.of(), Map.of(), ModelRepository.sha256(onnx), onnx.length,
                "2026-01-01T00:00:00Z", 1, 28, 28, null, null);
        Files.write(version.resolve(RepositoryLayout.CARD_FILE), card.toJson());
        List<String> renamed = new ArrayList<>(FashionMnist.LABELS);
        renamed.set(0, "Tee");
        ImageSet other = new ImageSet(train.geometry(), renamed, train.pixels(), train.labels());
        otherClasses = Files.write(tmp.resolve("other.onnx"), CentroidModel.build(other, "other", "1"));
    }

    record Run(int status, String out, String err) {}

    static Run run(String... args) {
        CommandLine cl = TrainCommandTest.cli(TestSettings.config(Map.of()), System.out);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        List<String> all = new ArrayList<>(List.of("evaluate"));
        all.addAll(List.of(args));
        int status = cl.execute(all.toArray(String[]::new));
        return new Run(status, out.toString(), err.toString());
    }

    static void refused(String problem, String... args) {
        List<String> all = new ArrayList<>(List.of("--output", tmp.resolve("refused").toString(), "--test-limit", "20"));
        all.addAll(List.of(args));
        Run r = run(all.toArray(String[]::new));
        assertEquals(2, r.status(), String.join(" ", args) + ": " + r.err());
        assertTrue(r.err().contains(problem), "expected '" + problem + "' in: " + r.err());
        assertTrue(r.err().startsWith("error: "), r.err());
    }

    @Test
    void badArgumentsAreUsageErrorsNamingTheProblem() {
        String m = modelFile.toString();
        refused("--corruptions: unknown corruption 'fog', expected one of: gaussian-noise, shot-noise,",
                "--model", m, "--corruptions", "contrast,fog");
        refused("--corruptions names rotate twice", "--model", m, "--corruptions", "rotate,shift,rotate");
        refused("severity must be between 1 and 5, got 0", "--model", m, "--severities", "0-3");
        refused("severity must be between 1 and 5, got 6", "--model", m, "--severities", "1,6");
        refused("--severities needs a range like 1-5 or a list like 1,3,5, got '1..5'", "--model", m, "--severities", "1..5");
        refused("range '5-1' runs backwards", "--model", m, "--severities", "5-1");
        refused("--model " + tmp.resolve("nothing.onnx") + " does not exist", "--model", tmp.resolve("nothing.onnx").toString());
        refused("is a directory but not a published version", "--model", tmp.resolve("repo").toString());
        refused("--baseline " + otherClasses + " predicts [Tee, Trouser", "--model", m, "--baseline", otherClasses.toString());
        refused("--dataset fashion-mnist has classes [T-shirt/top, Trouser", "--model", otherClasses.toString());
        Run negative = run("--model", m, "--test-limit", "-3", "--output", tmp.resolve("refused").toString());
        assertEquals(2, negative.status());
        assertTrue(negative.err().startsWith("error: --test-limit must not be negative, got -3"), negative.err());
        refused("Missing required option: '--model", "--corruptions", "jpeg");
    }

    /** A version whose model.onnx changed after publishing is not evaluated (its card no longer describes it). */
    @Test
    void aVersionWhoseModelDoesNotMatchItsCardIsRefused() throws Exception {
        Path tampered = Files.createDirectories(tmp.resolve("repo/few-centroids/4"));
        Files.copy(version.resolve(RepositoryLayout.CARD_FILE), tampered.resolve(RepositoryLayout.CARD_FILE));
        Files.write(tampered.resolve(RepositoryLayout.MODEL_FILE), Files.readAllBytes(modelFile));
        refused("--model " + tampered + ": model file of few-centroids v3 does not match its card", "--model", tampered.toString());
    }

    @Test
    void theHelpListsEveryCorruption() {
        String help = TrainCommandTest.cli(TestSettings.config(Map.of()), System.out).getSubcommands().get("evaluate")
                .getUsageMessage();
        for (org.supcon.trainer.robustness.Corruption c : org.supcon.trainer.robustness.Corruption.values()) {
            assertTrue(help.contains(c.cliName()), c.cliName() + " missing from: " + help);
        }
    }

    @Test
    void aFileThatIsNoModelIsAUsageError() throws Exception {
        Path junk = Files.writeString(tmp.resolve("junk.onnx"), "not a model");
        refused("--model " + junk + " is not an exported model: ONNX Runtime cannot load the model", "--model", junk.toString());
    }

    @Test
    void aGoodRunWritesTheReportThePlotsAndTheTable() throws Exception {
        Path out = tmp.resolve("out");
        Run r = run("--model", modelFile.toString(), "--baseline", version.toString(), "--dataset", "fashion-mnist",
                "--corruptions", "contrast,rotate", "--severities", "1,4-5", "--test-limit", "120", "--seed", "3",
                "--output", out.toString());
        assertEquals(0, r.status(), r.err());
        RobustnessReport report = RobustnessReport.read(out.resolve(RobustnessReport.FILE));
        assertEquals(new RobustnessReport.ModelRef("centroids", "unpublished", modelFile.toString()), report.model());
        assertEquals(new RobustnessReport.ModelRef("few-centroids", "3", version.toString()), report.baseline());
        assertEquals(List.of(1, 4, 5), report.severities());
        assertEquals(120, report.testImages());
        assertEquals(3, report.seed());
        assertEquals(List.of("contrast", "rotate"), report.corruptions().stream().map(RobustnessReport.CorruptionResult::corruption).toList());
        assertNotNull(report.mCE());
        assertNotNull(ImageIO.read(out.resolve("robustness.png").toFile()));
        assertNotNull(ImageIO.read(out.resolve("corruptions.png").toFile()));
        // progress, then the table with one row per corruption, then the files
        assertTrue(r.out().contains("corruption  1/2 contrast"), r.out());
        assertTrue(r.out().contains("| corruption | s1 | s4 | s5 | mean | CE | relative CE |"), r.out());
        RobustnessReport.CorruptionResult rotate = report.corruptions().get(1);
        assertTrue(r.out().contains(String.format(java.util.Locale.ROOT, "| rotate | %.2f | %.2f | %.2f |",
                100 * rotate.accuracy().get(0), 100 * rotate.accuracy().get(1), 100 * rotate.accuracy().get(2))), r.out());
        assertTrue(r.out().contains(String.format(java.util.Locale.ROOT, "mCE %.3f", report.mCE())), r.out());
        assertTrue(r.out().contains("wrote " + out.resolve("robustness.json")), r.out());
    }
}
