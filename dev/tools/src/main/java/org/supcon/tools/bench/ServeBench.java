package org.supcon.tools.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.supcon.inference.oip.v2.GRPCInferenceServiceGrpc;
import org.supcon.inference.oip.v2.ModelInferRequest;
import org.supcon.inference.oip.v2.ModelInferResponse;
import org.supcon.proto.v1.EmbeddingsGrpc;
import org.supcon.proto.v1.Image;
import org.supcon.proto.v1.PredictRequest;
import org.supcon.proto.v1.PredictResponse;
import org.supcon.proto.v1.RawPixels;
import org.supcon.tools.Tools.UsageException;

import com.google.protobuf.ByteString;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;

/**
 * Serving benchmark (dev/bench-serve starts the packaged service and runs this): throughput and
 * p50/p99 latency of single-image requests at several concurrencies over OIP gRPC (ModelInfer,
 * raw FP32 contents), our own gRPC API (supcon.v1 Predict, raw 8-bit pixels) and OIP REST (JSON),
 * beside ONNX Runtime on the same model file in the same run: a plain OrtSession with the
 * service's session options at batch 1, sequential, and at batch 32, measured right before every
 * served configuration, so that each served figure has its baseline side by side in time (the
 * machine's load drifts). Every run lasts a fixed time after a warm-up; the whole set repeats;
 * the table shows medians, and the ratios are medians of the per-pair ratios.
 *
 * <p>Pinned (dev/bench-serve --pin): the service runs on one CPU and this client on another;
 * BENCH_BASELINE_CPUS puts the baseline in its own process on the service's CPU
 * ({@link Pinned}), with BENCH_INTRA_OP_THREADS (the service's setting), so one core is compared
 * with one core. Unpinned, the baseline runs in this JVM.
 *
 * <p>Usage: {@code serve-bench HOST PORT MODEL_NAME MODEL_FILE [seconds=10] [repeats=3] [concurrency=1,8,32,64]};
 * environment: BENCH_SERVER_PID (the service's CPU time from /proc), BENCH_PROTOCOLS
 * (oip-grpc,supcon-grpc,rest), BENCH_BASELINE_CPUS, BENCH_INTRA_OP_THREADS, BENCH_WARMUP_SECONDS
 * (per protocol at concurrency 32 before the first repeat, not measured; default 30).
 */
public final class ServeBench {

    private static final int C = 1;
    private static final int SIDE = 28;
    private static final int PIXELS = C * SIDE * SIDE;
    private static final int BATCH = 32;

    /**
     * One measurement: images per second, request latency percentiles in ms, and the CPU time per
     * image of this process (the clients, or in-process ORT) and of the service (when its pid is
     * known: BENCH_SERVER_PID), in ms, over the measured window (NaN when unknown).
     */
    record Run(double throughput, double p50, double p99, long errors, double clientCpuMs, double serverCpuMs) {
    }

    /** The service's pid (BENCH_SERVER_PID, set by dev/bench-serve), to read its CPU time from /proc; -1 when unknown. */
    private static long serverPid = -1;

