package org.supcon.trainer.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.supcon.trainer.images.ImageGeometry;
import org.supcon.common.model.OnnxContract;
import org.supcon.trainer.export.OnnxGraph.Dim;
import org.supcon.trainer.export.OnnxGraph.ElemType;
import org.supcon.trainer.export.OnnxGraph.Node;
import org.supcon.trainer.model.EncoderType;
import org.supcon.trainer.model.Normalize;
import org.supcon.trainer.model.Relu;
import org.supcon.trainer.model.SupConNet;
import org.supcon.trainer.train.LinearClassifier;

class OnnxExporterTest {

    private static final ImageGeometry MNIST = new ImageGeometry(1, 28, 28);

    @TempDir
    Path dir;

    @Test
    void contrastiveExportPassesTheOfficialChecker() throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            SupConNet net = ExportFixtures.net(manager, EncoderType.SMALL_RESNET, MNIST, true, 5);
            LinearClassifier probe = ExportFixtures.classifier(net.featureDim(), 6);
            // geometry from the metadata map
            byte[] onnx = OnnxExporter.export(net, probe, metadata());
            assertEquals("17 8", OnnxChecker.check(onnx, dir));
            IllegalArgumentException noGeometry = assertThrows(IllegalArgumentException.class,
                    () -> OnnxExporter.export(net, probe, Map.of()));
            assertTrue(noGeometry.getMessage().contains("no image.channels entry"),
                    noGeometry.getMessage());
        }
    }

    @Test
    void crossEntropyExportPassesTheOfficialCheckerAndHasADynamicBatch() throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            SupConNet net = ExportFixtures.net(manager, EncoderType.SMALL_RESNET, MNIST, false, 7);
            byte[] onnx = OnnxExporter.export(net, null, MNIST, metadata());
            assertEquals("17 8", OnnxChecker.check(onnx, dir));
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            try (OrtSession session = env.createSession(onnx, new OrtSession.SessionOptions())) {
                assertEquals("supcon", session.getMetadata().getProducerName());
                assertEquals(metadata(), session.getMetadata().getCustomMetadata());
                ModelMetadata read = ModelMetadata.read(session);
                assertEquals(ExportFixtures.labels(), read.labels());
                assertEquals(MNIST, read.geometry());
                assertEquals(Map.of("method", "supcon"), read.provenance());
                assertArrayEquals(new long[] {-1, 1, 28, 28},
                        shape(session.getInputInfo().get(OnnxContract.INPUT)));
                Map<String, NodeInfo> out = session.getOutputInfo();
                assertEquals(List.of(OnnxContract.EMBEDDING, OnnxContract.LOGITS,
                        OnnxContract.PROBABILITIES), List.copyOf(out.keySet()));
                assertArrayEquals(new long[] {-1, net.featureDim()},
                        shape(out.get(OnnxContract.EMBEDDING)));
                assertArrayEquals(new long[] {-1, ExportFixtures.CLASSES},
                        shape(out.get(OnnxContract.LOGITS)));
            }
        }
    }

    private static long[] shape(NodeInfo info) {
        return ((TensorInfo) info.getInfo()).getShape();
    }

    @Test
    void graphHasOneNodePerLayerWithUniqueNames() {
        try (NDManager manager = NDManager.newBaseManager()) {
            SupConNet net = ExportFixtures.net(manager, EncoderType.RESNET18,
                    new ImageGeometry(3, 8, 8), false, 9);
            OnnxGraph graph = OnnxExporter.graph(net, null, new ImageGeometry(3, 8, 8));
            long batchNorms = net.encoder().getParameters().keys().stream()
                    .filter(k -> k.endsWith("gamma")).count();
            // every weight in the encoder is a convolution's
            long convs = net.encoder().getParameters().keys().stream()
                    .filter(k -> k.endsWith("_weight")).count();
            // ResNet-18: stem + 8 blocks x 2 + 3 projections
            assertEquals(20, batchNorms);
            assertEquals(batchNorms, count(graph, "BatchNormalization"));
            assertEquals(convs, count(graph, "Conv"));
            // stem ReLU, 2 per basic block
            assertEquals(1 + 8 * 2, count(graph, "Relu"));
            assertEquals(8, count(graph, "Add"));
            Set<String> names = new HashSet<>();
            for (Node n : graph.nodes()) {
                assertTrue(names.add(n.name()), "duplicate node name " + n.name());
            }
            assertEquals(List.of(Dim.param("N"), Dim.of(3), Dim.of(8), Dim.of(8)),
                    graph.inputs().get(0).dims());
            assertEquals(ElemType.FLOAT, graph.inputs().get(0).type());
        }
    }

    private static long count(OnnxGraph graph, String op) {
        return graph.nodes().stream().filter(n -> n.opType().equals(op)).count();
    }

    @Test
    void refusesALambdaBlockNamingItAndItsPath() {
        SequentialBlock inner = new SequentialBlock().add(new Relu()).add(Activation.reluBlock());
        SequentialBlock encoder = new SequentialBlock()
                .add(Normalize.forChannels(1))
                .add(new Relu())
                .add(inner);
        OnnxGraphBuilder g = new OnnxGraphBuilder("t");
        String x = g.input("images", ElemType.FLOAT, Dim.param("N"), Dim.of(1), Dim.of(4),
                Dim.of(4));
        UnsupportedBlockException e = assertThrows(UnsupportedBlockException.class,
                () -> OnnxExporter.appendBlock(g, encoder, "encoder", x));
        assertEquals("LambdaBlock", e.blockClass());
        assertEquals("encoder/03SequentialBlock/02LambdaBlock", e.path());
        assertTrue(e.getMessage().startsWith(
                "cannot export block LambdaBlock at encoder/03SequentialBlock/02LambdaBlock:"
                        + " supported are "), e.getMessage());
        assertTrue(e.getMessage().contains("ResidualBlock"), e.getMessage());
    }

    @Test
    void refusesAClassifierThatDoesNotFit() {
        try (NDManager manager = NDManager.newBaseManager()) {
            SupConNet net = ExportFixtures.net(manager, EncoderType.SMALL_RESNET, MNIST, true, 11);
            IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                    () -> OnnxExporter.export(net, null, MNIST, Map.of()));
            assertTrue(none.getMessage().contains("LinearClassifier"), none.getMessage());
            LinearClassifier wrongDim = ExportFixtures.classifier(net.featureDim() + 1, 1);
            IllegalArgumentException dim = assertThrows(IllegalArgumentException.class,
                    () -> OnnxExporter.export(net, wrongDim, MNIST, Map.of()));
            assertTrue(dim.getMessage().contains("dim " + (net.featureDim() + 1)),
                    dim.getMessage());
        }
    }

    @Test
    void refusesMetadataThatContradictsTheModel() {
        try (NDManager manager = NDManager.newBaseManager()) {
            SupConNet net = ExportFixtures.net(manager, EncoderType.SMALL_RESNET, MNIST, false, 13);
            Map<String, String> threeLabels = ModelMetadata.entries(List.of("a", "b", "c"), MNIST,
                    "m", "1", Map.of());
            IllegalArgumentException labels = assertThrows(IllegalArgumentException.class,
                    () -> OnnxExporter.export(net, null, MNIST, threeLabels));
            assertTrue(labels.getMessage().contains("3 labels"), labels.getMessage());
            ImageGeometry rgb = new ImageGeometry(3, 28, 28);
            IllegalArgumentException channels = assertThrows(IllegalArgumentException.class,
                    () -> OnnxExporter.export(net, null, rgb, Map.of()));
            assertTrue(channels.getMessage().contains("1 channels"), channels.getMessage());
            Map<String, String> otherSize = ModelMetadata.entries(ExportFixtures.labels(),
                    new ImageGeometry(1, 32, 32), "m", "1", Map.of());
            IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                    () -> OnnxExporter.export(net, null, MNIST, otherSize));
            assertTrue(size.getMessage().contains("image.height is 32"), size.getMessage());
        }
    }

    private static Map<String, String> metadata() {
        return ModelMetadata.entries(ExportFixtures.labels(), MNIST, "test-model", "1",
                Map.of("method", "supcon"));
    }
}
