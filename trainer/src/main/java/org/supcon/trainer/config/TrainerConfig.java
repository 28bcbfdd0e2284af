package org.supcon.trainer.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * The trainer service's configuration ({@code trainer.*}; environment variables {@code TRAINER_...}).
 * Kafka's address is the usual {@code kafka.bootstrap.servers} (default {@code localhost:9092}).
 */
@ConfigMapping(prefix = "trainer")
public interface TrainerConfig {

    /** Dataset cache ({@code DIR/dataset}) and training runs with their checkpoints ({@code DIR/runs}). */
    @WithDefault("data")
    Path dataDir();

    /** ROOT of the model repository: versions go to ROOT/NAME/VERSION (as the inference service reads them). */
    @WithDefault("models")
    Path modelRepository();

    /** NAME in the model repository. */
    @WithDefault("fashion-mnist-supcon")
    String modelName();

    /** Where training runs: {@code auto} uses a GPU when DJL finds one. */
    @WithDefault("auto")
    Device device();

    Topics topics();

    Consumer consumer();

    Dataset dataset();

    Runs runs();

    Trigger trigger();

    Gate gate();

    enum Device {
        AUTO, CPU, GPU
    }

    interface Topics {
        /** Where labeled images arrive (protobuf {@code LabeledImage}, key = id). */
        @WithName("labeled-images")
        @WithDefault("labeled-images")
        String labeledImages();

        /** Where rejected records go, with their original bytes and headers naming the reason and source. */
        @WithDefault("labeled-images.dlq")
        String dlq();

        @WithName("model-events")
        @WithDefault("model-events")
        String modelEvents();
    }

    interface Consumer {
        /** Off for the command-line subcommands (train, ingest, ...): only {@code serve} consumes. */
        @WithDefault("true")
        boolean enabled();

        /** Kafka consumer group of the dataset consumer (committed offsets there are for monitoring; the cache's are the truth). */
        @WithDefault("supcon-trainer")
        String groupId();

        /**
         * Records per poll; each poll is one cache write (fsync), one offsets file (fsync) and one
         * offset commit, so bigger polls amortise them (500 -> 2000: x1.5 records/s, BENCHMARKS.md).
         */
        @WithDefault("2000")
        int maxPollRecords();

        /** Longest wait between attempts while Kafka or the disk fails (the wait doubles from 1 s up to this). */
        @WithDefault("30s")
        Duration maxBackoff();
    }

    /** The dataset's image geometry (records of another size are resized to it) and the record limits. */
    interface Dataset {
        @WithDefault("1")
        int channels();

        @WithDefault("28")
        int height();

        @WithDefault("28")
        int width();

        /** Largest encoded record value accepted, bytes. */
        @WithDefault("4194304")
        int maxBytes();

        /** Largest declared or decoded width and height accepted. */
        @WithDefault("4096")
        int maxDimension();
    }

    /**
     * The defaults of every training run setting, the only place they are written: a run started
     * over REST (its POST body overrides them field by field), by the trigger, or by the
     * {@code train} command (its options override them). Each key is a component of
     * {@link org.supcon.trainer.settings.RunSettings}, kebab-case here, camelCase in JSON, which
     * documents and checks it; {@code SettingsBindingTest} fails when one lacks its default.
     */
    interface Runs {
        /** Off for the command-line subcommands: only {@code serve} runs, resumes and triggers training runs. */
        @WithDefault("true")
        boolean enabled();

        @WithDefault("supcon")
        String method();

        @WithDefault("small-resnet")
        String encoder();

        @WithDefault("mlp")
        String head();

        @WithDefault("128")
        int projectionDim();

        @WithDefault("2")
        int epochs();

        @WithDefault("256")
        int batchSize();

        @WithDefault("2")
        int views();

        @WithDefault("0.1")
        double learningRate();

        @WithDefault("0.9")
        double momentum();

        @WithDefault("1e-4")
        double weightDecay();

        /** Unset: min(1, epochs / 10). */
        OptionalDouble warmupEpochs();

        @WithDefault("0.1")
        double temperature();

        @WithDefault("0.07")
        double baseTemperature();

        @WithDefault("42")
        long seed();

        @WithDefault("0")
        int limit();

        @WithDefault("0")
        int testLimit();

        @WithDefault("0.1")
        double validationFraction();

        @WithDefault("0.15")
        double testFraction();

        @WithDefault("0.5")
        double minCropScale();

        @WithDefault("10")
        int linearEpochs();

        @WithDefault("0.1")
        double linearLearningRate();

        @WithDefault("1")
        int evalEvery();

        @WithDefault("1")
        int loaderWorkers();

        @WithDefault("0")
        double labelNoise();

        @WithDefault("0")
        int queueSize();

        @WithDefault("0.99")
        double queueMomentum();

        @WithDefault("true")
        boolean searchIndex();

        @WithDefault("10")
        int labelVoteNeighbours();

        @WithDefault("0.5")
        double mislabelMargin();

        @WithDefault("0.999")
        double duplicateThreshold();

        @WithDefault("false")
        boolean robustness();
    }

    /** Start a run by itself when this many new samples have arrived since the last run (off by default). */
    interface Trigger {
        OptionalInt newSamples();
    }

    /** Publish only if accuracy >= the published version's minus the tolerance. */
    interface Gate {
        @WithDefault("true")
        boolean enabled();

        @WithDefault("0.01")
        double tolerance();
    }
}
