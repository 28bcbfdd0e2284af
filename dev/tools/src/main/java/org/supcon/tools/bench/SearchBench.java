package org.supcon.tools.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.supcon.common.index.VectorIndex;
import org.supcon.proto.v1.EmbeddingsGrpc;
import org.supcon.proto.v1.SearchRequest;
import org.supcon.proto.v1.SearchResponse;
import org.supcon.proto.v1.Vector;

/**
 * Search speed, HNSW against exact, in process and through the inference service: the same
 * query vectors (the test images' embeddings, written by the trainer's {@code bench-search}) go
 * to the version's own index file in this process and to {@code supcon.v1.Embeddings/Search}
 * (gRPC) and {@code POST /v1/search} (REST), k = 10, at each concurrency. Each served
 * configuration runs right after its in-process twin, the whole set repeats, the table shows
 * medians and each served run's ratio to the in-process run beside it.
 *
 * <p>Usage: {@code search-bench HOST PORT INDEX_FILE QUERIES.f32 [seconds=5] [repeats=3] [concurrency=1,8]}
 */
public final class SearchBench {

    private static final int K = 10;
    private static final ObjectMapper JSON = new ObjectMapper();

    private SearchBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: search-bench HOST PORT INDEX_FILE QUERIES.f32 [seconds=5] [repeats=3] [concurrency=1,8]");
            System.exit(2);
        }
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        Path indexFile = Path.of(args[2]);
        Path queryFile = Path.of(args[3]);
        int seconds = args.length > 4 ? Integer.parseInt(args[4]) : 5;
        int repeats = args.length > 5 ? Integer.parseInt(args[5]) : 3;
        int[] concurrency = Arrays.stream((args.length > 6 ? args[6] : "1,8").split(",")).mapToInt(Integer::parseInt).toArray();

        try (VectorIndex index = VectorIndex.open(indexFile)) {
            int dim = index.dimension();
            float[][] queries = queries(queryFile, dim);
            System.out.printf("%d query vectors of %d; index of %d vectors%n", queries.length, dim, index.count());
            List<Vector> grpcQueries = new ArrayList<>(queries.length);
            List<byte[]> restQueries = new ArrayList<>(queries.length);
            for (float[] q : queries) {
                Vector.Builder v = Vector.newBuilder();
                for (float x : q) {
                    v.addValues(x);
                }
                grpcQueries.add(v.build());
                restQueries.add(JSON.writeValueAsBytes(Map.of("vector", q, "k", K)));
            }
            ManagedChannel channel = ManagedChannelBuilder.forAddress(host, port).usePlaintext().build();
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            Map<String, List<ServeBench.Run>> results = new LinkedHashMap<>();
            Map<String, List<Double>> ratios = new LinkedHashMap<>();
            try {
                for (int r = 0; r < repeats; r++) {
                    System.out.printf("-- repeat %d/%d%n", r + 1, repeats);
                    for (boolean exact : new boolean[] {false, true}) {
                        String mode = exact ? "exact" : "HNSW";
                        for (int c : concurrency) {
                            AtomicInteger next = new AtomicInteger();
                            ServeBench.Run local = ServeBench.measure(results, "in-process " + mode + ", c=" + c, c, seconds,
                                    () -> () -> {
                                        float[] q = queries[Math.floorMod(next.getAndIncrement(), queries.length)];
                                        return (exact ? index.exactSearch(q, K, -1) : index.search(q, K, -1, 100)).size() == K ? 1 : 0;
                                    });
                            EmbeddingsGrpc.EmbeddingsBlockingStub stub = EmbeddingsGrpc.newBlockingStub(channel);
                            ServeBench.Run grpc = ServeBench.measure(results, "gRPC " + mode + ", c=" + c, c, seconds, () -> () -> {
                                SearchResponse a = stub.search(SearchRequest.newBuilder().setK(K).setExact(exact)
                                        .setVector(grpcQueries.get(Math.floorMod(next.getAndIncrement(), queries.length))).build());
                                return a.getNeighboursCount() == K ? 1 : 0;
                            });
                            URI uri = URI.create("http://" + host + ":" + port + "/v1/search?exact=" + exact);
                            ServeBench.Run rest = ServeBench.measure(results, "REST " + mode + ", c=" + c, c, seconds, () -> () -> {
                                HttpResponse<byte[]> a = http.send(HttpRequest.newBuilder(uri)
                                        .header("Content-Type", "application/json")
                                        .POST(HttpRequest.BodyPublishers.ofByteArray(
                                                restQueries.get(Math.floorMod(next.getAndIncrement(), queries.length))))
                                        .build(), HttpResponse.BodyHandlers.ofByteArray());
                                if (a.statusCode() != 200) {
                                    throw new IllegalStateException("POST /v1/search answered " + a.statusCode() + ": "
                                            + new String(a.body()));
                                }
                                return 1;
                            });
                            ratios.computeIfAbsent("gRPC " + mode + ", c=" + c, k -> new ArrayList<>())
                                    .add(grpc.throughput() / local.throughput());
                            ratios.computeIfAbsent("REST " + mode + ", c=" + c, k -> new ArrayList<>())
                                    .add(rest.throughput() / local.throughput());
                        }
                    }
                }
            } finally {
                channel.shutdownNow();
            }
            System.out.printf("%n== medians over %d repeats, %d s per run (k = %d, vector queries; a served run's ratio is to the"
                    + " in-process run of the same mode and concurrency just before it)%n", repeats, seconds, K);
            System.out.println("| configuration | queries/s | p50 ms | p99 ms | vs in-process | errors |");
            System.out.println("|---|---|---|---|---|---|");
            for (Map.Entry<String, List<ServeBench.Run>> e : results.entrySet()) {
                List<Double> ratio = ratios.get(e.getKey());
                String vs = ratio == null ? "" : String.format("%.2f", median(ratio));
                System.out.printf("| %s | %.0f | %.3f | %.3f | %s | %d |%n", e.getKey(),
                        ServeBench.median(e.getValue(), ServeBench.Run::throughput),
                        ServeBench.median(e.getValue(), ServeBench.Run::p50), ServeBench.median(e.getValue(), ServeBench.Run::p99), vs,
                        e.getValue().stream().mapToLong(ServeBench.Run::errors).sum());
            }
        }
    }

    /** Little-endian float32 rows of {@code dim} values. */
    private static float[][] queries(Path file, int dim) throws java.io.IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        int n = b.remaining() / 4 / dim;
        if (n == 0 || b.remaining() != n * dim * 4) {
            throw new IllegalArgumentException(file + " is not rows of " + dim + " float32 values (" + b.remaining() + " bytes)");
        }
        float[][] q = new float[n][dim];
        for (float[] row : q) {
            b.asFloatBuffer().get(row);
            b.position(b.position() + dim * 4);
        }
        return q;
    }

    private static double median(List<Double> xs) {
        double[] s = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