    /** CPU time of this JVM, ns. */
    private static long ownCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** User + system CPU time of the service from /proc/PID/stat, ns; -1 when unknown. */
    private static long serverCpuNanos() {
        if (serverPid < 0) {
            return -1;
        }
        try {
            String stat = java.nio.file.Files.readString(Path.of("/proc", Long.toString(serverPid), "stat"));
            // fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            return ticks * 10_000_000L; // USER_HZ = 100 on Linux
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
    }

    interface Call {
        /** Runs one request; returns the number of images it answered. */
        int call() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        String pid = System.getenv("BENCH_SERVER_PID");
        if (pid != null) {
            serverPid = wholeNumber("BENCH_SERVER_PID (the service's process id)", pid, 1);
        }
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        String model = args[2];
        Path modelFile = Path.of(args[3]);
        int seconds = args.length > 4 ? Integer.parseInt(args[4]) : 10;
        int repeats = args.length > 5 ? Integer.parseInt(args[5]) : 3;
        int[] concurrency = Arrays.stream((args.length > 6 ? args[6] : "1,8,32,64").split(",")).mapToInt(Integer::parseInt).toArray();
        List<Protocol> protocols = Protocol.parse(System.getenv().getOrDefault("BENCH_PROTOCOLS", "oip-grpc,supcon-grpc,rest"));
        String threadsValue = System.getenv("BENCH_INTRA_OP_THREADS");
        OptionalInt threads = threadsValue == null || threadsValue.isEmpty() ? OptionalInt.empty()
                : OptionalInt.of(wholeNumber("BENCH_INTRA_OP_THREADS", threadsValue, 1));
        String baselineCpus = System.getenv("BENCH_BASELINE_CPUS");
        if (baselineCpus != null && !baselineCpus.matches("[0-9]+([-,][0-9]+)*")) {
            throw new UsageException("BENCH_BASELINE_CPUS must be a CPU list for taskset (0, 0-1, 0,2), got '" + baselineCpus + "'");
        }
        int warmup = wholeNumber("BENCH_WARMUP_SECONDS", System.getenv().getOrDefault("BENCH_WARMUP_SECONDS", "30"), 0);

        float[] image = images(1);
        byte[] pixels = new byte[PIXELS];
        for (int i = 0; i < PIXELS; i++) {
            pixels[i] = (byte) image[i];
        }
        ByteBuffer le = ByteBuffer.allocate(PIXELS * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : image) {
            le.putFloat(v);
        }
        ModelInferRequest grpcRequest = ModelInferRequest.newBuilder().setModelName(model)
                .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("images").setDatatype("FP32")
                        .addShape(1).addShape(C).addShape(SIDE).addShape(SIDE))
                .addRawInputContents(ByteString.copyFrom(le.flip())).build();
        // our own API with what an app has: 8-bit pixels of the model's geometry; the default top 5 labels
        PredictRequest predictRequest = PredictRequest.newBuilder().addImages(Image.newBuilder()
                .setRaw(RawPixels.newBuilder().setData(ByteString.copyFrom(pixels)).setWidth(SIDE).setHeight(SIDE).setChannels(C)))
                .build();
        StringBuilder json = new StringBuilder("{\"inputs\":[{\"name\":\"images\",\"datatype\":\"FP32\",\"shape\":[1,1,28,28],\"data\":[");
        for (int i = 0; i < PIXELS; i++) {
            json.append(i == 0 ? "" : ",").append((int) image[i]);
        }
        json.append("]}]}");
        byte[] restBody = json.toString().getBytes(StandardCharsets.UTF_8);
        URI restUri = URI.create("http://" + host + ":" + port + "/v2/models/" + model + "/infer");

        ManagedChannel channel = ManagedChannelBuilder.forAddress(host, port).usePlaintext().build();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        Map<String, List<Run>> results = new LinkedHashMap<>();
        // per served configuration: its throughput over the adjacent in-process batch-1 and batch-32 runs
        Map<String, List<double[]>> ratios = new LinkedHashMap<>();
        System.out.printf("protocols %s; in-process baseline %s, intra-op threads %s%n", protocols,
                baselineCpus == null ? "in this process" : "in a process on CPU(s) " + baselineCpus,
                threads.isPresent() ? threads.getAsInt() : "default");
        try (Baseline baseline = baselineCpus == null ? new InProcess(modelFile, threads)
                : Pinned.start(baselineCpus, modelFile, threads)) {
            GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub oip = GRPCInferenceServiceGrpc.newBlockingStub(channel);
            EmbeddingsGrpc.EmbeddingsBlockingStub supcon = EmbeddingsGrpc.newBlockingStub(channel);
            Map<Protocol, Supplier<Call>> calls = new LinkedHashMap<>();
            for (Protocol protocol : protocols) {
                calls.put(protocol, switch (protocol) {
                    case OIP_GRPC -> () -> () -> {
                        ModelInferResponse res = oip.withDeadlineAfter(30, TimeUnit.SECONDS).modelInfer(grpcRequest);
                        return res.getRawOutputContentsCount() == 3 ? 1 : fail("gRPC answer without raw outputs");
                    };
                    case SUPCON_GRPC -> () -> () -> {
                        PredictResponse res = supcon.withDeadlineAfter(30, TimeUnit.SECONDS).predict(predictRequest);
                        return res.getPredictionsCount() == 1 ? 1 : fail("supcon.v1 Predict answered " + res.getPredictionsCount() + " predictions");
                    };
                    case REST -> {
                        HttpRequest req = HttpRequest.newBuilder(restUri).header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofByteArray(restBody)).build();
                        yield () -> () -> {
                            HttpResponse<byte[]> res = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
                            return res.statusCode() == 200 ? 1 : fail("REST answered " + res.statusCode());
                        };
                    }
                });
            }
            // a service runs warm: its request path is compiled before anything counts (on one core the JIT
            // would otherwise take a third of the CPU during the first runs)
            for (Protocol protocol : protocols) {
                measure(null, "warm-up, " + protocol.label + ", c=32", 32, warmup, calls.get(protocol));
            }
            for (int r = 1; r <= repeats; r++) {
                System.out.printf("== repeat %d of %d%n", r, repeats);
                for (Protocol protocol : protocols) {
                    for (int c : concurrency) {
                        String name = protocol.label + ", c=" + c;
                        // each served configuration right after its own baselines: the machine's load drifts
                        Run one = record(results, "in-process ORT, batch 1", baseline.run(1, seconds));
                        Run many = record(results, "in-process ORT, batch " + BATCH, baseline.run(BATCH, seconds));
                        Run run = measure(results, name, c, seconds, calls.get(protocol));
                        ratios.computeIfAbsent(name, k -> new ArrayList<>()).add(new double[] {run.throughput() / one.throughput(),
                                run.throughput() / many.throughput()});
                    }
                }
            }
        } finally {
            channel.shutdownNow();
        }
        table(results, ratios, repeats, seconds, protocols);
    }

    /** The served protocols, each with single-image requests. */
    enum Protocol {
        OIP_GRPC("oip-grpc", "gRPC OIP raw"), SUPCON_GRPC("supcon-grpc", "gRPC supcon.v1 Predict"), REST("rest", "REST OIP JSON");

        final String id;
        final String label;

        Protocol(String id, String label) {
            this.id = id;
            this.label = label;
        }

        static List<Protocol> parse(String list) {
            List<Protocol> out = new ArrayList<>();
            for (String id : list.split(",")) {
                Protocol p = Arrays.stream(values()).filter(v -> v.id.equals(id.trim())).findFirst().orElseThrow(() -> new UsageException(
                        "BENCH_PROTOCOLS: unknown protocol '" + id + "'; known: oip-grpc, supcon-grpc, rest"));
                out.add(p);
            }
            return out;
        }

        @Override
        public String toString() {
            return id;
        }
    }

    /** {@code value} as a whole number of at least {@code min}, else a usage error naming {@code name}. */
    private static int wholeNumber(String name, String value, int min) {
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= min) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException(name + " must be a whole number of at least " + min + ", got '" + value + "'");
    }

    /** In-process ONNX Runtime on the model file: images per second at a batch size, one caller. */
    interface Baseline extends AutoCloseable {
        Run run(int batch, int seconds) throws Exception;
    }

    /**
     * The session options the service uses (SessionFactory): all graph optimisations, intra-op
     * spinning off (the service's default), the given intra-op threads (the service's setting).
     */
    static OrtSession session(OrtEnvironment env, Path modelFile, OptionalInt threads) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (threads.isPresent()) {
                options.setIntraOpNumThreads(threads.getAsInt());
            }
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            return env.createSession(modelFile.toString(), options);
        }
    }

    /** The baseline in this JVM (unpinned runs: it shares the machine with everything else). */
    static final class InProcess implements Baseline {
        private final OrtEnvironment env = OrtEnvironment.getEnvironment();
        private final OrtSession session;

        InProcess(Path modelFile, OptionalInt threads) throws OrtException {
            this.session = session(env, modelFile, threads);
        }

        @Override
        public Run run(int n, int seconds) throws InterruptedException {
            float[] input = images(n);
            return measure(null, "in-process ORT, batch " + n, 1, seconds, () -> () -> ort(env, session, input, n));
        }

        @Override
        public void close() throws OrtException {
            session.close();
        }
    }

    /**
     * The baseline in a child JVM pinned with taskset to the service's CPU(s) (tool
     * {@code ort-baseline}, {@link #worker}): one core against one core, and the clients' CPU
     * (on the other core) counts against neither. It waits on its standard input between runs,
     * so it takes no CPU from the service while that is measured.
     */
    static final class Pinned implements Baseline {
        private final Process process;
        private final java.io.BufferedWriter in;
        private final java.io.BufferedReader out;

        private Pinned(Process process) {
            this.process = process;
            this.in = process.outputWriter();
            this.out = process.inputReader();
        }

        static Pinned start(String cpus, Path modelFile, OptionalInt threads) throws Exception {
            String java = ProcessHandle.current().info().command().orElse("java");
            String jar = Path.of(ServeBench.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
            List<String> command = new ArrayList<>(List.of("taskset", "-c", cpus, java, "-jar", jar, "ort-baseline", modelFile.toString(),
                    threads.isPresent() ? Integer.toString(threads.getAsInt()) : "default"));
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            return new Pinned(p);
        }

        @Override
        public Run run(int batch, int seconds) throws Exception {
            in.write(batch + " " + seconds + "\n");
            in.flush();
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("ERROR ")) {
                    throw new IllegalStateException("the pinned baseline process refused a run: " + line.substring(6));
                }
                if (line.startsWith("RESULT ")) {
                    String[] f = line.split(" ");
                    return new Run(Double.parseDouble(f[1]), Double.parseDouble(f[2]), Double.parseDouble(f[3]), Long.parseLong(f[4]),
                            Double.parseDouble(f[5]), Double.NaN);
                }
                System.out.println(line);
            }
            throw new IllegalStateException("the pinned baseline process ended (exit " + process.waitFor() + ")");
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            process.waitFor();
        }
    }

    /**
     * Tool {@code ort-baseline MODEL_FILE THREADS|default}: the pinned baseline process. Reads
     * lines {@code BATCH SECONDS} from standard input; answers each with the measurement's line
     * and {@code RESULT img/s p50 p99 errors cpu-ms/img}, or a malformed line with
     * {@code ERROR message} (and goes on reading).
     */
    public static void worker(String[] args) throws Exception {
        if (args.length != 2) {
            throw new UsageException("usage: ort-baseline MODEL_FILE THREADS|default (got " + args.length + " arguments)");
        }
        Path modelFile = Path.of(args[0]);
        if (!java.nio.file.Files.isRegularFile(modelFile)) {
            throw new UsageException("model file " + modelFile + " does not exist");
        }
        OptionalInt threads = "default".equals(args[1]) ? OptionalInt.empty() : OptionalInt.of(wholeNumber("THREADS", args[1], 1));
        try (InProcess baseline = new InProcess(modelFile, threads);
                java.io.BufferedReader commands = new java.io.BufferedReader(new java.io.InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = commands.readLine()) != null) {
                String[] f = line.trim().split("\\s+");
                int batch;
                int seconds;
                try {
                    if (f.length != 2) {
                        throw new UsageException("expected 2 numbers");
                    }
                    batch = wholeNumber("BATCH", f[0], 1);
                    seconds = wholeNumber("SECONDS", f[1], 1);
                } catch (UsageException e) {
                    System.out.println("ERROR line '" + line + "': expected BATCH SECONDS, positive whole numbers (" + e.getMessage() + ")");
                    System.out.flush();
                    continue;
                }
                Run run = baseline.run(batch, seconds);
                System.out.printf(java.util.Locale.ROOT, "RESULT %f %f %f %d %f%n", run.throughput(), run.p50(), run.p99(), run.errors(),
                        run.clientCpuMs());
                System.out.flush();
            }
        }
    }

    /** {@code n} copies of the one test image every run sends (pixel values 0..255, a fixed pattern). */
    static float[] images(int n) {
        float[] out = new float[n * PIXELS];
        for (int i = 0; i < out.length; i++) {
            out[i] = ((i % PIXELS) * 37) % 256;
        }
        return out;
    }

    private static Run record(Map<String, List<Run>> results, String name, Run run) {
        results.computeIfAbsent(name, k -> new ArrayList<>()).add(run);
        return run;
    }

    private static int fail(String message) {
        throw new IllegalStateException(message);
    }

    private static int ort(OrtEnvironment env, OrtSession session, float[] images, int n) throws Exception {
        try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(images), new long[] {n, C, SIDE, SIDE});
                OrtSession.Result out = session.run(Map.of("images", in))) {
            return out.size() == 3 ? n : fail("ORT gave " + out.size() + " outputs");
        }
    }

    /** Runs {@code threads} clients in a closed loop: 2 s warm-up, then {@code seconds} measured. */
    static Run measure(Map<String, List<Run>> results, String name, int threads, int seconds, Supplier<Call> calls)
            throws InterruptedException {
        long warmEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        long end = warmEnd + TimeUnit.SECONDS.toNanos(seconds);
        long[][] latencies = new long[threads][];
        long[] images = new long[threads];
        long[] errors = new long[threads];
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Call call = calls.get();
            Thread worker = new Thread(() -> {
                long[] lat = new long[1 << 16];
                int count = 0;
                while (true) {
                    long start = System.nanoTime();
                    if (start >= end) {
                        break;
                    }
                    int answered;
                    try {
                        answered = call.call();
                    } catch (Exception e) {
                        if (errors[id]++ == 0) {
                            System.err.println(name + ": " + e);
                        }
                        continue;
                    }
                    long stop = System.nanoTime();
                    if (start >= warmEnd && stop <= end) {
                        if (count == lat.length) {
                            lat = Arrays.copyOf(lat, count * 2);
                        }
                        lat[count++] = stop - start;
                        images[id] += answered;
                    }
                }
                latencies[id] = Arrays.copyOf(lat, count);
            }, "bench-" + t);
            worker.start();
            workers.add(worker);
        }
        // CPU time over the measured window: sampled when it starts and ends
        long sleep = warmEnd - System.nanoTime();
        if (sleep > 0) {
            TimeUnit.NANOSECONDS.sleep(sleep);
        }
        long own0 = ownCpuNanos();
        long server0 = serverCpuNanos();
        sleep = end - System.nanoTime();
        if (sleep > 0) {
            TimeUnit.NANOSECONDS.sleep(sleep);
        }
        long own1 = ownCpuNanos();
        long server1 = serverCpuNanos();
        for (Thread w : workers) {
            w.join();
        }
        long[] all = Arrays.stream(latencies).flatMapToLong(Arrays::stream).sorted().toArray();
        long total = Arrays.stream(images).sum();
        double clientCpu = total == 0 ? Double.NaN : (own1 - own0) / 1e6 / total;
        double serverCpu = total == 0 || server0 < 0 || server1 < 0 ? Double.NaN : (server1 - server0) / 1e6 / total;
        Run run = new Run(total / (double) seconds, pct(all, 0.50), pct(all, 0.99), Arrays.stream(errors).sum(), clientCpu, serverCpu);
        if (results != null) {
            results.computeIfAbsent(name, k -> new ArrayList<>()).add(run);
        }
        System.out.printf("%-34s %9.1f img/s  p50 %7.2f ms  p99 %7.2f ms  errors %d  CPU ms/img: this process %.3f, service %.3f%n",
                name, run.throughput(), run.p50(), run.p99(), run.errors(), clientCpu, serverCpu);
        return run;
    }

    private static double pct(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
    }

    /** A gRPC client interceptor that sends {@code authorization: Bearer <token>} with every call. */
    static ClientInterceptor bearer(String token) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return MetadataUtils.newAttachHeadersInterceptor(headers);
    }

    static double median(List<Run> runs, java.util.function.ToDoubleFunction<Run> f) {
        double[] xs = runs.stream().mapToDouble(f).sorted().toArray();
        return xs.length % 2 == 1 ? xs[xs.length / 2] : (xs[xs.length / 2 - 1] + xs[xs.length / 2]) / 2;
    }

    private static void table(Map<String, List<Run>> results, Map<String, List<double[]>> ratios, int repeats, int seconds,
            List<Protocol> protocols) {
        System.out.printf("%n== medians over %d repeats, %d s per run (single-image requests; ratios: each served run over the"
                + " in-process runs just before it)%n", repeats, seconds);
        System.out.println("| configuration | img/s | p50 ms | p99 ms | vs ORT batch 1 | vs ORT batch " + BATCH
                + " | errors | CPU ms/img, clients or in-process | CPU ms/img, service |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        for (Map.Entry<String, List<Run>> e : results.entrySet()) {
            List<double[]> r = ratios.get(e.getKey());
            String vs1 = r == null ? "" : String.format("%.2f", median(r, 0));
            String vsB = r == null ? "" : String.format("%.2f", median(r, 1));
            long errors = e.getValue().stream().mapToLong(Run::errors).sum();
            System.out.printf("| %s | %.1f | %.2f | %.2f | %s | %s | %d | %.3f | %.3f |%n", e.getKey(),
                    median(e.getValue(), Run::throughput), median(e.getValue(), Run::p50), median(e.getValue(), Run::p99), vs1, vsB,
                    errors, median(e.getValue(), Run::clientCpuMs), median(e.getValue(), Run::serverCpuMs));
        }
        List<Run> batch32 = results.get("in-process ORT, batch " + BATCH);
        System.out.println();
        for (Protocol protocol : protocols) {
            String name = protocol.label + ", c=32";
            List<double[]> pairs = ratios.get(name);
            List<Run> served = results.get(name);
            if (pairs == null || served == null || batch32 == null) {
                continue;
            }
            double service = median(served, Run::serverCpuMs);
            double ort = median(batch32, Run::clientCpuMs);
            System.out.printf("%s at concurrency 32: %.0f %% of in-process ORT batch 1, %.0f %% of in-process batch %d (medians of %d"
                    + " side-by-side pairs); the service spends %.3f ms CPU per image, in-process batch %d %.3f ms: %.0f %% of its images"
                    + " per CPU second%n", protocol.label, 100 * median(pairs, 0), 100 * median(pairs, 1), BATCH, pairs.size(), service,
                    BATCH, ort, 100 * ort / service);
        }
    }

    private static double median(List<double[]> pairs, int index) {
        double[] xs = pairs.stream().mapToDouble(p -> p[index]).sorted().toArray();
        return xs.length % 2 == 1 ? xs[xs.length / 2] : (xs[xs.length / 2 - 1] + xs[xs.length / 2]) / 2;
    }
}
