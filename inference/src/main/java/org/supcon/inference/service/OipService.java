package org.supcon.inference.service;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.supcon.inference.config.InferenceConfig;
import org.supcon.inference.image.ImageException;
import org.supcon.inference.image.RequestTooLargeException;
import org.supcon.inference.model.Inference;
import org.supcon.inference.model.InferenceResult;
import org.supcon.inference.model.ModelUnavailableException;
import org.supcon.inference.model.OverloadedException;
import org.supcon.inference.model.ServedModel;
import org.supcon.inference.oip.ImagesInput;
import org.supcon.inference.oip.ModelContract;
import org.supcon.inference.oip.ModelResolver;
import org.supcon.inference.oip.OipException;
import org.supcon.inference.oip.OutputTensor;

/**
 * The Open Inference Protocol v2 semantics shared by the REST and gRPC edges: model and
 * version resolution, input checks, the batched inference and the requested outputs. The edges
 * only translate their wire format; every refusal is an {@link OipException}.
 */
@ApplicationScoped
public class OipService {

    /** The name {@code ServerMetadata} reports. */
    public static final String SERVER_NAME = "supcon-inference";

    private final Inference inference;
    private final int maxBatch;
    private final String serverVersion;

    public OipService(Inference inference, InferenceConfig config,
            @ConfigProperty(name = "quarkus.application.version", defaultValue = "0") String serverVersion) {
        this.inference = inference;
        this.maxBatch = config.limits().maxBatch();
        this.serverVersion = serverVersion;
    }

    /** An inference answer: the version that computed it and the requested outputs in order. */
    public record Answer(ServedModel model, List<OutputTensor> outputs) {
    }

    public boolean ready() {
        return inference.latest().isPresent();
    }

    public String serverVersion() {
        return serverVersion;
    }

    /** The loaded versions as OIP lists them in model metadata. */
    public List<String> versions() {
        return inference.loadedVersions().stream().map(String::valueOf).toList();
    }

    /** The version a request names; see {@link ModelResolver}. */
    public ServedModel model(String name, String version) {
        return ModelResolver.resolve(inference, name, version);
    }

    /**
     * Checks the request, runs it through the batcher and selects the outputs.
     *
     * @param decode turns the checked input header into the pixel values (raw, typed or JSON data)
     */
    public CompletionStage<Answer> infer(String modelName, String version, String inputName, String datatype,
            long[] shape, Function<ImagesInput, float[]> decode, List<String> requestedOutputs) {
        ServedModel model;
        List<String> outputs;
        float[] pixels;
        ImagesInput input;
        try {
            model = model(modelName, version);
            input = ImagesInput.check(model, maxBatch, inputName, datatype, shape);
            outputs = ModelContract.selectOutputs(requestedOutputs);
            pixels = decode.apply(input);
        } catch (OipException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletionStage<InferenceResult> result;
        try {
            result = inference.infer(model, pixels, input.n());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(translate(e));
        }
        return result.handle((r, error) -> {
            if (error != null) {
                throw new CompletionException(translate(error));
            }
            return new Answer(model, OutputTensor.select(r, outputs));
        });
    }

    /** The core's failures (batcher, image decoding, version lookup) as protocol refusals; anything else stays an internal error. */
    static Throwable translate(Throwable error) {
        Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (e instanceof OipException) {
            return e;
        }
        if (e instanceof ModelUnavailableException) {
            return OipException.unavailable(e.getMessage());
        }
        if (e instanceof OverloadedException || e instanceof RejectedExecutionException) {
            return OipException.overloaded(e.getMessage() + "; retry later");
        }
        if (e instanceof VersionNotFoundException) {
            return OipException.notFound(e.getMessage());
        }
        if (e instanceof RequestTooLargeException) {
            return OipException.tooLarge(e.getMessage());
        }
        if (e instanceof ImageException image) {
            return image.kind() == ImageException.Kind.TOO_LARGE ? OipException.tooLarge(e.getMessage())
                    : OipException.invalid(e.getMessage());
        }
        if (e instanceof IllegalArgumentException) {
            return OipException.invalid(e.getMessage());
        }
        return e;
    }

    /** The cause an edge should report for a failed stage. */
    public static Throwable unwrap(Throwable error) {
        return translate(error);
    }
}
