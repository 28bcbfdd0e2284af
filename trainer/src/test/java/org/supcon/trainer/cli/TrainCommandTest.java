package org.supcon.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.supcon.trainer.config.TrainerConfig;
import org.supcon.trainer.loss.Method;
import org.supcon.trainer.model.EncoderType;
import org.supcon.trainer.settings.RunSettings;
import org.supcon.trainer.settings.TestSettings;
import picocli.CommandLine;

class TrainCommandTest {

    /** The trainer's command line as {@code TrainerMain} builds it, with {@code config} and the console in {@code out}. */
    static CommandLine cli(TrainerConfig config, PrintStream out) {
        CommandLine.IFactory factory = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> type) throws Exception {
                if (type == TrainCommand.class) {
                    TrainCommand t = new TrainCommand(config);
                    t.out = out;
                    return type.cast(t);
                }
                return CommandLine.defaultFactory().create(type);
            }
        };
        return TrainerCommand.commandLine(factory);
    }

    /** What {@code train args} would run with. */
    static TrainCommand parsed(List<String> args) {
        CommandLine cl = cli(TestSettings.config(Map.of()), System.out);
        List<String> all = new ArrayList<>(List.of("train"));
        all.addAll(args);
        cl.parseArgs(all.toArray(String[]::new));
        return cl.getSubcommands().get("train").getCommand();
    }

    static RunSettings parse(List<String> args) {
        return parsed(args).settings();
    }

    @Test
    void parsesEveryDocumentedFlag() {
        TrainCommand t = parsed(List.of("--dataset", "fashion-mnist", "--method", "ce", "--encoder", "resnet18",
                "--epochs", "3", "--batch-size", "64", "--limit", "1000", "--seed", "7", "--output", "/tmp/x",
                "--learning-rate=0.2", "--temperature", "0.5"));
        RunSettings s = t.settings();
        assertEquals(Method.CE, s.method());
        assertEquals(EncoderType.RESNET18, s.encoder());
        assertEquals(3, s.epochs());
        assertEquals(64, s.batchSize());
        assertEquals(1000, s.limit());
        assertEquals(7L, s.seed());
        assertEquals(0.2, s.learningRate());
        assertEquals(0.5, s.temperature());
        assertEquals(Path.of("/tmp/x"), t.output);
    }

    @Test
    void everySettingIsAnOptionWithItsConfiguredDefault() {
        RunSettings defaults = parse(List.of());
        assertEquals(TestSettings.of(), defaults);
        RunSettings s = parse(List.of("--views", "3", "--warmup-epochs", "0", "--base-temperature", "0.1",
                "--weight-decay", "5e-4", "--test-fraction", "0.3", "--head", "linear"));
        assertEquals(3, s.views());
        assertEquals(0.0, s.warmupEpochs());
        assertEquals(0.1, s.baseTemperature());
        assertEquals(5e-4, s.weightDecay());
        assertEquals(0.3, s.testFraction());
        assertEquals("linear", s.head().cliName());
        StringWriter help = new StringWriter();
        CommandLine cl = cli(TestSettings.config(Map.of("trainer.runs.epochs", "7")), System.out);
        PrintWriter helpOut = new PrintWriter(help);
        cl.setOut(helpOut);
        assertEquals(0, cl.execute("train", "--help"));
        helpOut.flush();
        String text = help.toString().replaceAll("\\s+", " ");
        assertTrue(text.contains("--weight-decay=X"), text);
        assertTrue(text.contains("first-stage epochs, 1..10000 (default: 7)"), text);
    }

    @Test
    void badArgumentsNameTheProblem() {
        assertMessage("Unknown options: '--epoch'", "--epoch", "3");
        assertMessage("--epochs must be an integer, got \"three\"", "--epochs", "three");
        assertMessage("--epochs must be between 1 and 10000, got 0", "--epochs", "0");
        assertMessage("--method must be one of supcon, supcon-in, simclr, ce; got \"triplet\"", "--method", "triplet");
        assertMessage("--encoder must be one of small-resnet, resnet18, resnet50", "--encoder", "vgg");
        assertMessage("Missing required parameter for option '--output'", "--output");
        assertMessage("Unmatched argument at index 1: 'extra'", "extra");
        assertMessage("--warmup-epochs must be in [0, epochs)", "--epochs", "2", "--warmup-epochs", "5");
    }

    private static void assertMessage(String expected, String... args) {
        CommandLine.ParameterException e = assertThrows(CommandLine.ParameterException.class, () -> parse(List.of(args)));
        assertTrue(e.getMessage().contains(expected), () -> "message '" + e.getMessage() + "' lacks '" + expected + "'");
    }

    @Test
    void mainReturnsUsageStatusOnBadCommand() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CommandLine cl = cli(TestSettings.config(Map.of()), System.out);
        cl.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        assertEquals(2, cl.execute("fly"));
        assertEquals(2, cl.execute("train", "--epochs", "x"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("error: --epochs must be an integer, got \"x\""), err.toString());
        assertEquals(0, cli(TestSettings.config(Map.of()), System.out).execute("train", "--help"));
        assertEquals(2, cl.execute("bench-onnx", "--batches", "1,x"));
        assertEquals(2, cl.execute("bench-onnx", "--batches", "0"));
        assertEquals(2, cl.execute("bench-onnx", "--encoders", "vgg"));
        assertEquals(2, cl.execute("ingest", "--limit", "5"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--dataset is required"), err.toString());
    }
}
