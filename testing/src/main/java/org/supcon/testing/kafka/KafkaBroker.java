package org.supcon.testing.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.supcon.testing.Ports;

/**
 * A real single-node Kafka (KRaft, broker and controller in one process) for tests: a child JVM
 * on the test JVM's own classpath (the {@code kafka_2.13} test dependency), on free ports, with
 * its state in a temporary directory.
 *
 * <pre>{@code
 * static KafkaBroker kafka;
 * @BeforeAll static void up() throws IOException { kafka = KafkaBroker.start(); }
 * @AfterAll static void down() { kafka.close(); }
 * ... kafka.bootstrapServers() ...
 * }</pre>
 *
 * <p>{@link #startWithScram()} starts one whose client listener asks for SASL/SCRAM-SHA-512
 * ({@code SASL_PLAINTEXT}) and authorizes with ACLs (KRaft's {@code StandardAuthorizer}, nothing
 * allowed without an ACL); the super user {@value #ADMIN} is created at format time and is who
 * {@link #adminConfig()} and {@link #clientConfig()} log in as. Other users:
 * {@link #createScramUser}, then {@link #clientConfig(String, String)}.
 *
 * <p>{@link #close()} kills the process and deletes the directory; a shutdown hook does the same
 * if a test run dies before closing.
 */
public final class KafkaBroker implements AutoCloseable {

    /** Longest time from launch until the broker answers {@code describeCluster}. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    /** The super user of a {@link #startWithScram()} broker. */
    public static final String ADMIN = "admin";
    /** The SASL mechanism of a {@link #startWithScram()} broker. */
    public static final String SCRAM = "SCRAM-SHA-512";

    private final Path dir;
    private final Process process;
    private final String bootstrapServers;
    /** The admin's password; null for a plain-text broker without authentication. */
    private final String adminPassword;
    private final Thread shutdownHook;

