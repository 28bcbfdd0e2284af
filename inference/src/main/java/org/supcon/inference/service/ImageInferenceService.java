package org.supcon.inference.service;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.supcon.inference.config.InferenceConfig;
import org.supcon.inference.image.ImageDecoder;
import org.supcon.inference.image.RequestTooLargeException;
import org.supcon.inference.model.Inference;
import org.supcon.inference.model.InferenceResult;
import org.supcon.inference.model.ModelUnavailableException;
import org.supcon.inference.model.ServedModel;

/**
 * Embeddings and predictions from encoded images (the friendly REST API; usable by any API that
 * receives PNG/JPEG files): picks the version, checks the image count, decodes every image to the
 * model's geometry and runs them as one request through the batcher.
 */
@ApplicationScoped
public class ImageInferenceService {

    /** One uploaded image and a name for messages (file name or position). */
    public record EncodedImage(String name, byte[] bytes) {
    }

    /** The version that answered and its outputs, one row per image in request order. */
    public record Answer(ServedModel model, InferenceResult result) {
    }

    private final Inference inference;
    private final InferenceConfig config;
    private final ImageDecoder decoder;

    public ImageInferenceService(Inference inference, InferenceConfig config) {
        this.inference = inference;
        this.config = config;
        if (config.limits().decodeMemoryMb() < 1) {
            throw new IllegalArgumentException("inference.limits.decode-memory-mb must be at least 1, got "
                    + config.limits().decodeMemoryMb());
        }
        this.decoder = new ImageDecoder(config.limits().maxDimension(),
                new org.supcon.inference.image.DecodeBudget(config.limits().decodeMemoryMb() * 1_000_000L));
    }

    public ImageDecoder decoder() {
        return decoder;
    }

    /**
     * The latest version, or the requested one.
     *
     * @throws ModelUnavailableException when no version is loaded
     * @throws VersionNotFoundException when the requested version is not loaded
     */
    public ServedModel model(OptionalLong version) {
        ServedModel latest = inference.latest().orElseThrow(() -> new ModelUnavailableException(
                "no version of " + config.modelName() + " is loaded yet; try again once one is published"));
        if (version.isEmpty() || version.getAsLong() == latest.version()) {
            return latest;
        }
        Optional<ServedModel> v = inference.version(version.getAsLong());
        return v.orElseThrow(() -> new VersionNotFoundException("version " + version.getAsLong() + " of " + latest.name()
                + " is not loaded; the latest is " + latest.version()));
    }

    /**
     * Decodes and runs the images.
     *
     * @throws IllegalArgumentException when there are none
     * @throws RequestTooLargeException over {@code inference.limits.max-batch}
     * @throws org.supcon.inference.image.ImageException for an image that cannot be used
     */
    public CompletionStage<Answer> run(List<EncodedImage> images, OptionalLong version) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no image in the request");
        }
        int max = config.limits().maxBatch();
        if (images.size() > max) {
            throw new RequestTooLargeException(images.size() + " images in one request, over the limit of " + max
                    + " (inference.limits.max-batch)");
        }
        ServedModel model = model(version);
        int size = model.channels() * model.height() * model.width();
        float[] pixels = new float[images.size() * size];
        for (int i = 0; i < images.size(); i++) {
            EncodedImage image = images.get(i);
            decoder.decodeInto(image.bytes(), image.name(), model.channels(), model.height(), model.width(), pixels, i * size);
        }
        CompletionStage<InferenceResult> result;
        try {
            result = inference.infer(model, pixels, images.size());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return result.thenApply(r -> new Answer(model, r));
    }

    /** The top-k argument checked: at least 1, at most {@code inference.limits.max-top-k}; capped at K later. */
    public int topK(Integer requested, int defaultK) {
        int k = requested == null ? defaultK : requested;
        if (k < 1 || k > config.limits().maxTopK()) {
            throw new IllegalArgumentException("topK must be between 1 and " + config.limits().maxTopK() + ", got " + k);
        }
        return k;
    }
}
