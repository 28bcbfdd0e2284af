package org.supcon.tools.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.supcon.tools.bench.ServeBench.Call;
import org.supcon.tools.bench.ServeBench.Run;
import org.supcon.inference.oip.v2.GRPCInferenceServiceGrpc;
import org.supcon.inference.oip.v2.ModelInferRequest;
import org.supcon.inference.oip.v2.ModelInferResponse;
import org.supcon.inference.ratelimit.ClientKey;
import org.supcon.inference.ratelimit.TokenBuckets;

import com.google.protobuf.ByteString;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;

/**
 * The cost of the rate limiter (dev/bench-ratelimit starts the two services and runs this): the
 * same single-image OIP requests (gRPC raw FP32, REST JSON) against a service with the limiter
 * off and one with it on at limits that never trigger, in alternating runs of equal length (the
 * order flips every repeat); every client thread sends its own JWT-sized bearer token to both, so
 * the "on" service hashes it and keeps one bucket per client. Medians of the per-pair on/off
 * throughput ratios, and the limiter's in-process cost per call (key + bucket).
 *
 * <p>Usage: {@code ratelimit-bench HOST PORT_OFF PORT_ON MODEL_NAME [seconds=10] [repeats=5] [concurrency=1,32]}
 * (repeats 0: the in-process part only)
 */
public final class RateLimitBench {

    private static final int SIDE = 28;
    private static final int PIXELS = SIDE * SIDE;

    private RateLimitBench() {
    }

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int portOff = Integer.parseInt(args[1]);
        int portOn = Integer.parseInt(args[2]);
        String model = args[3];
        int seconds = args.length > 4 ? Integer.parseInt(args[4]) : 10;
        int repeats = args.length > 5 ? Integer.parseInt(args[5]) : 5;
        int[] concurrency = Arrays.stream((args.length > 6 ? args[6] : "1,32").split(",")).mapToInt(Integer::parseInt).toArray();

        inProcess();
        if (repeats == 0) {
            return;
        }

