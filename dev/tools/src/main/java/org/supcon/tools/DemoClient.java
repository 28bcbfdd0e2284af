package org.supcon.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;
import javax.imageio.ImageIO;
import org.supcon.proto.v1.EmbeddingsGrpc;
import org.supcon.proto.v1.Image;
import org.supcon.proto.v1.PredictRequest;
import org.supcon.proto.v1.PredictResponse;
import org.supcon.proto.v1.RawPixels;

/**
 * The demo's client (dev/demo): sends the 10,000 Fashion-MNIST test images, one per request,
 * through our gRPC service ({@code supcon.v1.Embeddings/Predict}, raw pixels) and the REST API
 * ({@code POST /v1/predictions}, a PNG body) at a fixed concurrency, and prints accuracy against
 * the true labels, throughput and latency percentiles, and how often both paths agree.
 *
 * <pre>demo-client HOST PORT MODEL VERSION FASHION_MNIST_DIR CONCURRENCY</pre>
 */
public final class DemoClient {

    /** Fashion-MNIST's class names in IDX label order, as the trainer names them. */
    static final List<String> CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
            "Sneaker", "Bag", "Ankle boot");

    private record Result(String path, String[] predicted, long[] nanos, double seconds, int failures, String firstFailure) {}

    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            System.err.println("usage: demo-client HOST PORT MODEL VERSION FASHION_MNIST_DIR CONCURRENCY");
            System.exit(2);
        }
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        String model = args[2];
        long version = Long.parseLong(args[3]);
        Path dir = Path.of(args[4]);
        int concurrency = Integer.parseInt(args[5]);

        byte[][] images = readImages(dir.resolve("t10k-images-idx3-ubyte.gz"));
        int[] labels = readLabels(dir.resolve("t10k-labels-idx1-ubyte.gz"));
        int n = images.length;
        byte[][] pngs = new byte[n][];
        for (int i = 0; i < n; i++) {
            pngs[i] = png(images[i]);
        }

        ManagedChannel channel = ManagedChannelBuilder.forAddress(host, port).usePlaintext().build();
        EmbeddingsGrpc.EmbeddingsBlockingStub stub = EmbeddingsGrpc.newBlockingStub(channel);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        ObjectMapper json = new ObjectMapper();
        URI predictions = URI.create("http://" + host + ":" + port + "/v1/predictions?topK=1&version=" + version);

        // A short warm-up on both paths (JIT, connections), not counted.
        run("warm-up", 200, concurrency, i -> grpcPredict(stub, images[i], version));
        run("warm-up", 200, concurrency, i -> restPredict(http, json, predictions, pngs[i]));

        Result grpc = run("gRPC  supcon.v1.Embeddings/Predict (raw pixels)", n, concurrency,
                i -> grpcPredict(stub, images[i], version));
        Result rest = run("REST  POST /v1/predictions (PNG body)", n, concurrency,
                i -> restPredict(http, json, predictions, pngs[i]));
        channel.shutdownNow();

        System.out.printf(Locale.ROOT, "%n%s version %d, %d test images, one image per request, %d concurrent clients%n",
                model, version, n, concurrency);
        System.out.printf(Locale.ROOT, "%-48s %9s %10s %9s %9s%n", "path", "accuracy", "images/s", "p50 ms", "p99 ms");
        for (Result r : List.of(grpc, rest)) {
            int correct = 0;
            for (int i = 0; i < n; i++) {
                if (CLASSES.get(labels[i]).equals(r.predicted[i])) {
                    correct++;
                }
            }
            long[] sorted = r.nanos.clone();
            Arrays.sort(sorted);
            System.out.printf(Locale.ROOT, "%-48s %8.2f%% %10.0f %9.2f %9.2f%n", r.path, 100.0 * correct / n, n / r.seconds,
                    sorted[n / 2] / 1e6, sorted[(int) Math.min(n - 1, Math.ceil(0.99 * n) - 1)] / 1e6);
        }
        int agree = 0;
        for (int i = 0; i < n; i++) {
            if (grpc.predicted[i] != null && grpc.predicted[i].equals(rest.predicted[i])) {
                agree++;
            }
        }
        System.out.printf(Locale.ROOT, "gRPC and REST give the same label for %d of %d images%n", agree, n);
        int failures = grpc.failures + rest.failures;
        if (failures > 0) {
            System.out.printf("%d requests failed; the first: %s%n", failures,
                    grpc.firstFailure != null ? grpc.firstFailure : rest.firstFailure);
            System.exit(1);
        }
    }

    interface Call {
        String predict(int index) throws Exception;
    }

    private static Result run(String path, int n, int concurrency, Call call) throws Exception {
        String[] predicted = new String[n];
        long[] nanos = new long[n];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        String[] firstFailure = new String[1];
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        long t0 = System.nanoTime();
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < concurrency; t++) {
            workers.add(pool.submit(() -> {
                for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                    long s = System.nanoTime();
                    try {
                        predicted[i] = call.predict(i);
                    } catch (Exception e) {
                        if (failures.getAndIncrement() == 0) {
                            firstFailure[0] = "image " + i + ": " + e;
                        }
                    }
                    nanos[i] = System.nanoTime() - s;
                }
                return null;
            }));
        }
        for (Future<?> w : workers) {
            w.get();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        pool.shutdown();
        if (!path.equals("warm-up")) {
            System.out.printf(Locale.ROOT, "  %s: %d images in %.1f s%n", path, n, seconds);
        }
        return new Result(path, predicted, nanos, seconds, failures.get(), firstFailure[0]);
    }

    private static String grpcPredict(EmbeddingsGrpc.EmbeddingsBlockingStub stub, byte[] pixels, long version) {
        PredictResponse r = stub.predict(PredictRequest.newBuilder().setModelVersion(version).setTopK(1)
                .addImages(Image.newBuilder().setRaw(RawPixels.newBuilder().setData(ByteString.copyFrom(pixels))
                        .setWidth(28).setHeight(28).setChannels(1)))
                .build());
        if (r.getModelVersion() != version) {
            throw new IllegalStateException("answered by version " + r.getModelVersion() + ", asked for " + version);
        }
        return r.getPredictions(0).getLabels(0).getLabel();
    }

    private static String restPredict(HttpClient http, ObjectMapper json, URI uri, byte[] png) throws Exception {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(uri).header("Content-Type", "image/png")
                .POST(HttpRequest.BodyPublishers.ofByteArray(png)).build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IOException("HTTP " + r.statusCode() + ": " + new String(r.body()));
        }
        JsonNode body = json.readTree(r.body());
        return body.path("predictions").path(0).path("label").asText();
    }

    private static byte[] png(byte[] gray) throws IOException {
        BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setDataElements(0, 0, 28, 28, gray);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    /** IDX3 images (magic 0x00000803), gzip-compressed: one byte[] of rows*cols per image. */
    static byte[][] readImages(Path file) throws IOException {
        try (DataInputStream in = idx(file, 0x803)) {
            int n = in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            byte[][] out = new byte[n][rows * cols];
            for (byte[] img : out) {
                in.readFully(img);
            }
            return out;
        }
    }

    /** IDX1 labels (magic 0x00000801), gzip-compressed. */
    static int[] readLabels(Path file) throws IOException {
        try (DataInputStream in = idx(file, 0x801)) {
            byte[] raw = new byte[in.readInt()];
            in.readFully(raw);
            int[] out = new int[raw.length];
            for (int i = 0; i < raw.length; i++) {
                out[i] = raw[i] & 0xFF;
            }
            return out;
        }
    }

    private static DataInputStream idx(Path file, int magic) throws IOException {
        InputStream raw = Files.newInputStream(file);
        DataInputStream in = new DataInputStream(new GZIPInputStream(raw, 1 << 16));
        int m = in.readInt();
        if (m != magic) {
            in.close();
            throw new IOException(file + ": IDX magic " + Integer.toHexString(m) + ", expected " + Integer.toHexString(magic));
        }
        return in;
    }

    private DemoClient() {
    }
}
