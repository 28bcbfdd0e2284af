package org.supcon.trainer.pipeline;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.IntStream;
import org.supcon.common.index.IndexEntry;
import org.supcon.common.index.VectorIndex;
import org.supcon.common.index.VectorIndexCard;
import org.supcon.common.index.VectorIndexWriter;
import org.supcon.trainer.images.ImageSet;
import org.supcon.trainer.model.SupConNet;
import org.supcon.trainer.quality.DuplicateSearch;
import org.supcon.trainer.quality.LabelIssues;
import org.supcon.trainer.quality.LabelVote;
import org.supcon.trainer.quality.NearDuplicates;
import org.supcon.trainer.report.RunReport;
import org.supcon.trainer.settings.RunSettings;
import org.supcon.trainer.train.Features;
import org.supcon.trainer.train.ProgressListener;
import org.supcon.trainer.train.TrainingRun;

/**
 * A version's vector index, built from the run's trained network: every sample of the run (the
 * training part with the labels it was trained on, after any label-noise flips, then the
 * validation and the test part) embedded as the exported model's {@code embedding} output
 * ({@link TrainingRun#embeddings}), written with {@link VectorIndexWriter} into the run directory.
 * Over the index, the data-quality analysis: suspected mislabels ({@link LabelVote}) and
 * near-duplicates ({@link DuplicateSearch}). Depends only on the trained network, not on the ONNX
 * export, so the report can show it before the export.
 */
public final class DatasetIndex {

    /** One split of the run's samples; their index ordinals follow each other in {@link #parts} order. */
    public record Part(String split, ImageSet images) {}

    /** Neighbours a duplicate search asks for per sample: bounds the cost where many samples are alike. */
    static final int DUPLICATES_PER_SAMPLE = 20;
    /** The HNSW queue of the analysis' searches; at k = 10 neighbours, recall close to exact search. */
    static final int CANDIDATES = 50;

    /**
     * The index written, the data-quality analysis over it, and what each cost.
     *
     * @param file {@value VectorIndex#FILE} in the run directory
     * @param card what the model card says about it
     * @param parts the samples in index order
     * @param embeddingSeconds encoding every sample with the network
     * @param buildSeconds building the HNSW graph and packing the file
     * @param votes the label vote over every sample
     * @param duplicates the near-duplicates
     * @param labelIssues {@value LabelIssues#FILE}, written in the run directory (no version)
     * @param nearDuplicates {@value NearDuplicates#FILE}, written in the run directory (no version)
     * @param mislabelSeconds the label vote (one HNSW query per sample)
     * @param duplicateSeconds the duplicate search (one HNSW query per sample) and the grouping
     */
    public record Built(Path file, VectorIndexCard card, List<Part> parts, double embeddingSeconds, double buildSeconds,
            LabelVote.Result votes, DuplicateSearch.Result duplicates, LabelIssues labelIssues,
            NearDuplicates nearDuplicates, double mislabelSeconds, double duplicateSeconds) {
        public Built {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(card, "card");
        }
    }

    private DatasetIndex() {}

    /** The run's samples in index order: train, validation, test (empty parts left out). */
    public static List<Part> parts(TrainingRun.Data data) {
        List<Part> parts = new ArrayList<>(3);
        for (Part p : List.of(new Part(IndexEntry.TRAIN, data.train()),
                new Part(IndexEntry.VALIDATION, data.validation()), new Part(IndexEntry.TEST, data.test()))) {
            if (p.images().size() > 0) {
                parts.add(p);
            }
        }
        return parts;
    }

    /**
     * The report's data-quality section: the {@code top} suspects with their neighbours as
     * thumbnails (pixels and labels as the run gave them), and one line on the near-duplicates.
     */
    public static RunReport.Quality reportSection(Built b, List<String> labels, int top) {
        List<RunReport.Suspect> rows = new ArrayList<>();
        for (LabelVote.Vote v : b.votes().suspects().subList(0, Math.min(top, b.votes().suspects().size()))) {
            List<RunReport.Thumb> neighbours = IntStream.of(v.neighbours()).mapToObj(o -> thumb(b.parts(), o, labels)).toList();
            rows.add(new RunReport.Suspect(thumb(b.parts(), v.ordinal(), labels), labels.get(v.suggested()), v.score(),
                    neighbours));
        }
        DuplicateSearch.Result d = b.duplicates();
        String duplicates = String.format(Locale.ROOT,
                "%d near-duplicate groups (%d pairs at cosine >= %.3f), %d pairs across train/test; see %s",
                d.groups().size(), d.pairs().size(), d.threshold(), d.crossSplit().size(), NearDuplicates.FILE);
        return new RunReport.Quality(rows, b.votes().suspects().size(), b.card().count(), b.votes().k(),
                b.votes().margin(), duplicates);
    }

    private static RunReport.Thumb thumb(List<Part> parts, int ordinal, List<String> labels) {
        Located at = locate(parts, ordinal);
        ImageSet images = at.part().images();
        int from = images.offset(at.index());
        return new RunReport.Thumb(images.id(at.index()), labels.get(images.label(at.index())), at.part().split(),
                images.geometry(), Arrays.copyOfRange(images.pixels(), from, from + images.geometry().pixels()));
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
     * {@code listener} the progress, writes {@value VectorIndex#FILE} into {@code runDir}, loads it
     * back as a server would, and writes the suspected mislabels and near-duplicates beside it.
     */
    public static Built build(NDManager manager, SupConNet net, TrainingRun.Data data, Path runDir, RunSettings settings,
            String modelName, String runId, ProgressListener listener) throws IOException {
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
        List<String> labels = data.train().labelNames();
        try (VectorIndex index = VectorIndex.load(file, written.card(), dim)) {
            long t1 = System.nanoTime();
            LabelVote.Result votes = LabelVote.run(index, labels.size(), settings.labelVoteNeighbours(),
                    settings.mislabelMargin(), CANDIDATES);
            long t2 = System.nanoTime();
            DuplicateSearch.Result duplicates = DuplicateSearch.run(index, settings.duplicateThreshold(),
                    DUPLICATES_PER_SAMPLE, CANDIDATES);
            long t3 = System.nanoTime();
            LabelIssues issues = LabelVote.issues(votes, index, labels, modelName, null, runId);
            issues.write(runDir.resolve(LabelIssues.FILE));
            NearDuplicates near = DuplicateSearch.nearDuplicates(duplicates, index, labels, modelName, null, runId);
            near.write(runDir.resolve(NearDuplicates.FILE));
            return new Built(file, written.card(), parts, embeddingSeconds, written.buildSeconds(), votes, duplicates,
                    issues, near, (t2 - t1) / 1e9, (t3 - t2) / 1e9);
        }
    }
}
