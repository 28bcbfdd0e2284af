package org.supcon.inference.service;

import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.supcon.common.index.Neighbour;
import org.supcon.inference.config.InferenceConfig;
import org.supcon.inference.model.Inference;
import org.supcon.inference.model.InferenceResult;
import org.supcon.inference.model.ServedModel;
import org.supcon.inference.service.ImageInferenceService.EncodedImage;

/**
 * Similarity search in a version's vector index, for REST and gRPC alike: the query is an image
 * (run through the same version to get its {@code embedding}) or an embedding vector; the answer is
 * the nearest samples with their id, label name, split and cosine score. Embeddings of one version
 * are comparable only with that version's index, so the image runs through the version searched.
 */
@ApplicationScoped
public class SearchService {

    /** Neighbours when a request leaves k out. */
    public static final int DEFAULT_K = 10;

    /** A search's settings, checked. {@code minScore} is -infinity when the request sets none. */
    public record Options(int k, float minScore, boolean exact) {
    }

    /** One neighbour as the APIs answer it: the label as its name. */
    public record Hit(String id, String label, String split, float score) {
    }

    /** The version searched, how, and the neighbours, best first. */
    public record Result(ServedModel model, boolean exact, List<Hit> neighbours) {
    }

    private final Inference inference;
    private final ImageInferenceService images;
    private final InferenceConfig.Search config;

    public SearchService(Inference inference, ImageInferenceService images, InferenceConfig config) {
        this.inference = inference;
        this.images = images;
        this.config = config.search();
        if (this.config.maxK() < 1 || this.config.candidates() < 1) {
            throw new IllegalArgumentException("inference.search.max-k and inference.search.candidates must be at least 1, got "
                    + this.config.maxK() + " and " + this.config.candidates());
        }
    }

    /**
     * The request's settings checked: k 1..{@code inference.search.max-k} (default {@value #DEFAULT_K}),
     * minScore a cosine in [-1, 1] (default none), exact default false (HNSW).
     *
     * @throws IllegalArgumentException naming the setting and its value
     */
    public Options options(Integer k, Float minScore, Boolean exact) {
        int kk = k == null ? DEFAULT_K : k;
        if (kk < 1 || kk > config.maxK()) {
            throw new IllegalArgumentException("k must be between 1 and " + config.maxK() + " (inference.search.max-k), got "
                    + kk);
        }
        if (minScore != null && !(minScore >= -1 && minScore <= 1)) {
            throw new IllegalArgumentException("minScore must be a cosine between -1 and 1, got " + minScore);
        }
        return new Options(kk, minScore == null ? Float.NEGATIVE_INFINITY : minScore, exact != null && exact);
    }

    /**
     * The version to search: the latest or the requested one, which must have a vector index.
     *
     * @throws NoIndexException when it was published without one
     */
    public ServedModel model(OptionalLong version) {
        ServedModel model = images.model(version);
        if (model.index().isEmpty()) {
            throw new NoIndexException("version " + model.version() + " of " + model.name()
                    + " has no vector index (it was published without one): search needs a version with an index");
        }
        return model;
    }

    /** Decodes a PNG/JPEG to the model's geometry and searches with its embedding; see {@link #byPixels}. */
    public CompletionStage<Result> byImage(ServedModel model, EncodedImage image, Options options) {
        float[] pixels = new float[model.channels() * model.height() * model.width()];
        images.decoder().decodeInto(image.bytes(), image.name(), model.channels(), model.height(), model.width(), pixels, 0);
        return byPixels(model, pixels, options);
    }

    /**
     * Runs one image ({@code C * H * W} pixel values 0..255) through {@code model} and searches its
     * index with the image's embedding. The search runs on a worker thread, not the batcher's.
     */
    public CompletionStage<Result> byPixels(ServedModel model, float[] pixels, Options options) {
        CompletionStage<InferenceResult> run;
        try {
            run = inference.infer(model, pixels, 1);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return run.thenApplyAsync(r -> byVector(model, r.embedding(), options), Infrastructure.getDefaultWorkerPool());
    }

    /**
     * Searches with an embedding vector of the model's size.
     *
     * @throws IllegalArgumentException for a vector of the wrong size, with a NaN or infinity, or all zeros
     */
    public Result byVector(ServedModel model, float[] vector, Options options) {
        if (vector.length != model.embeddingDim()) {
            throw new IllegalArgumentException("the query vector has " + vector.length + " values; " + model.name() + " v"
                    + model.version() + " makes embeddings of " + model.embeddingDim());
        }
        List<Neighbour> found = inference.search(model, vector, options.k(), options.minScore(), options.exact(),
                config.candidates());
        List<String> labels = model.labels();
        List<Hit> hits = found.stream().map(n -> new Hit(n.id(), labels.get(n.label()), n.split(), n.score())).toList();
        return new Result(model, options.exact(), hits);
    }
}
