package org.supcon.trainer.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.RecordComponent;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.supcon.trainer.config.TrainerConfig;
import org.supcon.trainer.loss.Method;
import org.supcon.trainer.model.EncoderType;

class RunSettingsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectNode DEFAULTS = TestSettings.defaults();

    private static RunSettings parse(String body) throws Exception {
        return SettingsBinding.bind(DEFAULTS, JSON.readTree(body));
    }

    private static void refused(String body, String field, String words) {
        InvalidSettingsException e = assertThrows(InvalidSettingsException.class, () -> parse(body), body);
        assertEquals(field, e.field(), body);
        assertTrue(e.getMessage().startsWith(field + ": ") && e.getMessage().contains(words), e.getMessage());
    }

    @Test
    void bodyOverridesTheDefaultsFieldByField() throws Exception {
        RunSettings d = SettingsBinding.bind(DEFAULTS);
        RunSettings s = parse("{\"method\": \"ce\", \"epochs\": 3, \"learningRate\": 0.2, \"seed\": 9}");
        assertEquals(Method.CE, s.method());
        assertEquals(3, s.epochs());
        assertEquals(0.2, s.learningRate());
        assertEquals(9L, s.seed());
        assertEquals(d.batchSize(), s.batchSize());
        assertEquals(d.temperature(), s.temperature());
        assertEquals(d, SettingsBinding.bind(DEFAULTS, null));
        assertEquals(d, parse("{}"));
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
        refused("{\"epoch\": 2}", "epoch", "unknown field");
        refused("{\"views\": 1, \"method\": \"simclr\"}", "views", "simclr needs at least 2 views");
        refused("{\"epochs\": 2, \"warmupEpochs\": 5}", "warmupEpochs", "[0, epochs)");
        refused("{\"weightDecay\": -1}", "weightDecay", "negative");
        refused("{\"queueSize\": -1}", "queueSize", "between 0 and 1048576");
        refused("{\"queueSize\": 64, \"method\": \"ce\"}", "queueSize", "needs method supcon or supcon-in");
        refused("{\"queueSize\": 64, \"method\": \"simclr\"}", "queueSize", "got method simclr");
        refused("{\"queueMomentum\": 1}", "queueMomentum", "[0, 1)");
    }

    /** The queue decides the weights (a checkpoint resumes only with the same one); without it, its momentum does not. */
    @Test
    void theQueueIsPartOfTheWeightsIdentityOnlyWhenOn() throws Exception {
        RunSettings off = parse("{\"queueSize\": 0, \"queueMomentum\": 0.5}");
        RunSettings offOtherMomentum = parse("{\"queueSize\": 0, \"queueMomentum\": 0.9}");
        assertEquals(off.weightsIdentity("d"), offOtherMomentum.weightsIdentity("d"));
        assertTrue(!off.weightsIdentity("d").containsKey("queueSize"), off.weightsIdentity("d").toString());
        RunSettings on = parse("{\"queueSize\": 4096, \"queueMomentum\": 0.5}");
        assertEquals(4096, on.weightsIdentity("d").get("queueSize"));
        assertEquals(0.5, on.weightsIdentity("d").get("queueMomentum"));
        assertTrue(!on.weightsIdentity("d").equals(parse("{\"queueSize\": 4096, \"queueMomentum\": 0.9}").weightsIdentity("d")));
    }

    @Test
    void aBodyThatIsNoObjectIsRefused() {
        InvalidSettingsException e = assertThrows(InvalidSettingsException.class, () -> parse("[1, 2]"));
        assertEquals(null, e.field());
        assertTrue(e.getMessage().contains("JSON object"));
    }

    @Test
    void theWarmUpFollowsTheEpochsUnlessSet() throws Exception {
        assertEquals(1.0, parse("{\"epochs\": 20}").warmupEpochs(), "min(1, epochs / 10)");
        assertEquals(0.1, parse("{\"epochs\": 1}").warmupEpochs(), 1e-12);
        assertEquals(0.5, parse("{\"epochs\": 20, \"warmupEpochs\": 0.5}").warmupEpochs());
    }

    @Test
    void settingsOnceHiddenAreSetLikeAnyOther() throws Exception {
        RunSettings s = parse("{\"views\": 3, \"warmupEpochs\": 0, \"baseTemperature\": 0.1, \"weightDecay\": 5e-4}");
        assertEquals(3, s.views());
        assertEquals(0.0, s.warmupEpochs());
        assertEquals(0.1, s.baseTemperature());
        assertEquals(5e-4, s.weightDecay());
        assertEquals(EncoderType.SMALL_RESNET, s.encoder());
    }

    @Test
    void everySettingHasAConfiguredDefaultADocAndAnOption() throws Exception {
        TrainerConfig.Runs runs = TestSettings.config(Map.of()).runs();
        for (RecordComponent c : RunSettings.class.getRecordComponents()) {
            assertNotNull(TrainerConfig.Runs.class.getMethod(c.getName()), c.getName());
            Doc doc = c.getAnnotation(Doc.class);
            assertNotNull(doc, c.getName() + " has no @Doc");
            assertFalse(doc.value().isBlank(), c.getName());
        }
        assertEquals("--batch-size", SettingsBinding.option("batchSize"));
        assertEquals("--warmup-epochs", SettingsBinding.option("warmupEpochs"));
        // the configuration overrides a default, and an unset warm-up is derived from the epochs
        RunSettings s = SettingsBinding.bind(SettingsBinding.defaults(
                TestSettings.config(Map.of("trainer.runs.epochs", "30", "trainer.runs.views", "4")).runs()));
        assertEquals(30, s.epochs());
        assertEquals(4, s.views());
        assertEquals(1.0, s.warmupEpochs());
        assertEquals(runs.batchSize(), s.batchSize());
    }

    @Test
    void textValuesParseAsTheirSettingsType() {
        RunSettings s = SettingsBinding.bindText(DEFAULTS, Map.of("epochs", "3", "learningRate", "0.2", "method", "ce"));
        assertEquals(3, s.epochs());
        assertEquals(Method.CE, s.method());
        InvalidSettingsException e = assertThrows(InvalidSettingsException.class,
                () -> SettingsBinding.bindText(DEFAULTS, Map.of("epochs", "three")));
        assertEquals("epochs: must be an integer, got \"three\"", e.getMessage());
    }

    @Test
    void theJsonRoundTripGivesTheSameSettings() throws Exception {
        RunSettings s = parse("{\"method\": \"supcon-in\", \"encoder\": \"resnet18\", \"head\": \"linear\"}");
        assertEquals(s, JSON.readValue(JSON.writeValueAsBytes(s), RunSettings.class));
        assertEquals("supcon-in", s.asMap().get("method"));
        assertEquals("linear", s.asMap().get("head"));
    }

    @Test
    void robustnessBindsFromJsonTextAndConfigAndDoesNotChangeTheWeights() throws Exception {
        RunSettings off = SettingsBinding.bind(DEFAULTS);
        assertFalse(off.robustness(), "the corruption evaluation is off unless asked for");
        RunSettings on = parse("{\"robustness\": true}");
        assertTrue(on.robustness());
        assertTrue(SettingsBinding.bindText(DEFAULTS, Map.of("robustness", "true")).robustness());
        assertFalse(SettingsBinding.bindText(DEFAULTS, Map.of("robustness", "false")).robustness());
        assertTrue(SettingsBinding.bind(SettingsBinding.defaults(
                TestSettings.config(Map.of("trainer.runs.robustness", "true")).runs())).robustness());
        refused("{\"robustness\": \"yes\"}", "robustness", "");
        assertEquals("--robustness", SettingsBinding.option("robustness"));
        assertEquals(true, on.asMap().get("robustness"));
        // evaluated after training, like the search index: a checkpoint resumes whatever its value
        assertEquals(off.weightsIdentity("fashion-mnist"), on.weightsIdentity("fashion-mnist"));
        assertFalse(on.weightsIdentity("fashion-mnist").containsKey("robustness"));
        assertFalse(off.weightsIdentity("fashion-mnist").equals(parse("{\"seed\": 1}").weightsIdentity("fashion-mnist")));
    }
}
