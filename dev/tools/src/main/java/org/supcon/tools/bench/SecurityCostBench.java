package org.supcon.tools.bench;

import com.google.protobuf.ByteString;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.supcon.inference.oip.v2.GRPCInferenceServiceGrpc;
import org.supcon.inference.oip.v2.ModelInferRequest;

/**
 * The cost of authentication and TLS on serving (dev/bench-security starts the services): the same
 * packaged service and model three times side by side, {@code plain} (no token, HTTP/2 cleartext),
 * {@code auth} (a bearer JWT verified on every request) and {@code auth+tls} (the same over TLS), driven
 * in turn with single-image OIP requests over gRPC (raw FP32) and REST (JSON, HTTP/1.1 keep-alive)
 * at each concurrency; each secured run is compared with the plain run just before it (the machine's
 * load drifts), and the table gives medians over the repeats.
 *
 * <p>Usage: {@code security-bench MODEL SECONDS REPEATS CONCURRENCY[,..] NAME=URL[,token=FILE][,ca=FILE] ...}
 * (the first target is the baseline).
 */
public final class SecurityCostBench {

    private static final int PIXELS = 28 * 28;

    record Target(String name, URI uri, String token, Path ca) {
    }

    public static void main(String[] args) throws Exception {
        String model = args[0];
        int seconds = Integer.parseInt(args[1]);
        int repeats = Integer.parseInt(args[2]);
        int[] concurrency = Arrays.stream(args[3].split(",")).mapToInt(Integer::parseInt).toArray();
        List<Target> targets = new ArrayList<>();
        for (int i = 4; i < args.length; i++) {
            targets.add(target(args[i]));
        }

        ByteBuffer le = ByteBuffer.allocate(PIXELS * 4).order(ByteOrder.LITTLE_ENDIAN);
        StringBuilder json = new StringBuilder("{\"inputs\":[{\"name\":\"images\",\"datatype\":\"FP32\",\"shape\":[1,1,28,28],\"data\":[");
        for (int i = 0; i < PIXELS; i++) {
            le.putFloat((i * 37) % 256);
            json.append(i == 0 ? "" : ",").append((i * 37) % 256);
        }
        byte[] restBody = json.append("]}]}").toString().getBytes(StandardCharsets.UTF_8);
        ModelInferRequest grpcRequest = ModelInferRequest.newBuilder().setModelName(model)
                .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("images").setDatatype("FP32")
                        .addShape(1).addShape(1).addShape(28).addShape(28))
                .addRawInputContents(ByteString.copyFrom(le.flip())).build();

        Map<String, List<ServeBench.Run>> results = new LinkedHashMap<>();
        Map<String, List<double[]>> vsBaseline = new LinkedHashMap<>(); // {throughput ratio, p50 ratio}
        List<ManagedChannel> channels = new ArrayList<>();
        try {
            for (int r = 1; r <= repeats; r++) {
                System.out.printf("== repeat %d of %d%n", r, repeats);
                for (String protocol : List.of("gRPC", "REST")) {
                    for (int c : concurrency) {
                        ServeBench.Run base = null;
                        for (Target t : targets) {
                            String name = protocol + " c=" + c + " " + t.name();
                            ServeBench.Call call;
                            if (protocol.equals("gRPC")) {
                                ManagedChannel ch = channel(t);
                                channels.add(ch);
                                GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub = stub(ch, t);
                                call = () -> stub.withDeadlineAfter(30, TimeUnit.SECONDS).modelInfer(grpcRequest)
                                        .getRawOutputContentsCount() == 3 ? 1 : fail(name + ": no raw outputs");
                            } else {
                                HttpClient http = http(t);
                                HttpRequest.Builder b = HttpRequest.newBuilder(t.uri().resolve("/v2/models/" + model + "/infer"))
                                        .header("Content-Type", "application/json")
                                        .POST(HttpRequest.BodyPublishers.ofByteArray(restBody));
                                if (t.token() != null) {
                                    b.header("Authorization", "Bearer " + t.token());
                                }
                                HttpRequest req = b.build();
                                call = () -> {
                                    HttpResponse<byte[]> res = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
                                    return res.statusCode() == 200 ? 1 : fail(name + ": HTTP " + res.statusCode());
                                };
                            }
                            ServeBench.Call finalCall = call;
                            ServeBench.Run run = ServeBench.measure(results, name, c, seconds, () -> finalCall);
                            if (base == null) {
                                base = run;
                            } else {
                                vsBaseline.computeIfAbsent(name, k -> new ArrayList<>())
                                        .add(new double[] {run.throughput() / base.throughput(), run.p50() / base.p50()});
                            }
                        }
                        for (ManagedChannel ch : channels) {
                            ch.shutdownNow();
                        }
                        channels.clear();
                    }
                }
            }
        } finally {
            channels.forEach(ManagedChannel::shutdownNow);
        }

