package org.supcon.trainer.cli;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.supcon.common.index.IndexEntry;
import org.supcon.common.index.Neighbour;
import org.supcon.common.index.VectorIndex;
import org.supcon.common.index.VectorIndexWriter;
import org.supcon.common.model.OnnxContract;
import org.supcon.common.repository.ModelCard;
import org.supcon.common.repository.RepositoryLayout;
import org.supcon.trainer.images.ImageGeometry;
import org.supcon.trainer.images.ImageSet;
import org.supcon.trainer.pipeline.DataSource;
import org.supcon.trainer.pipeline.FileSource;
import org.supcon.trainer.pipeline.LabelNoise;
import org.supcon.trainer.quality.LabelVote;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench-search}: the embedding space of published versions as a search engine and a
 * mislabel detector, measured on a dataset with its own test split. Per version: the training
 * images (labels as trained, i.e. with the run's recorded label noise) are the gallery, the test
 * images the queries. It reports HNSW's recall@10 against exact search with the queries/s of
 * both (one thread, side by side), precision@10 (share of a query's neighbours with its true
 * label), the index's build time and size, and how well the neighbour vote finds the flipped
 * labels against the simple baseline (the model's own prediction disagrees with the label), with
 * precision-recall curves as a plot.
 */
@Command(name = "bench-search", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Recall and speed of HNSW vs exact search, precision@10 and mislabel detection of published versions.")
public final class BenchSearchCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Option(names = "--model", required = true, split = ",", paramLabel = "DIR",
            description = "published version directories (ROOT/NAME/VERSION), comma-separated")
    List<Path> models;

    @Option(names = "--dataset", defaultValue = "fashion-mnist", description = "(default: ${DEFAULT-VALUE})")
    String dataset;

    @Option(names = "--candidates", split = ",", defaultValue = "10,50,100,200",
            description = "HNSW candidate-list sizes to measure (default: ${DEFAULT-VALUE})")
    List<Integer> candidates;

    @Option(names = "--neighbours", defaultValue = "10", description = "neighbours that vote (default: ${DEFAULT-VALUE})")
    int neighbours;

    @Option(names = "--margin", defaultValue = "0.5", description = "vote gap of a suspect (default: ${DEFAULT-VALUE})")
    double margin;

    @Option(names = "--output", required = true, description = "where the JSON, the plot and the query vectors go")
    Path output;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        for (int c : candidates) {
            if (c < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--candidates must be positive, got " + c);
            }
        }
        Files.createDirectories(output);
        DataSource.Loaded data = new FileSource(dataset).load(null, output);
        Map<String, Object> all = new LinkedHashMap<>();
        List<Curve> curves = new ArrayList<>();
        for (Path dir : models) {
            all.put(dir.toString(), bench(dir, data.train(), data.test(), curves));
        }
        Files.write(output.resolve("bench-search.json"), JSON.writeValueAsBytes(all));
        plot(curves, output.resolve("mislabel-pr.png"));
        out.println("wrote " + output.resolve("bench-search.json") + " and " + output.resolve("mislabel-pr.png"));
        return 0;
    }

    private Map<String, Object> bench(Path dir, ImageSet train, ImageSet test, List<Curve> curves)
            throws IOException, OrtException {
        ModelCard card = ModelCard.read(dir.resolve(RepositoryLayout.CARD_FILE));
        String name = card.modelName() + " v" + card.version();
        // labels as the run trained on them: the flips it recorded, by id
        Map<String, String> flipped = new HashMap<>();
        Path noise = dir.resolve(LabelNoise.FILE);
        if (Files.exists(noise)) {
            for (LabelNoise.Flip f : LabelNoise.Record.read(noise).flips()) {
                flipped.put(f.id(), f.givenLabel());
            }
        }
        List<String> names = train.labelNames();
        int[] given = train.labels().clone();
        boolean[] isFlip = new boolean[train.size()];
        for (int i = 0; i < train.size(); i++) {
            String g = flipped.get(train.id(i));
            if (g != null) {
                given[i] = names.indexOf(g);
                isFlip[i] = true;
            }
        }
        out.printf(Locale.ROOT, "== %s: %d gallery images (%d labels flipped), %d queries%n", name, train.size(),
                flipped.size(), test.size());

        long t0 = System.nanoTime();
        Outputs g = run(dir.resolve(RepositoryLayout.MODEL_FILE), train);
        Outputs q = run(dir.resolve(RepositoryLayout.MODEL_FILE), test);
        double embedSeconds = (System.nanoTime() - t0) / 1e9;
        int dim = g.dim;
        out.printf(Locale.ROOT, "embedded %d images in %.1f s (ONNX Runtime, %.0f img/s)%n", train.size() + test.size(),
                embedSeconds, (train.size() + test.size()) / embedSeconds);

        List<IndexEntry> entries = new ArrayList<>(train.size());
        for (int i = 0; i < train.size(); i++) {
            entries.add(new IndexEntry(train.id(i), given[i], IndexEntry.TRAIN));
        }
        Path file = output.resolve(card.modelName() + "-v" + card.version() + "-" + VectorIndex.FILE);
        VectorIndexWriter.Written written = VectorIndexWriter.write(file, dim, entries, g.embedding);
        out.printf(Locale.ROOT, "index: %d vectors of %d, built in %.1f s, %.1f MB%n", written.card().count(), dim,
                written.buildSeconds(), written.card().sizeBytes() / 1e6);
        writeQueries(output.resolve(card.modelName() + "-v" + card.version() + "-queries.f32"), q.embedding);

        Map<String, Object> r = new LinkedHashMap<>();
        r.put("model", name);
        r.put("gallery", train.size());
        r.put("queries", test.size());
        r.put("dimension", dim);
        r.put("embedSeconds", embedSeconds);
        r.put("indexBuildSeconds", written.buildSeconds());
        r.put("indexBytes", written.card().sizeBytes());
        try (VectorIndex index = VectorIndex.load(file, written.card(), dim)) {
            float[] query = new float[dim];
            // exact first: the truth; then HNSW per candidate-list size; queries/s on one thread
            List<List<Neighbour>> exact = new ArrayList<>(test.size());
            long e0 = System.nanoTime();
            for (int i = 0; i < test.size(); i++) {
                System.arraycopy(q.embedding, i * dim, query, 0, dim);
                exact.add(index.exactSearch(query, 10, -1));
            }
            double exactQps = test.size() / ((System.nanoTime() - e0) / 1e9);
            r.put("exactQueriesPerSecond", exactQps);
            r.put("precisionAt10Exact", precision(exact, test, train));
            Map<String, Object> hnsw = new LinkedHashMap<>();
            for (int c : candidates) {
                List<List<Neighbour>> approx = new ArrayList<>(test.size());
                long h0 = System.nanoTime();
                for (int i = 0; i < test.size(); i++) {
                    System.arraycopy(q.embedding, i * dim, query, 0, dim);
                    approx.add(index.search(query, 10, -1, c));
                }
                double qps = test.size() / ((System.nanoTime() - h0) / 1e9);
                double recall = recall(approx, exact);
                hnsw.put(Integer.toString(c), Map.of("recallAt10", recall, "queriesPerSecond", qps,
                        "speedupOverExact", qps / exactQps, "precisionAt10", precision(approx, test, train)));
                out.printf(Locale.ROOT, "HNSW candidates %d: recall@10 %.4f, %.0f q/s (x%.1f of exact's %.0f q/s)%n", c,
                        recall, qps, qps / exactQps, exactQps);
            }
            r.put("hnsw", hnsw);
            out.printf(Locale.ROOT, "precision@10 (exact neighbours, true labels): %.4f%n", (double) r.get("precisionAt10Exact"));

            if (!flipped.isEmpty()) {
                long v0 = System.nanoTime();
                double[] gap = LabelVote.run(index, names.size(), neighbours, margin, 50).scores();
                double voteSeconds = (System.nanoTime() - v0) / 1e9;
                double[] baseline = new double[train.size()];
                int k = names.size();
                for (int i = 0; i < train.size(); i++) {
                    baseline[i] = 1 - g.probabilities[i * k + given[i]];
                }
                Map<String, Object> detection = new LinkedHashMap<>();
                detection.put("voteSeconds", voteSeconds);
                detection.put("neighbourVote", score(gap, isFlip, margin));
                // the baseline flags a sample whose predicted label is not its given label
                boolean[] disagrees = new boolean[train.size()];
                for (int i = 0; i < train.size(); i++) {
                    disagrees[i] = argmax(g.probabilities, i, k) != given[i];
                }
                detection.put("predictionDisagrees", score(disagrees, isFlip));
                r.put("mislabelDetection", detection);
                curves.add(new Curve(name + " neighbour vote", pr(gap, isFlip)));
                curves.add(new Curve(name + " prediction disagrees", pr(baseline, isFlip)));
                out.printf(Locale.ROOT, "mislabels: vote %s; prediction disagrees %s (%.1f s for %d votes)%n",
                        detection.get("neighbourVote"), detection.get("predictionDisagrees"), voteSeconds, train.size());
            }
        }
        return r;
    }

    /** Embeddings and probabilities of every image of {@code set}, batches of 500, two intra-op threads. */
    private static Outputs run(Path model, ImageSet set) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        ImageGeometry geo = set.geometry();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(2);
            try (OrtSession session = env.createSession(model.toString(), options)) {
                int batch = 500;
                float[] embedding = null;
                float[] probabilities = null;
                int dim = 0;
                int k = 0;
                for (int start = 0; start < set.size(); start += batch) {
                    int n = Math.min(batch, set.size() - start);
                    float[] x = new float[n * geo.pixels()];
                    byte[] px = set.pixels();
                    int off = set.offset(start);
                    for (int i = 0; i < x.length; i++) {
                        x[i] = px[off + i] & 0xFF;
                    }
                    try (OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(x),
                            new long[] {n, geo.channels(), geo.height(), geo.width()});
                            OrtSession.Result result = session.run(Map.of(OnnxContract.INPUT, input))) {
                        float[][] e = (float[][]) result.get(OnnxContract.EMBEDDING).orElseThrow().getValue();
                        float[][] p = (float[][]) result.get(OnnxContract.PROBABILITIES).orElseThrow().getValue();
                        if (embedding == null) {
                            dim = e[0].length;
                            k = p[0].length;
                            embedding = new float[set.size() * dim];
                            probabilities = new float[set.size() * k];
                        }
                        for (int i = 0; i < n; i++) {
                            System.arraycopy(e[i], 0, embedding, (start + i) * dim, dim);
                            System.arraycopy(p[i], 0, probabilities, (start + i) * k, k);
                        }
                    }
                }
                return new Outputs(embedding, probabilities, dim);
            }
        }
    }

    private record Outputs(float[] embedding, float[] probabilities, int dim) {}

    private record Curve(String name, double[][] recallPrecision) {}

    /** Little-endian float32 rows: the test queries for the serving benchmark. */
    private static void writeQueries(Path file, float[] vectors) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(vectors.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(vectors);
        Files.write(file, b.array());
    }

    private static double recall(List<List<Neighbour>> approx, List<List<Neighbour>> exact) {
        long hits = 0;
        long total = 0;
        for (int i = 0; i < exact.size(); i++) {
            Set<Integer> truth = new HashSet<>();
            exact.get(i).forEach(n -> truth.add(n.ordinal()));
            for (Neighbour n : approx.get(i)) {
                hits += truth.contains(n.ordinal()) ? 1 : 0;
            }
            total += exact.get(i).size();
        }
        return (double) hits / total;
    }

    /** Share of the neighbours whose TRUE label is the query's (the gallery's flips do not count as hits). */
    private static double precision(List<List<Neighbour>> hits, ImageSet queries, ImageSet gallery) {
        long same = 0;
        long total = 0;
        for (int i = 0; i < hits.size(); i++) {
            for (Neighbour n : hits.get(i)) {
                same += gallery.label(n.ordinal()) == queries.label(i) ? 1 : 0;
                total++;
            }
        }
        return (double) same / total;
    }

    private static int argmax(float[] p, int row, int k) {
        int best = 0;
        for (int j = 1; j < k; j++) {
            if (p[row * k + j] > p[row * k + best]) {
                best = j;
            }
        }
        return best;
    }

    private static Map<String, Object> score(double[] score, boolean[] truth, double threshold) {
        boolean[] flagged = new boolean[score.length];
        for (int i = 0; i < score.length; i++) {
            flagged[i] = score[i] >= threshold;
        }
        return score(flagged, truth);
    }

    private static Map<String, Object> score(boolean[] flagged, boolean[] truth) {
        long tp = 0;
        long fp = 0;
        long fn = 0;
        for (int i = 0; i < flagged.length; i++) {
            if (flagged[i] && truth[i]) {
                tp++;
            } else if (flagged[i]) {
                fp++;
            } else if (truth[i]) {
                fn++;
            }
        }
        double p = tp + fp == 0 ? 0 : (double) tp / (tp + fp);
        double r = tp + fn == 0 ? 0 : (double) tp / (tp + fn);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("flagged", tp + fp);
        m.put("truePositives", tp);
        m.put("precision", p);
        m.put("recall", r);
        m.put("f1", p + r == 0 ? 0 : 2 * p * r / (p + r));
        return m;
    }

    /** (recall, precision) at every distinct score, highest first. */
    private static double[][] pr(double[] score, boolean[] truth) {
        Integer[] order = new Integer[score.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(score[b], score[a]));
        long positives = 0;
        for (boolean t : truth) {
            positives += t ? 1 : 0;
        }
        List<double[]> points = new ArrayList<>();
        long tp = 0;
        for (int r = 0; r < order.length; r++) {
            tp += truth[order[r]] ? 1 : 0;
            boolean last = r == order.length - 1 || score[order[r + 1]] != score[order[r]];
            if (last && score[order[r]] > 0) {
                points.add(new double[] {(double) tp / positives, (double) tp / (r + 1)});
            }
        }
        return points.toArray(double[][]::new);
    }

    private static void plot(List<Curve> curves, Path png) throws IOException {
        if (curves.isEmpty()) {
            return;
        }
        XYChart chart = new XYChartBuilder().width(800).height(560).title("Finding flipped labels: precision vs recall")
                .xAxisTitle("recall (share of the flipped labels found)").yAxisTitle("precision (share of flagged that were flipped)")
                .build();
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0).setXAxisMin(0.0).setXAxisMax(1.0);
        chart.getStyler().setMarkerSize(3);
        for (Curve c : curves) {
            double[] x = new double[c.recallPrecision().length];
            double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                x[i] = c.recallPrecision()[i][0];
                y[i] = c.recallPrecision()[i][1];
            }
            if (x.length > 0) {
                chart.addSeries(c.name(), x, y);
            }
        }
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
