package org.supcon.trainer.cli;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.PrintStream;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.SplittableRandom;
import org.supcon.trainer.images.ImageGeometry;
import org.supcon.common.model.OnnxContract;
import org.supcon.trainer.export.ModelMetadata;
import org.supcon.trainer.export.OnnxExporter;
import org.supcon.trainer.model.EncoderType;
import org.supcon.trainer.model.SupConNet;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench-onnx}: export time and file size per encoder, then in-process ONNX Runtime (CPU)
 * latency and throughput of the exported model at several batch sizes, side by side with DJL
 * (libtorch) inference of the same network in the same process, so the figure is a ratio that
 * survives a noisy shared machine. Weights are random: speed does not depend on them.
 */
@Command(name = "bench-onnx", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Export time and size per encoder, then ONNX Runtime vs DJL inference speed at several batch sizes.")
public final class BenchOnnxCommand implements Callable<Integer> {

    @Option(names = "--encoders", paramLabel = "LIST", defaultValue = "small-resnet,resnet18,resnet50",
            description = "encoders whose export is timed (default: ${DEFAULT-VALUE})")
    String exportList;

    @Option(names = "--serve-encoders", paramLabel = "LIST", defaultValue = "small-resnet,resnet18",
            description = "encoders whose inference is timed (default: ${DEFAULT-VALUE})")
    String serveList;

    @Option(names = "--batches", paramLabel = "LIST", defaultValue = "1,8,32,128",
            description = "comma-separated positive batch sizes (default: ${DEFAULT-VALUE})")
    String batchList;

    @Option(names = "--threads", defaultValue = "2", description = "ONNX Runtime intra-op threads (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--seconds", defaultValue = "3", description = "measured time per cell (default: ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--channels", defaultValue = "1", description = "(default: ${DEFAULT-VALUE})")
    int channels;

    @Option(names = "--size", defaultValue = "28", description = "image height and width (default: ${DEFAULT-VALUE})")
    int size;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws OrtException {
        List<EncoderType> exportEncoders = parse("--encoders", exportList, BenchOnnxCommand::encoders,
                "a comma-separated list of small-resnet, resnet18, resnet50");
        List<EncoderType> serveEncoders = parse("--serve-encoders", serveList, BenchOnnxCommand::encoders,
                "a comma-separated list of small-resnet, resnet18, resnet50");
        int[] batches = parse("--batches", batchList,
                v -> Arrays.stream(v.split(",")).mapToInt(b -> positive(Integer.parseInt(b.trim()))).toArray(),
                "a comma-separated list of positive batch sizes");
        run(exportEncoders, serveEncoders, batches);
        return 0;
    }

    private <T> T parse(String option, String value, java.util.function.Function<String, T> parser, String what) {
        try {
            return parser.apply(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    option + " needs " + what + ", got '" + value + "'" + (e instanceof NumberFormatException ? "" : " (" + e.getMessage() + ")"));
        }
    }

    private void run(List<EncoderType> exportEncoders, List<EncoderType> serveEncoders, int[] batches) throws OrtException {
        ImageGeometry g = new ImageGeometry(channels, size, size);
        out.printf(Locale.ROOT, "bench-onnx: input %s, ONNX Runtime CPU with %d intra-op threads, DJL %s, %d cores%n",
                g, threads, Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion(),
                Runtime.getRuntime().availableProcessors());
        out.println();
        out.println("| encoder | parameters | export (median of 3) | model.onnx |");
        out.println("|---|---|---|---|");
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        for (EncoderType type : exportEncoders) {
            try (NDManager m = NDManager.newBaseManager()) {
                SupConNet net = net(m, type, g);
                byte[] onnx = null;
                List<Double> times = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    long t0 = System.nanoTime();
                    onnx = export(net, g);
                    times.add((System.nanoTime() - t0) / 1e6);
                }
                long params = net.getParameters().stream().mapToLong(p -> p.getValue().getArray().size()).sum();
                out.printf(Locale.ROOT, "| %s | %,d | %.0f ms | %.1f MB |%n", type.cliName(), params, median(times), onnx.length / 1e6);
            }
        }
        for (EncoderType type : serveEncoders) {
            out.println();
            out.printf("%s: latency per call (median, p90) and images/s; ONNX Runtime vs DJL, alternating%n", type.cliName());
            out.println();
            out.println("| batch | ORT median | ORT p90 | ORT img/s | DJL median | DJL img/s | ORT / DJL |");
            out.println("|---|---|---|---|---|---|---|");
            try (NDManager m = NDManager.newBaseManager();
                    OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                SupConNet net = net(m, type, g);
                options.setIntraOpNumThreads(threads);
                options.setInterOpNumThreads(1);
                options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                try (OrtSession session = env.createSession(export(net, g), options)) {
                    ParameterStore ps = new ParameterStore(m, false);
                    for (int batch : batches) {
                        float[] images = images(batch, g);
                        List<Double> ort = new ArrayList<>();
                        List<Double> djl = new ArrayList<>();
                        // alternate rounds so drift in machine load hits both alike
                        long deadline = System.nanoTime() + (long) (seconds * 1e9);
                        runOrt(env, session, images, batch, g);
                        runDjl(m, ps, net, images, batch, g);
                        while (System.nanoTime() < deadline || ort.size() < 5) {
                            for (int i = 0; i < 3; i++) {
                                long t0 = System.nanoTime();
                                runOrt(env, session, images, batch, g);
                                ort.add((System.nanoTime() - t0) / 1e6);
                            }
                            for (int i = 0; i < 3; i++) {
                                long t0 = System.nanoTime();
                                runDjl(m, ps, net, images, batch, g);
                                djl.add((System.nanoTime() - t0) / 1e6);
                            }
                        }
                        double om = median(ort);
                        double dm = median(djl);
                        out.printf(Locale.ROOT, "| %d | %.2f ms | %.2f ms | %.0f | %.2f ms | %.0f | %.2f |%n",
                                batch, om, percentile(ort, 0.9), batch * 1000 / om, dm, batch * 1000 / dm, dm / om);
                    }
                }
            }
        }
    }

    private static int positive(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("batch size " + n + " is not positive");
        }
        return n;
    }

    private static List<EncoderType> encoders(String csv) {
        List<EncoderType> list = new ArrayList<>();
        for (String s : csv.split(",")) {
            if (!s.isBlank()) {
                list.add(EncoderType.fromName(s.trim()));
            }
        }
        return list;
    }

    private static SupConNet net(NDManager m, EncoderType type, ImageGeometry g) {
        Engine.getInstance().setRandomSeed(1);
        SupConNet net = SupConNet.forCrossEntropy(type, g.channels(), 10);
        net.initialize(m, DataType.FLOAT32, new Shape(1, g.channels(), g.height(), g.width()));
        return net;
    }

    private static byte[] export(SupConNet net, ImageGeometry g) {
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            labels.add("class" + i);
        }
        return OnnxExporter.export(net, null, g, ModelMetadata.entries(labels, g, "bench", "0", Map.of()));
    }

    private static float[] images(int batch, ImageGeometry g) {
        SplittableRandom rng = new SplittableRandom(batch);
        float[] x = new float[batch * g.pixels()];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextInt(256);
        }
        return x;
    }

    private static void runOrt(OrtEnvironment env, OrtSession session, float[] images, int batch, ImageGeometry g)
            throws OrtException {
        try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(images),
                new long[] {batch, g.channels(), g.height(), g.width()});
                OrtSession.Result r = session.run(Map.of(OnnxContract.INPUT, in))) {
            r.get(OnnxContract.PROBABILITIES).orElseThrow();
        }
    }

    private static void runDjl(NDManager m, ParameterStore ps, SupConNet net, float[] images, int batch, ImageGeometry g) {
        try (NDManager bm = m.newSubManager()) {
            NDArray x = bm.create(images, new Shape(batch, g.channels(), g.height(), g.width()));
            NDArray logits = net.forward(ps, new NDList(x), false).singletonOrThrow();
            logits.softmax(1).toFloatArray();
        }
    }

    static double median(List<Double> xs) {
        return percentile(xs, 0.5);
    }

    static double percentile(List<Double> xs, double q) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(Double::compare);
        int i = (int) Math.min(s.size() - 1, Math.max(0, Math.ceil(q * s.size()) - 1));
        return s.get(i);
    }
}