    private KafkaBroker(Path dir, Process process, String bootstrapServers, String adminPassword) {
        this.dir = dir;
        this.process = process;
        this.bootstrapServers = bootstrapServers;
        this.adminPassword = adminPassword;
        this.shutdownHook = new Thread(this::stop, "kafka-broker-cleanup");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Formats the storage, starts the broker and waits until it answers.
     *
     * @throws IOException with the end of the broker's log if it exits or does not answer within {@link #START_TIMEOUT}
     */
    public static KafkaBroker start() throws IOException {
        return start(null);
    }

    /**
     * A broker whose client listener asks for SASL/SCRAM-SHA-512 and authorizes every request with
     * ACLs; {@value #ADMIN} is its super user.
     *
     * @throws IOException as {@link #start()}
     */
    public static KafkaBroker startWithScram() throws IOException {
        return start(UUID.randomUUID().toString());
    }

    private static KafkaBroker start(String adminPassword) throws IOException {
        return start(adminPassword, Ports::free);
    }

    /**
     * A free port is picked by opening and closing a socket, and the broker binds it seconds later:
     * another process may take it meanwhile. When the broker then fails with "Address already in
     * use", new ports are picked, up to {@value Ports#ATTEMPTS} attempts in all.
     *
     * @param ports picks each port ({@link Ports#free()}; a test passes one that is taken)
     */
    static KafkaBroker start(String adminPassword, Ports.Picker ports) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                return startOnce(adminPassword, ports);
            } catch (PortTakenException e) {
                if (attempt == Ports.ATTEMPTS) {
                    throw new IOException("the Kafka broker found its port taken in each of " + Ports.ATTEMPTS + " attempts", e);
                }
                System.err.printf("KafkaBroker: %s; retrying on new ports (attempt %d of %d)%n", e.getMessage(), attempt + 1,
                        Ports.ATTEMPTS);
            }
        }
    }

    private static KafkaBroker startOnce(String adminPassword, Ports.Picker ports) throws IOException {
        Path dir = Files.createTempDirectory("supcon-kafka-");
        int[] picked = Ports.two(ports);
        int port = picked[0];
        int controllerPort = picked[1];
        Path config = dir.resolve("server.properties");
        Files.writeString(config, serverProperties(dir.resolve("data"), port, controllerPort)
                + (adminPassword == null ? "" : scramProperties(adminPassword, port, controllerPort)));
        Path log = dir.resolve("kafka.log");
        try {
            List<String> formatArgs = new ArrayList<>(List.of("format", "--standalone",
                    "-t", Uuid.randomUuid().toString(), "-c", config.toString()));
            if (adminPassword != null) {
                // the broker's own login (inter-broker listener) must exist before it starts
                formatArgs.addAll(List.of("--add-scram", SCRAM + "=[name=" + ADMIN + ",password=" + adminPassword + "]"));
            }
            Process format = launch(log, "kafka.tools.StorageTool", formatArgs.toArray(String[]::new));
            if (!format.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS) || format.exitValue() != 0) {
                format.destroyForcibly();
                throw new IOException("formatting the Kafka storage in " + dir + " failed:\n" + tail(log));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while formatting the Kafka storage", e);
        }
        KafkaBroker broker = new KafkaBroker(dir, launch(log, "kafka.Kafka", config.toString()), "127.0.0.1:" + port,
                adminPassword);
        try {
            broker.awaitReady(log);
            return broker;
        } catch (IOException | RuntimeException e) {
            String taken = portTaken(log);
            broker.close();
            if (taken != null) {
                throw new PortTakenException("port " + port + " or " + controllerPort + " was taken: " + taken, e);
            }
            throw e;
        }
    }

    /** {@code 127.0.0.1:<port>}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Whether clients must log in ({@link #startWithScram()}). */
    public boolean secured() {
        return adminPassword != null;
    }

    /** Admin client settings for this broker (bootstrap servers, short timeouts; the admin's login if {@link #secured()}). */
    public Map<String, Object> adminConfig() {
        Map<String, Object> c = new HashMap<>(clientConfig());
        c.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        c.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000);
        return c;
    }

    /**
     * What a service's Kafka clients get from {@code kafka.*} for this broker: {@code bootstrap.servers},
     * and if {@link #secured()} the login of {@value #ADMIN}.
     */
    public Map<String, Object> clientConfig() {
        return secured() ? clientConfig(ADMIN, adminPassword) : Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    }

    /**
     * The client settings of {@code user} on a {@link #secured()} broker: {@code SASL_PLAINTEXT},
     * SCRAM-SHA-512 and a JAAS line with the credentials, as {@code KAFKA_*} variables give them to a pod.
     */
    public Map<String, Object> clientConfig(String user, String password) {
        if (!secured()) {
            throw new IllegalStateException("this broker takes no logins; start it with startWithScram()");
        }
        return Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                "security.protocol", "SASL_PLAINTEXT",
                "sasl.mechanism", SCRAM,
                "sasl.jaas.config", jaas(user, password));
    }

    /**
     * Creates (or replaces) the SCRAM-SHA-512 credential of {@code user} and waits until the user can
     * log in: the credential reaches the broker through the metadata log, just after the call returns.
     */
    public void createScramUser(String user, String password) throws Exception {
        try (Admin admin = Admin.create(adminConfig())) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(user,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password))).all().get(30, TimeUnit.SECONDS);
        }
        Map<String, Object> login = new HashMap<>(clientConfig(user, password));
        login.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000);
        login.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        try (Admin asUser = Admin.create(login)) {
            while (true) {
                try {
                    asUser.describeCluster(new DescribeClusterOptions().timeoutMs(2000)).nodes().get(3, TimeUnit.SECONDS);
                    return;
                } catch (ExecutionException | TimeoutException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IOException("user " + user + " could not log in within 30 s of its creation", e);
                    }
                    Thread.sleep(200);
                }
            }
        }
    }

    /**
     * Creates {@code acls} and waits until the broker answers with them: they reach its authorizer
     * through the metadata log, just after the call returns.
     */
    public void createAcls(Collection<AclBinding> acls) throws Exception {
        try (Admin admin = Admin.create(adminConfig())) {
            admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!admin.describeAcls(AclBindingFilter.ANY).values().get(10, TimeUnit.SECONDS).containsAll(acls)) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("the broker did not show the " + acls.size() + " new ACLs within 30 s");
                }
                Thread.sleep(100);
            }
        }
    }

    static String jaas(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    /** Every record of {@code topic}, from the beginning to the current end of each partition, read with a group-less consumer. */
    public List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        return readAll(topic, clientConfig());
    }

    /**
     * {@link #readAll(String)} with the client settings {@code login} (e.g. {@link #clientConfig(String, String)}),
     * the way the inference service's consumer reads: no group, assigned to every partition.
     */
    public List<ConsumerRecord<byte[], byte[]>> readAll(String topic, Map<String, Object> login) {
        Map<String, Object> config = new HashMap<>(login);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("read only " + records.size() + " records of " + topic + " in 30 s; end " + end);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            return records;
        }
    }

    /** Whether the broker process is still alive. */
    public boolean isRunning() {
        return process.isAlive();
    }

    /** The broker's state directory (deleted by {@link #close()}). */
    public Path directory() {
        return dir;
    }

    /** Kills the broker and deletes its directory. */
    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook runs stop() once more, which is harmless
        }
    }

    private void stop() {
        // The data is thrown away, so a controlled shutdown would only cost time.
        process.destroyForcibly();
        try {
            process.waitFor(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deleteRecursively(dir);
    }

    private void awaitReady(Path log) throws IOException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        try (Admin admin = Admin.create(adminConfig())) {
            while (true) {
                if (!process.isAlive()) {
                    throw new IOException("the Kafka broker exited with status " + process.exitValue()
                            + " during start:\n" + tail(log));
                }
                try {
                    admin.describeCluster(new DescribeClusterOptions().timeoutMs(2000)).nodes().get(3, TimeUnit.SECONDS);
                    return;
                } catch (ExecutionException | TimeoutException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IOException("the Kafka broker did not answer within " + START_TIMEOUT.toSeconds()
                                + " s at " + bootstrapServers + ":\n" + tail(log), e);
                    }
                    Thread.sleep(200);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the Kafka broker", e);
        }
    }

    private static Process launch(Path log, String mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // small and quick to start: a test broker holds little data, and the machine is shared
                "-Xms64m", "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-Djava.awt.headless=true",
                "-Djava.util.logging.manager=org.jboss.logmanager.LogManager",
                "-Djava.util.logging.SimpleFormatter.format=%1$tT.%1$tL %4$s [%3$s] %5$s%6$s%n",
                // surefire's class path may be a manifest-only jar; the child JVM reads it the same way
                "-cp", System.getProperty("java.class.path"),
                BrokerLauncher.class.getName(), mainClass));
        command.addAll(List.of(args));
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
    }

    static String serverProperties(Path dataDir, int port, int controllerPort) {
        return String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort,
                "log.dirs=" + dataDir,
                "num.partitions=1",
                "auto.create.topics.enable=true",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "");
    }

    /**
     * The client listener asks for SCRAM-SHA-512 and is also the inter-broker listener (the broker
     * logs in as {@value #ADMIN}); the controller listener stays plain text on the loopback
     * address, so the broker's registration and heartbeats reach the controller as
     * {@code User:ANONYMOUS}, which must therefore be a super user too. Nothing else is allowed
     * without an ACL. Appended to {@link #serverProperties}: a later line replaces an earlier one.
     */
    static String scramProperties(String adminPassword, int port, int controllerPort) {
        return String.join("\n",
                "listeners=SASL_PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=SASL_PLAINTEXT://127.0.0.1:" + port,
                "listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name=SASL_PLAINTEXT",
                "sasl.enabled.mechanisms=" + SCRAM,
                "sasl.mechanism.inter.broker.protocol=" + SCRAM,
                "listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=" + jaas(ADMIN, adminPassword),
                "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                "super.users=User:" + ADMIN + ";User:ANONYMOUS",
                "allow.everyone.if.no.acl.found=false",
                "");
    }

    /** The first line of {@code log} that says a port was taken, or null. */
    private static String portTaken(Path log) {
        try {
            return Ports.takenLine(Files.readString(log, StandardCharsets.UTF_8));
        } catch (IOException | UncheckedIOException e) {
            return null;
        }
    }

    /** The broker failed because a port it was given was taken. */
    private static final class PortTakenException extends IOException {
        PortTakenException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete the Kafka test directory " + root, e);
        }
    }
}