        System.out.printf("%n== medians over %d repeats, %d s per run; ratios: each run over the %s run just before it%n",
                repeats, seconds, targets.get(0).name());
        System.out.printf("| configuration | img/s | p50 ms | p99 ms | throughput vs %s | p50 vs %s | errors |%n",
                targets.get(0).name(), targets.get(0).name());
        System.out.println("|---|---|---|---|---|---|---|");
        for (Map.Entry<String, List<ServeBench.Run>> e : results.entrySet()) {
            List<double[]> v = vsBaseline.get(e.getKey());
            System.out.printf("| %s | %.1f | %.2f | %.2f | %s | %s | %d |%n", e.getKey(),
                    ServeBench.median(e.getValue(), ServeBench.Run::throughput), ServeBench.median(e.getValue(), ServeBench.Run::p50),
                    ServeBench.median(e.getValue(), ServeBench.Run::p99),
                    v == null ? "1 (baseline)" : String.format("%.2f", median(v, 0)),
                    v == null ? "1 (baseline)" : String.format("%.2f", median(v, 1)),
                    e.getValue().stream().mapToLong(ServeBench.Run::errors).sum());
        }
    }

    private static Target target(String spec) throws Exception {
        String[] parts = spec.split(",");
        int eq = parts[0].indexOf('=');
        String token = null;
        Path ca = null;
        for (int i = 1; i < parts.length; i++) {
            if (parts[i].startsWith("token=")) {
                token = Files.readString(Path.of(parts[i].substring(6))).strip();
            } else if (parts[i].startsWith("ca=")) {
                ca = Path.of(parts[i].substring(3));
            } else {
                throw new IllegalArgumentException("unknown target option " + parts[i] + " in " + spec);
            }
        }
        return new Target(parts[0].substring(0, eq), URI.create(parts[0].substring(eq + 1)), token, ca);
    }

    private static ManagedChannel channel(Target t) throws Exception {
        ChannelCredentials creds = t.ca() == null ? InsecureChannelCredentials.create()
                : TlsChannelCredentials.newBuilder().trustManager(t.ca().toFile()).build();
        return Grpc.newChannelBuilderForAddress(t.uri().getHost(), t.uri().getPort(), creds).build();
    }

    private static GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub(ManagedChannel ch, Target t) {
        GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub = GRPCInferenceServiceGrpc.newBlockingStub(ch);
        if (t.token() == null) {
            return stub;
        }
        return stub.withInterceptors(ServeBench.bearer(t.token()));
    }

    private static HttpClient http(Target t) throws Exception {
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1);
        if (t.ca() != null) {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            try (InputStream in = Files.newInputStream(t.ca())) {
                trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            b.sslContext(ssl);
        }
        return b.build();
    }

    private static int fail(String message) {
        throw new IllegalStateException(message);
    }

    private static double median(List<double[]> pairs, int index) {
        double[] xs = pairs.stream().mapToDouble(p -> p[index]).sorted().toArray();
        return xs.length % 2 == 1 ? xs[xs.length / 2] : (xs[xs.length / 2 - 1] + xs[xs.length / 2]) / 2;
    }
}
