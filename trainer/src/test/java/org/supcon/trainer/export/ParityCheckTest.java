package org.supcon.trainer.export;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.supcon.trainer.images.ImageGeometry;
import org.supcon.trainer.model.EncoderType;
import org.supcon.trainer.model.SupConNet;
import org.supcon.trainer.train.LinearClassifier;

class ParityCheckTest {

    private static final ImageGeometry MNIST = new ImageGeometry(1, 28, 28);

    @Test
    void smallResnetContrastiveMatchesAtBatch1And64() {
        try (NDManager manager = NDManager.newBaseManager()) {
            SupConNet net = ExportFixtures.net(manager, EncoderType.SMALL_RESNET, MNIST, true, 1);
            ExportFixtures.assertParity(manager, net,
                    ExportFixtures.classifier(net.featureDim(), 2), MNIST, 64, 64);
        }
    }

    @Test
    void smallResnetCrossEntropyMatchesAtBatch1And64() {
        try (NDManager manager = NDManager.newBaseManager()) {
            SupConNet net = ExportFixtures.net(manager, EncoderType.SMALL_RESNET, MNIST, false, 3);
            ExportFixtures.assertParity(manager, net, null, MNIST, 64, 64);
        }
    }

    @Test
    void aChangedEncoderWeightFailsOnEmbeddingAndLogits() {
        try (NDManager manager = NDManager.newBaseManager()) {
            SupConNet net = ExportFixtures.net(manager, EncoderType.SMALL_RESNET, MNIST, false, 4);
            byte[] onnx = OnnxExporter.export(net, null, MNIST, Map.of());
            NDArray stem = net.encoder().getParameters().get("02Conv2d_weight").getArray();
            stem.muli(1.05f);
            ParityReport r = run(manager, net, null, onnx, 8);
            assertFalse(r.passed(), r.message());
            assertTrue(r.maxEmbeddingDiff() > 1e-4, r.message());
            assertTrue(r.maxLogitDiff() > 1e-4, r.message());
            assertTrue(r.message().startsWith("ONNX parity FAILED: embedding max |diff| "),
                    r.message());
            assertTrue(r.message().contains("; logits max |diff| "), r.message());
            assertTrue(r.message().contains(String.format(java.util.Locale.ROOT, "%.3e",
                    r.maxEmbeddingDiff())), r.message());
        }
    }

    @Test
    void aDifferentClassifierFailsOnLogitsOnly() {
        try (NDManager manager = NDManager.newBaseManager()) {
            SupConNet net = ExportFixtures.net(manager, EncoderType.SMALL_RESNET, MNIST, true, 5);
            byte[] onnx = OnnxExporter.export(net,
                    ExportFixtures.classifier(net.featureDim(), 6), MNIST, Map.of());
            LinearClassifier other = ExportFixtures.classifier(net.featureDim(), 7);
            ParityReport r = run(manager, net, other, onnx, 8);
            assertFalse(r.passed(), r.message());
            assertTrue(r.maxEmbeddingDiff() <= 1e-4, r.message());
            assertTrue(r.message().startsWith("ONNX parity FAILED: logits max |diff| "),
                    r.message());
            assertFalse(r.message().contains("embedding max |diff|"), r.message());
            assertTrue(r.argmaxDisagreements() > 0, r.message());
        }
    }

    @Test
    void refusesPartialImagesAndBadBatch() {
        try (NDManager manager = NDManager.newBaseManager()) {
            SupConNet net = ExportFixtures.net(manager, EncoderType.SMALL_RESNET, MNIST, false, 8);
            byte[] onnx = OnnxExporter.export(net, null, MNIST, Map.of());
            ParameterStore ps = new ParameterStore(manager, false);
            IllegalArgumentException partial = assertThrows(IllegalArgumentException.class,
                    () -> ParityCheck.run(manager, ps, net, null, onnx, new float[785], MNIST, 4));
            assertTrue(partial.getMessage().contains("785 values"), partial.getMessage());
            float[] one = ExportFixtures.images(1, MNIST, 1);
            IllegalArgumentException batch = assertThrows(IllegalArgumentException.class,
                    () -> ParityCheck.run(manager, ps, net, null, onnx, one, MNIST, 0));
            assertTrue(batch.getMessage().contains("batch size"), batch.getMessage());
        }
    }

    private static ParityReport run(NDManager manager, SupConNet net, LinearClassifier probe,
            byte[] onnx, int images) {
        return ParityCheck.run(manager, new ParameterStore(manager, false), net, probe, onnx,
                ExportFixtures.images(images, MNIST, 9), MNIST, images);
    }
}
