package org.supcon.trainer.producer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.KafkaException;
import org.supcon.proto.v1.LabeledImage;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import org.supcon.trainer.cli.UsageException;
import org.supcon.trainer.config.KafkaClientConfig;
import org.supcon.trainer.images.DatasetSource;
import org.supcon.trainer.images.FashionMnist;

/**
 * {@code ingest}: publishes a labeled dataset to the {@code labeled-images} topic, one
 * {@link LabeledImage} per image, keyed by its stable id; publishing again replaces, never adds.
 * Kafka's address: the config key {@value #BOOTSTRAP_KEY} ({@code -Dkafka.bootstrap.servers=...}
 * or {@code KAFKA_BOOTSTRAP_SERVERS}), default {@value #DEFAULT_BOOTSTRAP}; every other
 * {@code kafka.*} property (security protocol, SASL, trust store) reaches the producer too
 * ({@link KafkaClientConfig}).
 */
public final class IngestCommand {

    public static final String BOOTSTRAP_KEY = "kafka.bootstrap.servers";
    public static final String DEFAULT_BOOTSTRAP = KafkaClientConfig.DEFAULT_BOOTSTRAP;
    public static final String DEFAULT_TOPIC = "labeled-images";

    /** Which part of Fashion-MNIST to publish. */
    public enum Split {
        TRAIN, TEST, ALL;

        static Split fromName(String name) {
            return switch (name) {
                case "train" -> TRAIN;
                case "test" -> TEST;
                case "all" -> ALL;
                default -> throw new IllegalArgumentException("unknown split");
            };
        }
    }

    /**
     * A parsed command line.
     *
     * @param dataset {@code fashion-mnist} or a folder path
     * @param split the Fashion-MNIST part; {@link Split#ALL} for a folder
     * @param limit the first {@code limit} images of each part, 0 = all
     * @param topic a valid Kafka topic name
     */
    public record Settings(String dataset, Split split, int limit, String topic) {
        public Settings {
            Objects.requireNonNull(dataset, "dataset");
            Objects.requireNonNull(split, "split");
            Objects.requireNonNull(topic, "topic");
        }
    }

    private final PrintStream out;
    private final Map<String, Object> kafka;
    private final String bootstrapServers;
    private final Path fashionMnistDir;
    private final boolean interactive;

    /** Kafka's settings from the configuration, Fashion-MNIST from its default directory. */
    public IngestCommand(PrintStream out) {
        this(out, KafkaClientConfig.fromConfig(), FashionMnist.defaultDirectory(), System.console() != null);
    }

    /** @param kafka the producer's passed-through settings ({@code bootstrap.servers} at least; see {@link KafkaClientConfig}) */
    public IngestCommand(PrintStream out, Map<String, Object> kafka, Path fashionMnistDir, boolean interactive) {
        this.out = Objects.requireNonNull(out, "out");
        this.kafka = KafkaClientConfig.withDefaultBootstrap(Objects.requireNonNull(kafka, "kafka"));
        this.bootstrapServers = KafkaClientConfig.bootstrapServers(this.kafka);
        this.fashionMnistDir = Objects.requireNonNull(fashionMnistDir, "fashionMnistDir");
        this.interactive = interactive;
    }

