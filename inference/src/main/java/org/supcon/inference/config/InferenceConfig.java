package org.supcon.inference.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalInt;

/**
 * The inference service's configuration ({@code inference.*}; environment variables
 * {@code INFERENCE_...}). Kafka's address is the usual {@code kafka.bootstrap.servers}.
 */
@ConfigMapping(prefix = "inference")
public interface InferenceConfig {

    /** ROOT of the model repository: versions are read from ROOT/NAME/VERSION (as the trainer publishes them). */
    @WithDefault("models")
    Path modelRepository();

    /** NAME in the model repository: the model this service serves. */
    @WithDefault("fashion-mnist-supcon")
    String modelName();

    /** How often the repository is checked for a newer version, beside the model-events topic. */
    @WithDefault("10s")
    Duration pollInterval();

    /** How many validated versions stay loaded for {@code versions/{v}} requests (the newest included), at least 1. */
    @WithDefault("2")
    int keepVersions();

    /** Execution provider: {@code auto} uses CUDA when ONNX Runtime offers it and falls back to CPU. */
    @WithDefault("auto")
    Device device();

    /** ONNX Runtime intra-op threads per session; unset lets ONNX Runtime choose (one per core). */
    OptionalInt intraOpThreads();

    /** Dynamic batching of concurrent requests. */
    Batching batching();

    /** Request limits. */
    Limits limits();

    /** The topic the trainer publishes ModelPublished events to (key: model name). */
    @WithDefault("model-events")
    String modelEventsTopic();

    /** The model-events listener. */
    Kafka kafka();

    /** Who may call the API (README "Security"). */
    Auth auth();

    enum Device {
        AUTO, CPU, CUDA
    }

    interface Batching {

        /** Most images in one ONNX Runtime run; a single larger request runs alone. */
        @WithDefault("64")
        int maxBatchSize();

        /** Longest a request waits in the queue for others to join its batch. */
        @WithDefault("2ms")
        Duration maxDelay();

        /** Most requests waiting per loaded version; more are refused (HTTP 429, gRPC RESOURCE_EXHAUSTED). */
        @WithDefault("1024")
        int maxQueue();

        /** Threads running batches per loaded version. */
        @WithDefault("1")
        int runners();
    }

    interface Limits {

        /** Most images in one request. */
        @WithDefault("64")
        int maxBatch();

        /**
         * Largest width or height of an uploaded image, read from its header before decoding (a
         * 2048x2048 image allocates up to about 100 MB while it is decoded and converted: 16-bit RGBA
         * into an RGB model; README "Hostile input").
         */
        @WithDefault("2048")
        int maxDimension();

        /** Most top-k labels a prediction may ask for (capped at the number of classes). */
        @WithDefault("100")
        int maxTopK();
    }

    interface Auth {

        /**
         * Require a bearer token (RS256 JWT, verified with mp.jwt.verify.publickey.location) with the
         * role inference-user on REST and gRPC; off by default and in dev/demo (said at start), on in
         * the Kubernetes deployment. Health and metrics are on the management port either way.
         */
        @WithDefault("false")
        boolean enabled();
    }

    interface Kafka {

        /** Listen to the model-events topic; the repository poll runs either way. */
        @WithDefault("true")
        boolean enabled();
    }
}