        ByteBuffer le = ByteBuffer.allocate(PIXELS * 4).order(ByteOrder.LITTLE_ENDIAN);
        StringBuilder json = new StringBuilder("{\"inputs\":[{\"name\":\"images\",\"datatype\":\"FP32\",\"shape\":[1,1,28,28],\"data\":[");
        for (int i = 0; i < PIXELS; i++) {
            le.putFloat((i * 37) % 256);
            json.append(i == 0 ? "" : ",").append((i * 37) % 256);
        }
        json.append("]}]}");
        ModelInferRequest grpcRequest = ModelInferRequest.newBuilder().setModelName(model)
                .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("images").setDatatype("FP32")
                        .addShape(1).addShape(1).addShape(SIDE).addShape(SIDE))
                .addRawInputContents(ByteString.copyFrom(le.flip())).build();
        byte[] restBody = json.toString().getBytes(StandardCharsets.UTF_8);

        Map<String, ManagedChannel> channels = Map.of("off", channel(host, portOff), "on", channel(host, portOn));
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        Map<String, List<Run>> results = new LinkedHashMap<>();
        Map<String, List<Double>> ratios = new LinkedHashMap<>();
        try {
            for (int r = 1; r <= repeats; r++) {
                System.out.printf("== repeat %d of %d%n", r, repeats);
                List<String> order = r % 2 == 1 ? List.of("off", "on") : List.of("on", "off");
                for (String protocol : List.of("gRPC OIP raw", "REST OIP JSON")) {
                    for (int c : concurrency) {
                        String name = protocol + ", c=" + c;
                        Map<String, Run> pair = new LinkedHashMap<>();
                        for (String limiter : order) {
                            int port = limiter.equals("on") ? portOn : portOff;
                            Supplier<Call> calls = protocol.startsWith("gRPC")
                                    ? grpcCalls(channels.get(limiter), grpcRequest)
                                    : restCalls(http, URI.create("http://" + host + ":" + port + "/v2/models/" + model + "/infer"), restBody);
                            pair.put(limiter, ServeBench.measure(results, name + ", limiter " + limiter, c, seconds, calls));
                        }
                        ratios.computeIfAbsent(name, k -> new ArrayList<>()).add(pair.get("on").throughput() / pair.get("off").throughput());
                    }
                }
            }
        } finally {
            channels.values().forEach(ManagedChannel::shutdownNow);
        }

        System.out.printf("%n== medians over %d repeats, %d s per run, single-image requests, a bearer token per client thread;"
                + " on/off: median of the per-pair throughput ratios%n", repeats, seconds);
        System.out.println("| configuration | limiter off img/s | limiter on img/s | on/off | p50 ms off / on | p99 ms off / on | errors on |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (Map.Entry<String, List<Double>> e : ratios.entrySet()) {
            List<Run> off = results.get(e.getKey() + ", limiter off");
            List<Run> on = results.get(e.getKey() + ", limiter on");
            double[] rs = e.getValue().stream().mapToDouble(Double::doubleValue).sorted().toArray();
            double ratio = rs.length % 2 == 1 ? rs[rs.length / 2] : (rs[rs.length / 2 - 1] + rs[rs.length / 2]) / 2;
            System.out.printf("| %s | %.1f | %.1f | %.3f | %.2f / %.2f | %.2f / %.2f | %d |%n", e.getKey(),
                    ServeBench.median(off, Run::throughput), ServeBench.median(on, Run::throughput), ratio,
                    ServeBench.median(off, Run::p50), ServeBench.median(on, Run::p50),
                    ServeBench.median(off, Run::p99), ServeBench.median(on, Run::p99), on.stream().mapToLong(Run::errors).sum());
        }
    }

    /** A JWT-sized token (an RS256 JWT with a few claims is ~700 characters), different per client. */
    static String token(int client) {
        return "eyJhbGciOiJSUzI1NiJ9." + "x".repeat(600) + ".client-" + client;
    }

    /**
     * The limiter's work per request on one thread, three ways, alternating over 5 rounds of 1 s
     * (medians): the key alone (SHA-256 of a JWT-sized token), the bucket alone (tryAcquire on 64
     * precomputed keys, never empty), and both, as the route runs them.
     */
    private static void inProcess() {
        TokenBuckets buckets = new TokenBuckets(1e9, 1_000_000_000, 100_000, System::nanoTime);
        String[] headers = new String[64];
        String[] keys = new String[64];
        for (int i = 0; i < headers.length; i++) {
            headers[i] = "Bearer " + token(i);
            keys[i] = ClientKey.of(headers[i], "127.0.0.1");
        }
        Map<String, java.util.function.IntToLongFunction> variants = new LinkedHashMap<>();
        variants.put("ClientKey.of (token hash)", i -> ClientKey.of(headers[i & 63], "127.0.0.1").length());
        variants.put("TokenBuckets.tryAcquire", i -> buckets.tryAcquire(keys[i & 63]));
        variants.put("both (the route's work)", i -> buckets.tryAcquire(ClientKey.of(headers[i & 63], "127.0.0.1")));
        Map<String, List<Double>> nanos = new LinkedHashMap<>();
        long sink = 0;
        for (int round = -1; round < 5; round++) {   // round -1 warms up
            for (Map.Entry<String, java.util.function.IntToLongFunction> v : variants.entrySet()) {
                long n = 0;
                long start = System.nanoTime();
                long end = start + TimeUnit.SECONDS.toNanos(1);
                while (System.nanoTime() < end) {
                    for (int i = 0; i < 1000; i++) {
                        sink += v.getValue().applyAsLong(i);
                    }
                    n += 1000;
                }
                if (round >= 0) {
                    nanos.computeIfAbsent(v.getKey(), k -> new ArrayList<>()).add((System.nanoTime() - start) / (double) n);
                }
            }
        }
        for (Map.Entry<String, List<Double>> e : nanos.entrySet()) {
            double[] xs = e.getValue().stream().mapToDouble(Double::doubleValue).sorted().toArray();
            System.out.printf("in-process, one thread, 64 clients: %-26s %6.0f ns per request (median of %d; all %s)%n", e.getKey(),
                    xs[xs.length / 2], xs.length, Arrays.toString(Arrays.stream(xs).map(Math::rint).toArray()));
        }
        if (sink == 42) {
            System.out.println();   // keeps the JIT from dropping the work
        }
    }

    private static ManagedChannel channel(String host, int port) {
        return ManagedChannelBuilder.forAddress(host, port).usePlaintext().build();
    }

    private static Supplier<Call> grpcCalls(ManagedChannel channel, ModelInferRequest request) {
        AtomicInteger clients = new AtomicInteger();
        return () -> {
            GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub = GRPCInferenceServiceGrpc.newBlockingStub(channel)
                    .withInterceptors(ServeBench.bearer(token(clients.getAndIncrement())));
            return () -> {
                ModelInferResponse res = stub.withDeadlineAfter(30, TimeUnit.SECONDS).modelInfer(request);
                return res.getRawOutputContentsCount() == 3 ? 1 : fail("gRPC answer without raw outputs");
            };
        };
    }

    private static Supplier<Call> restCalls(HttpClient http, URI uri, byte[] body) {
        AtomicInteger clients = new AtomicInteger();
        return () -> {
            HttpRequest req = HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + token(clients.getAndIncrement()))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
            return () -> {
                HttpResponse<byte[]> res = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
                return res.statusCode() == 200 ? 1 : fail("REST answered " + res.statusCode());
            };
        };
    }

    private static int fail(String message) {
        throw new IllegalStateException(message);
    }
}