    /** The command-line options of {@code ingest}; running them publishes with the configured Kafka settings. */
    @Command(name = "ingest", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Publish a labeled dataset to Kafka (protobuf LabeledImage, key = id).",
                "Kafka: -Dkafka.bootstrap.servers=HOST:PORT or KAFKA_BOOTSTRAP_SERVERS (default localhost:9092); every"
                    + " kafka.* property or KAFKA_* variable is a producer setting (e.g. KAFKA_SECURITY_PROTOCOL=SASL_SSL).",
                "Record keys: fashion-mnist/<split>/<index> or folder/<label>/<file>; the same data gives the same keys,"
                    + " so publishing again replaces records. Exit status 1 if any record failed."})
    public static class Options implements Callable<Integer> {

        @Option(names = "--dataset", paramLabel = "fashion-mnist|PATH",
                description = "Fashion-MNIST IDX files (FASHION_MNIST_DIR, default /usr/share/datasets/fashion-mnist),"
                        + " published as raw 8-bit pixels; or a folder PATH/<label>/*.png|jpg, published as the original files")
        String dataset;

        @Option(names = "--split", paramLabel = "train|test|all",
                description = "Fashion-MNIST part to publish (default train); a folder is always published whole, the"
                        + " trainer splits it")
        String split;

        @Option(names = "--limit", paramLabel = "N", defaultValue = "0", description = "the first N images of each part (default all)")
        int limit;

        @Option(names = "--topic", paramLabel = "T", defaultValue = DEFAULT_TOPIC, description = "(default: ${DEFAULT-VALUE})")
        String topic;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        /** The settings these options give; every bad value is a {@link UsageException} naming the option. */
        Settings settings() {
            if (dataset == null) {
                throw new UsageException("ingest: --dataset is required (fashion-mnist or a folder PATH/<label>/*.png|jpg)");
            }
            boolean folder = !dataset.equals(DatasetSource.FASHION_MNIST);
            Split part;
            if (split == null) {
                part = folder ? Split.ALL : Split.TRAIN;
            } else {
                try {
                    part = Split.fromName(split);
                } catch (IllegalArgumentException e) {
                    throw new UsageException("ingest: --split needs one of train, test, all, got '" + split + "'");
                }
            }
            if (folder && part != Split.ALL) {
                throw new UsageException("ingest: --split " + split + " applies to fashion-mnist only; a folder"
                        + " is published whole (the trainer splits it), drop --split or use --split all");
            }
            if (limit < 0) {
                throw new UsageException("ingest: --limit must not be negative, got " + limit);
            }
            if (!topic.matches("[A-Za-z0-9._-]{1,249}") || topic.equals(".") || topic.equals("..")) {
                throw new UsageException("ingest: --topic '" + topic + "' is not a Kafka topic name (1 to 249 of"
                        + " letters, digits, '.', '_' and '-')");
            }
            return new Settings(dataset, part, limit, topic);
        }

        @Override
        public Integer call() throws IOException {
            Settings s;
            try {
                s = settings();
            } catch (UsageException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            return new IngestCommand(System.out).run(s).failed() > 0 ? 1 : 0;
        }
    }

    /** Parses the options; every bad value is a {@link UsageException} naming the option. */
    public static Settings parse(List<String> args) {
        Options o = new Options();
        try {
            new CommandLine(o).parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            throw new UsageException("ingest: " + e.getMessage());
        }
        return o.settings();
    }

    /** Parses {@code args} and runs; see {@link #run(Settings)}. */
    public IngestSummary run(List<String> args) throws IOException {
        return run(parse(args));
    }

    /**
     * Publishes every image of the dataset and waits for the broker's answers.
     *
     * @return the counts; {@link IngestSummary#failed()} > 0 means some records are not stored
     * @throws KafkaException if the broker cannot be reached at all
     */
    public IngestSummary run(Settings s) throws IOException {
        Instant created = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        IngestSource source = open(s, created);
        String codec = LabeledImagePublisher.compression();
        out.printf(Locale.ROOT, "ingest: %s -> topic '%s' at %s (compression %s)%n", source.description(), s.topic(),
                bootstrapServers, codec);
        IngestTally tally = new IngestTally();
        long t0;
        try (LabeledImagePublisher publisher = new LabeledImagePublisher(kafka, s.topic(), tally)) {
            publisher.connect();
            IngestProgress progress = new IngestProgress(out, interactive);
            t0 = System.nanoTime();
            for (int i = 0; i < source.size(); i++) {
                LabeledImage image;
                try {
                    image = source.record(i);
                } catch (IOException | IllegalArgumentException e) {
                    tally.failed(source.id(i), e.getMessage());
                    continue;
                }
                try {
                    publisher.send(image);
                } catch (KafkaException e) {
                    // errors the broker reports come through the send callback; these are the client's own
                    tally.failed(image.getId(), e.getClass().getSimpleName() + ": " + e.getMessage());
                }
                progress.update(tally, source.size());
            }
            publisher.flush();
            progress.finish(tally, source.size());
        }
        IngestSummary summary = new IngestSummary(s.topic(), source.size(), tally.sent(), tally.failed(), tally.bytes(),
                (System.nanoTime() - t0) / 1e9, tally.reasons());
        out.printf(Locale.ROOT, "ingest done: %d sent, %d failed in %.1f s (%.0f records/s, %.2f MB) -> topic '%s'%n",
                summary.sent(), summary.failed(), summary.seconds(), summary.recordsPerSecond(), summary.bytes() / 1e6,
                summary.topic());
        if (summary.failed() > 0) {
            out.println("first failures:");
            summary.reasons().forEach(r -> out.println("  " + r));
            if (summary.failed() > summary.reasons().size()) {
                out.println("  ... and " + (summary.failed() - summary.reasons().size()) + " more");
            }
        }
        return summary;
    }

    private IngestSource open(Settings s, Instant created) throws IOException {
        if (!s.dataset().equals(DatasetSource.FASHION_MNIST)) {
            return IngestSource.folder(Path.of(s.dataset()), s.limit(), created);
        }
        List<IngestSource.Part> parts = new ArrayList<>();
        if (s.split() != Split.TEST) {
            parts.add(new IngestSource.Part("train", FashionMnist.train(fashionMnistDir)));
        }
        if (s.split() != Split.TRAIN) {
            parts.add(new IngestSource.Part("test", FashionMnist.test(fashionMnistDir)));
        }
        return IngestSource.imageSets(DatasetSource.FASHION_MNIST, parts, s.limit(), created);
    }
}
