package org.supcon.trainer.pipeline;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.supcon.common.index.IndexEntry;
import org.supcon.common.index.VectorIndex;
import org.supcon.common.index.VectorIndexCard;
import org.supcon.common.index.VectorIndexWriter;
import org.supcon.trainer.images.ImageSet;
import org.supcon.trainer.model.SupConNet;
import org.supcon.trainer.train.Features;
import org.supcon.trainer.train.ProgressListener;
import org.supcon.trainer.train.TrainingRun;

/**
 * A version's vector index, built from the run's trained network: every sample of the run (the
 * training part with the labels it was trained on, after any label-noise flips, then the
 * validation and the test part) embedded as the exported model's {@code embedding} output
 * ({@link TrainingRun#embeddings}), written with {@link VectorIndexWriter} into the run directory.
 * Depends only on the trained network, not on the ONNX export, so the data-quality analysis and
 * the report can use it before the export.
 */
public final class DatasetIndex {

    public static final String TRAIN = "train";
    public static final String VALIDATION = "validation";
    public static final String TEST = "test";

    /** One split of the run's samples; their index ordinals follow each other in {@link #parts} order. */
    public record Part(String split, ImageSet images) {}

    /**
     * The index written and what it cost.
     *
     * @param file {@value VectorIndex#FILE} in the run directory
     * @param card what the model card says about it
     * @param embeddingSeconds encoding every sample with the network
     * @param buildSeconds building the HNSW graph and packing the file
     */
    public record Built(Path file, VectorIndexCard card, double embeddingSeconds, double buildSeconds) {
        public Built {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(card, "card");
        }
    }

    private DatasetIndex() {}

    /** The run's samples in index order: train, validation, test (empty parts left out). */
    public static List<Part> parts(TrainingRun.Data data) {
        List<Part> parts = new ArrayList<>(3);
        for (Part p : List.of(new Part(TRAIN, data.train()), new Part(VALIDATION, data.validation()),
                new Part(TEST, data.test()))) {
            if (p.images().size() > 0) {
                parts.add(p);
            }
        }
        return parts;
    }

    /** The sample at index {@code ordinal}: its part and its position in that part's images. */
    public record Located(Part part, int index) {}

    public static Located locate(List<Part> parts, int ordinal) {
        int rest = ordinal;
        for (Part p : parts) {
            if (rest < p.images().size()) {
                return new Located(p, rest);
            }
            rest -= p.images().size();
        }
        throw new IndexOutOfBoundsException("ordinal " + ordinal + " is beyond the run's " + (ordinal - rest) + " samples");
    }

    /**
     * Embeds every sample of {@code data} with {@code net} (batched, in inference mode), telling
     * {@code listener} the progress, and writes {@value VectorIndex#FILE} into {@code runDir}.
     */
    public static Built build(NDManager manager, SupConNet net, TrainingRun.Data data, Path runDir,
            ProgressListener listener) throws IOException {
        List<Part> parts = parts(data);
        int total = parts.stream().mapToInt(p -> p.images().size()).sum();
        int dim = net.featureDim();
        float[] vectors = new float[Math.multiplyExact(total, dim)];
        List<IndexEntry> entries = new ArrayList<>(total);
        ParameterStore ps = new ParameterStore(manager, false);
        long t0 = System.nanoTime();
        int before = 0;
        for (Part part : parts) {
            int offset = before;
            Features f = TrainingRun.embeddings(net, ps, manager, part.images(), done -> listener.onEmbedding(offset + done,
                    total, (offset + done) / Math.max(1e-9, (System.nanoTime() - t0) / 1e9)));
            if (f.dim() != dim) {
                throw new IllegalStateException("the encoder gave " + f.dim() + " values per image, its feature size is " + dim);
            }
            System.arraycopy(f.values(), 0, vectors, before * dim, f.values().length);
            ImageSet images = part.images();
            for (int i = 0; i < images.size(); i++) {
                entries.add(new IndexEntry(images.id(i), images.label(i), part.split()));
            }
            before += images.size();
        }
        double embeddingSeconds = (System.nanoTime() - t0) / 1e9;
        Path file = runDir.resolve(VectorIndex.FILE);
        VectorIndexWriter.Written written = VectorIndexWriter.write(file, dim, entries, vectors);
        return new Built(file, written.card(), embeddingSeconds, written.buildSeconds());
    }
}
