package org.supcon.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.supcon.trainer.repository.ModelRepository;
import org.supcon.trainer.repository.PublishedVersion;
import org.supcon.trainer.robustness.RobustnessReport;
import org.supcon.trainer.settings.TestSettings;

/** The {@code robustness} setting: a training run evaluates its exported model under the corruptions and reports it. */
class TrainRobustnessTest {

    @Test
    void aRunWithRobustnessWritesReportsAndPublishesTheEvaluation(@TempDir Path tmp) throws Exception {
        Path data = TrainCommandPublishTest.imageFolder(tmp.resolve("images"), 20);
        Path repo = tmp.resolve("models");
        Path run = tmp.resolve("run");
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        int status = TrainCommandTest.cli(TestSettings.config(Map.of()), new PrintStream(console, true)).execute("train",
                "--dataset", data.toString(), "--epochs", "1", "--batch-size", "8", "--projection-dim", "8",
                "--linear-epochs", "2", "--search-index", "false", "--robustness", "true", "--output", run.toString(),
                "--model-repository", repo.toString(), "--model-name", "bands");
        assertEquals(0, status, console.toString());

        RobustnessReport report = RobustnessReport.read(run.resolve(RobustnessReport.FILE));
        assertEquals(13, report.corruptions().size());
        assertEquals(java.util.List.of(1, 2, 3, 4, 5), report.severities());
        JsonNode summary = new ObjectMapper().readTree(run.resolve("summary.json").toFile());
        int testImages = summary.at("/testImages").asInt();
        assertEquals(testImages, report.testImages());
        // ONNX Runtime on the exported model agrees with the run's own evaluation (up to one near-tie)
        assertEquals(summary.at("/testAccuracy").asDouble(), report.cleanAccuracy(), 1.0 / testImages + 1e-12);
        assertEquals(report.meanCorruptedAccuracy(), summary.at("/robustness/meanCorruptedAccuracy").asDouble(), 1e-12);
        assertEquals(report.cleanAccuracy(), summary.at("/robustness/cleanAccuracy").asDouble(), 1e-12);
        assertEquals(report.corruptions().get(6).meanAccuracy(),
                summary.at("/robustness/accuracyPerCorruption/contrast").asDouble(), 1e-12);
        assertEquals(5, summary.at("/robustness/accuracyPerSeverity").size());

        String html = Files.readString(run.resolve("report.html"));
        assertTrue(html.contains("Robustness to image corruptions"), "no robustness section in the report");
        assertTrue(html.contains(String.format(java.util.Locale.ROOT, "mean corrupted accuracy %.2f%%",
                100 * report.meanCorruptedAccuracy())), "the report lacks the mean corrupted accuracy");
        assertTrue(console.toString().contains("[robustness] corruption 13/13 shift"), console.toString());

        PublishedVersion v = new ModelRepository(repo).latest("bands").orElseThrow();
        assertEquals(report, RobustnessReport.read(v.file(RobustnessReport.FILE)));
        assertNotNull(ImageIO.read(v.file("robustness.png").toFile()));
        assertNotNull(ImageIO.read(run.resolve("corruptions.png").toFile()));
    }
}
