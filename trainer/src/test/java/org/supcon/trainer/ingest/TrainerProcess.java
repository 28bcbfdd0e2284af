package org.supcon.trainer.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.supcon.testing.auth.Tokens;
import org.supcon.testing.Ports;

/**
 * The packaged trainer ({@code target/quarkus-app/quarkus-run.jar}, {@code serve}) as a child
 * process, for integration tests: started with {@code -D} properties, its output in a log file,
 * {@code GET /dataset} read as JSON, stopped gently or killed like {@code kill -9}.
 */
final class TrainerProcess implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private final Process process;
    private final Path log;
    private final int port;

    private TrainerProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /** The runnable jar: system property {@code supcon.trainer.jar} (failsafe sets it), else the module's target. */
    static Path jar() {
        Path jar = Path.of(System.getProperty("supcon.trainer.jar", "target/quarkus-app/quarkus-run.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no packaged trainer at " + jar.toAbsolutePath() + ": run `./mvnw verify` (the"
                    + " integration tests run after `package`)");
        }
        return jar;
    }

    /** Starts {@code serve} with these {@code -Dkey=value} properties and waits until {@code GET /dataset} answers. */
    static TrainerProcess start(Path log, List<String> properties) throws IOException, InterruptedException {
        return start(log, properties, Ports::free);
    }

    /**
     * A free port is picked by opening and closing a socket, and the trainer binds it seconds later:
     * another process may take it meanwhile. When the trainer then exits saying a port is in use,
     * new ports are picked, up to {@value Ports#ATTEMPTS} attempts in all.
     *
     * @param ports picks the HTTP and the management port ({@link Ports#free()}; a test passes one that is taken)
     */
    static TrainerProcess start(Path log, List<String> properties, Ports.Picker ports) throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            long logStart = Files.exists(log) ? Files.size(log) : 0;
            int[] picked = Ports.two(ports);
            int port = picked[0];
            int managementPort = picked[1];
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx512m", "-XX:+UseSerialGC", "-Djava.awt.headless=true", "-Dquarkus.http.port=" + port,
                    "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.management.port=" + managementPort,
                    "-Dmp.jwt.verify.publickey.location=" + Tokens.publicKey()));
            properties.forEach(p -> command.add("-D" + p));
            command.addAll(List.of("-jar", jar().toString(), "serve"));
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            TrainerProcess trainer = new TrainerProcess(process, log, port);
            if (trainer.awaitAnswer()) {
                return trainer;
            }
            String taken = portTaken(log, logStart);
            String exited = "the trainer exited with status " + process.exitValue() + " during start";
            if (taken == null) {
                throw new IllegalStateException(exited + ":\n" + trainer.logTail());
            }
            if (attempt == Ports.ATTEMPTS) {
                throw new IllegalStateException(exited + "; its port was taken in each of " + Ports.ATTEMPTS + " attempts, last: "
                        + taken + "\n" + trainer.logTail());
            }
            System.err.printf("TrainerProcess: port %d or %d was taken (%s); retrying on new ports (attempt %d of %d)%n", port,
                    managementPort, taken, attempt + 1, Ports.ATTEMPTS);
        }
    }

    /**
     * Polls {@code GET /dataset} until it answers (true) or the process exits (false); kills it and
     * throws after {@link #START_TIMEOUT}. A refused or timed-out connection is retried: a loaded
     * machine may take longer than the client's connect timeout to accept.
     */
    private boolean awaitAnswer() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            if (!process.isAlive()) {
                return false;
            }
            try {
                dataset();
                return true;
            } catch (ConnectException | HttpTimeoutException e) {
                if (System.nanoTime() > deadline) {
                    kill();
                    throw new IllegalStateException("the trainer did not answer on port " + port + " within "
                            + START_TIMEOUT.toSeconds() + " s (last: " + e + "):\n" + logTail());
                }
                Thread.sleep(200);
            }
        }
    }

    /**
     * The first line written to {@code log} from byte {@code from} on that says a port was taken, or
     * null. Quarkus logs "Port N seems to be in use by another process" (its QuarkusBindException).
     */
    private static String portTaken(Path log, long from) throws IOException {
        byte[] all = Files.readAllBytes(log);
        String written = new String(all, (int) Math.min(from, all.length), (int) Math.max(0, all.length - from),
                StandardCharsets.UTF_8);
        return Ports.takenLine(written);
    }

    /** {@code GET /dataset}, with an admin token. */
    JsonNode dataset() throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/dataset"))
                .header("Authorization", "Bearer " + Tokens.withRoles("trainer-admin"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET /dataset answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    /** Like {@code kill -9}: no shutdown hook, no flush, no commit. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The whole log so far (both processes when they share the file). */
    String log() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** SIGTERM, then a kill after 30 s. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            kill();
        }
    }
}
