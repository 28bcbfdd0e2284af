package org.supcon.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.supcon.trainer.settings.TestSettings;
import org.junit.jupiter.api.io.TempDir;
import org.supcon.common.index.VectorIndex;
import org.supcon.common.index.VectorIndexCard;
import org.supcon.trainer.export.ModelMetadata;
import org.supcon.trainer.images.ImageFolderReader;
import org.supcon.trainer.images.ImageSet;
import org.supcon.trainer.quality.LabelIssues;
import org.supcon.trainer.quality.NearDuplicates;
import org.supcon.trainer.repository.ModelRepository;
import org.supcon.trainer.repository.PublishedVersion;

/**
 * The {@code train} command end to end on an image folder: trains, exports, checks parity and
 * publishes consecutive versions that ONNX Runtime loads.
 */
class TrainCommandPublishTest {

    /** Three classes of 16x16 grey PNGs: a bright band in the top, middle or bottom third. */
    static Path imageFolder(Path root, int perClass) throws Exception {
        SplittableRandom rng = new SplittableRandom(5);
        String[] labels = {"bottom", "middle", "top"};
        for (int k = 0; k < labels.length; k++) {
            Path dir = Files.createDirectories(root.resolve(labels[k]));
            for (int i = 0; i < perClass; i++) {
                BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY);
                for (int y = 0; y < 16; y++) {
                    for (int x = 0; x < 16; x++) {
                        boolean band = (2 - k) == Math.min(2, y * 3 / 16);
                        int v = (band ? 180 : 30) + rng.nextInt(50);
                        img.getRaster().setSample(x, y, 0, v);
                    }
                }
                ImageIO.write(img, "png", dir.resolve(i + ".png").toFile());
            }
        }
        return root;
    }

    @Test
    void trainsExportsAndPublishesConsecutiveVersions(@TempDir Path tmp) throws Exception {
        Path data = imageFolder(tmp.resolve("images"), 40);
        Path repo = tmp.resolve("models");
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream stdout = new PrintStream(console, true);
        for (int run = 1; run <= 2; run++) {
            int status = TrainCommandTest.cli(TestSettings.config(Map.of()), stdout).execute("train","--dataset", data.toString(), "--epochs", "3", "--batch-size", "16", "--projection-dim", "16",
                    "--validation-fraction", "0.1", "--linear-epochs", "10", "--output", tmp.resolve("run" + run).toString(),
                    "--model-repository", repo.toString(), "--model-name", "bands", "--seed", Integer.toString(run));
            assertEquals(0, status, console.toString());
        }
        ModelRepository repository = new ModelRepository(repo);
        assertEquals(List.of(1L, 2L), repository.versions("bands"), console.toString());
        PublishedVersion v2 = repository.latest("bands").orElseThrow();
        assertEquals(java.util.Optional.empty(), ModelRepository.verify(v2));
        assertEquals(List.of("bottom", "middle", "top"), v2.card().labels());
        assertTrue(Files.isRegularFile(v2.file("training.png")));

        JsonNode summary = new ObjectMapper().readTree(tmp.resolve("run2/summary.json").toFile());
        assertEquals(2, summary.at("/onnx/modelVersion").asInt());
        assertTrue(summary.at("/testAccuracy").asDouble() >= 0.9, "accuracy " + summary.at("/testAccuracy"));
        assertEquals(summary.at("/testAccuracy").asDouble(), v2.card().metrics().get("testAccuracy"), 1e-12);

        // the published file is a working model: ONNX Runtime agrees with the run's accuracy on its own metadata
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(v2.modelFile().toString(), new OrtSession.SessionOptions())) {
            ModelMetadata meta = ModelMetadata.read(session);
            assertEquals("2", meta.modelVersion());
            assertEquals("bands", meta.modelName());
            float[] image = new float[16 * 16];
            for (int y = 0; y < 16; y++) {
                for (int x = 0; x < 16; x++) {
                    image[y * 16 + x] = y < 5 ? 200 : 40; // a top band
                }
            }
            try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(image), new long[] {1, 1, 16, 16});
                    OrtSession.Result out = session.run(Map.of("images", in))) {
                float[][] probs = (float[][]) out.get("probabilities").orElseThrow().getValue();
                int best = 0;
                for (int k = 1; k < 3; k++) {
                    best = probs[0][k] > probs[0][best] ? k : best;
                }
                assertEquals("top", meta.labels().get(best), java.util.Arrays.toString(probs[0]));
            }
        }
        assertTrue(console.toString().contains("published bands version 2"), console.toString());

        assertIndexIsTheServedEmbeddings(data, v2, summary);
        assertDataQualityIsPublished(v2, summary, tmp.resolve("run2"), console.toString());
    }

    /** The suspects and near-duplicates are in the version (with its number) and in the run, counted in the summary. */
    private static void assertDataQualityIsPublished(PublishedVersion v, JsonNode summary, Path runDir, String console)
            throws Exception {
        LabelIssues issues = LabelIssues.read(v.file(LabelIssues.FILE));
        assertEquals(v.version(), issues.version());
        assertEquals("bands", issues.modelName());
        assertEquals("run2", issues.runId());
        assertEquals(120, issues.samples());
        assertEquals(10, issues.neighbours());
        assertEquals(issues, LabelIssues.read(runDir.resolve(LabelIssues.FILE)));
        NearDuplicates near = NearDuplicates.read(v.file(NearDuplicates.FILE));
        assertEquals(v.version(), near.version());
        assertEquals(120, near.samples());
        assertEquals(near, NearDuplicates.read(runDir.resolve(NearDuplicates.FILE)));
        assertEquals(issues.suspects().size(), summary.at("/searchIndex/suspectedMislabels").asInt());
        assertEquals(near.groups().size(), summary.at("/searchIndex/nearDuplicateGroups").asInt());
        assertEquals(near.crossSplitPairsTotal(), summary.at("/searchIndex/crossSplitPairs").asInt());
        String line = issues.suspects().size() + " suspected mislabels, " + near.groups().size()
                + " near-duplicate groups (" + near.crossSplitPairsTotal() + " pairs across train/test)";
        assertTrue(console.contains(line), "no line '" + line + "' in\n" + console);
        assertTrue(summary.at("/searchIndex/mislabelSeconds").isNumber(), summary.toString());

        String report = Files.readString(runDir.resolve("report.html"));
        assertTrue(report.contains("<h2 id=\"suspected-mislabels\">Suspected mislabels</h2>"), "no section in the report");
        assertTrue(report.contains(issues.suspects().size() + " of 120 samples: their 10 nearest neighbours vote"), report);
        assertEquals(Math.min(12, issues.suspects().size()), report.split("<tr class=\"suspect\">", -1).length - 1);
        assertTrue(report.contains(near.groups().size() + " near-duplicate groups ("), report);
        assertTrue(Files.isRegularFile(v.file("report.html")));
    }

    /**
     * The version's vector index holds every sample of the run, matches the card, loads, and its
     * vectors are what the published model's {@code embedding} output gives for those images.
     */
    private static void assertIndexIsTheServedEmbeddings(Path data, PublishedVersion v, JsonNode summary) throws Exception {
        VectorIndexCard card = v.card().index();
        assertNotNull(card, "the card names no index");
        Path file = v.file(VectorIndex.FILE);
        assertTrue(Files.isRegularFile(file));
        assertEquals(Files.size(file), card.sizeBytes());
        int samples = summary.at("/trainImages").asInt() + summary.at("/validationImages").asInt()
                + summary.at("/testImages").asInt();
        assertEquals(120, samples);
        assertEquals(samples, card.count());
        assertEquals(samples, summary.at("/searchIndex/count").asInt());
        assertEquals(card.sizeBytes(), summary.at("/searchIndex/sizeBytes").asLong());
        assertTrue(summary.at("/searchIndex/embeddingSeconds").asDouble() > 0, summary.toString());
        Map<?, ?> cost = (Map<?, ?>) v.card().provenance().get("searchIndex");
        assertEquals(samples, ((Number) cost.get("count")).intValue(), String.valueOf(cost));
        assertEquals(summary.at("/searchIndex/buildSeconds").asDouble(), ((Number) cost.get("buildSeconds")).doubleValue());
        ImageSet all = ImageFolderReader.read(data);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (VectorIndex index = VectorIndex.load(file, card, card.dimension());
                OrtSession session = env.createSession(v.modelFile().toString(), new OrtSession.SessionOptions())) {
            java.util.Set<String> splits = new java.util.TreeSet<>();
            java.util.Set<String> ids = new java.util.HashSet<>();
            for (int o = 0; o < index.count(); o++) {
                splits.add(index.entry(o).split());
                ids.add(index.entry(o).id());
            }
            assertEquals(java.util.Set.of("test", "train", "validation"), splits);
            assertEquals(samples, ids.size(), "ids are not unique");
            for (int o = 0; o < index.count(); o += 17) {
                int i = Integer.parseInt(index.entry(o).id()); // a folder's ids are the reader's positions
                assertEquals(all.label(i), index.entry(o).label(), "label of " + index.entry(o));
                float[] image = new float[all.geometry().pixels()];
                for (int p = 0; p < image.length; p++) {
                    image[p] = all.pixels()[all.offset(i) + p] & 0xFF;
                }
                try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(image), new long[] {1, 1, 16, 16});
                        OrtSession.Result out = session.run(Map.of("images", in))) {
                    float[] served = ((float[][]) out.get("embedding").orElseThrow().getValue())[0];
                    float[] indexed = index.vector(o);
                    for (int c = 0; c < served.length; c++) {
                        assertEquals(served[c], indexed[c], 1e-4, "ordinal " + o + " value " + c);
                    }
                }
            }
        }
    }

    @Test
    void withoutSearchIndexNothingOfItIsWrittenOrPublished(@TempDir Path tmp) throws Exception {
        Path data = imageFolder(tmp.resolve("images"), 10);
        Path repo = tmp.resolve("models");
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        int status = TrainCommandTest.cli(TestSettings.config(Map.of()), new PrintStream(console, true)).execute("train",
                "--dataset", data.toString(), "--epochs", "1", "--batch-size", "8", "--projection-dim", "8",
                "--linear-epochs", "1", "--search-index", "false", "--output", tmp.resolve("run").toString(),
                "--model-repository", repo.toString(), "--model-name", "bands");
        assertEquals(0, status, console.toString());
        PublishedVersion v = new ModelRepository(repo).latest("bands").orElseThrow();
        assertNull(v.card().index());
        for (String name : List.of(VectorIndex.FILE, LabelIssues.FILE, NearDuplicates.FILE)) {
            assertFalse(Files.exists(v.file(name)), name);
            assertFalse(Files.exists(tmp.resolve("run").resolve(name)), name);
        }
        JsonNode summary = new ObjectMapper().readTree(tmp.resolve("run/summary.json").toFile());
        assertTrue(summary.at("/searchIndex").isMissingNode(), summary.toString());
        assertFalse(v.card().provenance().containsKey("searchIndex"));
        assertFalse(console.toString().contains("[index]"), console.toString());
        assertFalse(Files.readString(tmp.resolve("run/report.html")).contains("Suspected mislabels"));
    }

    /**
     * The momentum encoder and its queue are training-only: a run with a queue exports the same
     * graph as a run without (operators in order, initializers' names and shapes, inputs and
     * outputs), valid by the official checker; only the trained weights differ.
     */
    @Test
    void aQueueRunExportsTheSameGraphAsAPlainRun(@TempDir Path tmp) throws Exception {
        Path data = imageFolder(tmp.resolve("images"), 10);
        Path repo = tmp.resolve("models");
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        for (int queue : new int[] {0, 64}) {
            int status = TrainCommandTest.cli(TestSettings.config(Map.of()), new PrintStream(console, true)).execute("train",
                    "--dataset", data.toString(), "--epochs", "2", "--batch-size", "8", "--projection-dim", "8",
                    "--linear-epochs", "1", "--search-index", "false", "--queue-size", Integer.toString(queue),
                    "--output", tmp.resolve("run" + queue).toString(), "--model-repository", repo.toString(),
                    "--model-name", "q" + queue);
            assertEquals(0, status, console.toString());
        }
        assertTrue(console.toString().contains("queue 64 (momentum encoder 0.99)"), console.toString());
        ModelRepository repository = new ModelRepository(repo);
        Path plain = repository.latest("q0").orElseThrow().modelFile();
        Path queued = repository.latest("q64").orElseThrow().modelFile();
        String structure = "import onnx,sys; m=onnx.load(sys.argv[1]); onnx.checker.check_model(m, full_check=True); g=m.graph;"
                + " print([n.op_type for n in g.node], [(i.name, list(i.dims)) for i in g.initializer],"
                + " [i.name for i in g.input], [o.name for o in g.output])";
        assertEquals(org.supcon.trainer.export.OnnxChecker.run(structure, plain.toString()),
                org.supcon.trainer.export.OnnxChecker.run(structure, queued.toString()));
        JsonNode summary = new ObjectMapper().readTree(tmp.resolve("run64/summary.json").toFile());
        assertEquals(64, summary.at("/settings/queueSize").asInt(), summary.toString());
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(plain), Files.readAllBytes(queued)),
                "the queue run trained the same weights as the plain run");
    }
}
