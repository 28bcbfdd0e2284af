package org.supcon.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.supcon.trainer.loss.Method;
import org.supcon.trainer.model.EncoderType;
import org.supcon.trainer.train.TrainSettings;

class TrainCommandTest {

    @Test
    void parsesEveryDocumentedFlag() {
        TrainSettings s = TrainCommand.parse(List.of("--dataset", "fashion-mnist", "--method", "ce", "--encoder", "resnet18",
                "--epochs", "3", "--batch-size", "64", "--limit", "1000", "--seed", "7", "--output", "/tmp/x",
                "--learning-rate=0.2", "--temperature", "0.5"));
        assertEquals(Method.CE, s.method());
        assertEquals(EncoderType.RESNET18, s.encoder());
        assertEquals(3, s.epochs());
        assertEquals(64, s.batchSize());
        assertEquals(1000, s.limit());
        assertEquals(7L, s.seed());
        assertEquals(0.2, s.learningRate());
        assertEquals(0.5, s.temperature());
        assertEquals(Path.of("/tmp/x"), s.output());
    }

    @Test
    void badArgumentsNameTheProblem() {
        assertMessage("unknown option --epoch", "--epoch", "3");
        assertMessage("--epochs needs a whole number, got 'three'", "--epochs", "three");
        assertMessage("--epochs must be at least 1", "--epochs", "0");
        assertMessage("--method needs one of supcon, supcon-in, simclr, ce, got 'triplet'", "--method", "triplet");
        assertMessage("--encoder needs one of small-resnet, resnet18, resnet50", "--encoder", "vgg");
        assertMessage("option --output needs a value", "--output");
        assertMessage("unexpected argument 'extra'", "extra");
        assertMessage("--warmup-epochs must be in [0, epochs)", "--epochs", "2", "--warmup-epochs", "5");
    }

    private static void assertMessage(String expected, String... args) {
        UsageException e = assertThrows(UsageException.class, () -> TrainCommand.parse(List.of(args)));
        assertTrue(e.getMessage().contains(expected), () -> "message '" + e.getMessage() + "' lacks '" + expected + "'");
    }

    @Test
    void mainReturnsUsageStatusOnBadCommand() {
        assertEquals(2, TrainerMain.dispatch(List.of("fly")));
        assertEquals(2, TrainerMain.dispatch(List.of("train", "--epochs", "x")));
        assertEquals(0, TrainerMain.dispatch(List.of("train", "--help")));
        assertEquals(2, TrainerMain.dispatch(List.of("bench-onnx", "--batches", "1,x")));
        assertEquals(2, TrainerMain.dispatch(List.of("bench-onnx", "--batches", "0")));
        assertEquals(2, TrainerMain.dispatch(List.of("bench-onnx", "--encoders", "vgg")));
    }
}
