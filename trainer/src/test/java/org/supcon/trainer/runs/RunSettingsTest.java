package org.supcon.trainer.runs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.supcon.trainer.loss.Method;
import org.supcon.trainer.train.TrainSettings;

class RunSettingsTest {

    static final RunSettings DEFAULTS = new RunSettings("supcon", "small-resnet", 2, 256, 0.1, 0.1, 42, 0.5, 10, 0.1, 0.1, 0.15, 1);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static RunSettings parse(String body) throws Exception {
        return RunSettings.fromJson(JSON.readTree(body), DEFAULTS);
    }

    private static void refused(String body, String field, String words) {
        InvalidSettingsException e = assertThrows(InvalidSettingsException.class, () -> parse(body), body);
        assertEquals(field, e.field(), body);
        assertTrue(e.getMessage().startsWith(field + ": ") && e.getMessage().contains(words), e.getMessage());
    }

    @Test
    void bodyOverridesTheDefaultsFieldByField() throws Exception {
        RunSettings s = parse("{\"method\": \"ce\", \"epochs\": 3, \"learningRate\": 0.2, \"seed\": 9}");
        assertEquals(new RunSettings("ce", "small-resnet", 3, 256, 0.2, 0.1, 9, 0.5, 10, 0.1, 0.1, 0.15, 1), s);
        assertSame(DEFAULTS, RunSettings.fromJson(null, DEFAULTS));
        assertEquals(DEFAULTS, parse("{}"));
    }

    @Test
    void everyBadValueNamesItsField() {
        refused("{\"epochs\": 0}", "epochs", "between 1 and 10000, got 0");
        refused("{\"epochs\": \"2\"}", "epochs", "must be an integer");
        refused("{\"epochs\": 2.5}", "epochs", "must be an integer");
        refused("{\"batchSize\": \"x\"}", "batchSize", "must be an integer, got \"x\"");
        refused("{\"batchSize\": 1}", "batchSize", "between 2");
        refused("{\"method\": \"foo\"}", "method", "supcon, supcon-in, simclr, ce; got \"foo\"");
        refused("{\"method\": 3}", "method", "must be a string");
        refused("{\"encoder\": \"vgg\"}", "encoder", "small-resnet");
        refused("{\"learningRate\": 0}", "learningRate", "positive");
        refused("{\"temperature\": -0.1}", "temperature", "positive");
        refused("{\"minCropScale\": 1.5}", "minCropScale", "(0, 1]");
        refused("{\"testFraction\": 0}", "testFraction", "(0, 0.9)");
        refused("{\"loaderWorkers\": 99}", "loaderWorkers", "between 1 and 16");
        refused("{\"seed\": 1e30}", "seed", "integer");
        refused("{\"views\": 2}", "views", "unknown field");
    }

    @Test
    void aBodyThatIsNoObjectIsRefused() {
        InvalidSettingsException e = assertThrows(InvalidSettingsException.class, () -> parse("[1, 2]"));
        assertEquals(null, e.field());
        assertTrue(e.getMessage().contains("JSON object"));
    }

    @Test
    void trainSettingsCarryTheRunSettings() {
        TrainSettings t = new RunSettings("simclr", "resnet18", 20, 64, 0.3, 0.5, 7, 0.3, 4, 0.05, 0, 0.2, 2)
                .toTrainSettings(Path.of("out"));
        assertEquals(Method.SIMCLR, t.method());
        assertEquals(20, t.epochs());
        assertEquals(64, t.batchSize());
        assertEquals(0.3, t.learningRate());
        assertEquals(0.5, t.temperature());
        assertEquals(7, t.seed());
        assertEquals(1.0, t.warmupEpochs(), "min(1, epochs / 10)");
        assertEquals(4, t.linearEpochs());
        assertEquals(0.05, t.linearLearningRate());
        assertEquals(2, t.loaderWorkers());
        assertEquals(RunSettings.DATASET, t.dataset());
        assertEquals(0.1, new RunSettings("ce", "small-resnet", 1, 64, 0.3, 0.5, 7, 0.3, 4, 0.05, 0, 0.2, 2)
                .toTrainSettings(Path.of("o")).warmupEpochs(), 1e-12);
    }
}
