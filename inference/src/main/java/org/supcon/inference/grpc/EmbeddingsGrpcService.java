package org.supcon.inference.grpc;

import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;

import org.supcon.inference.config.InferenceConfig;
import org.supcon.inference.image.RequestTooLargeException;
import org.supcon.inference.model.Inference;
import org.supcon.inference.model.InferenceResult;
import org.supcon.inference.model.ServedModel;
import org.supcon.inference.oip.OipException;
import org.supcon.inference.service.ImageInferenceService;
import org.supcon.inference.service.OipService;
import org.supcon.inference.service.SearchService;
import org.supcon.inference.service.TopK;
import org.supcon.proto.v1.EmbedRequest;
import org.supcon.proto.v1.EmbedResponse;
import org.supcon.proto.v1.Embedding;
import org.supcon.proto.v1.Embeddings;
import org.supcon.proto.v1.Image;
import org.supcon.proto.v1.LabelProbability;
import org.supcon.proto.v1.Neighbour;
import org.supcon.proto.v1.PredictRequest;
import org.supcon.proto.v1.PredictResponse;
import org.supcon.proto.v1.Prediction;
import org.supcon.proto.v1.RawPixels;
import org.supcon.proto.v1.SearchRequest;
import org.supcon.proto.v1.SearchResponse;

import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * Our gRPC API ({@code supcon.v1.Embeddings}): embeddings and top-k predictions of PNG/JPEG files
 * (decoded like the friendly REST API's, by {@link ImageInferenceService}) or raw 8-bit pixels, and
 * similarity search in the version's vector index by image or vector ({@link SearchService}).
 * Decoding runs on the worker pool, never on the event loop; the inference on the batcher.
 * EmbedStream answers each request in order, one at a time per stream (each request is a batch
 * already); the first refused request ends the stream with its status.
 */
@GrpcService
public class EmbeddingsGrpcService implements Embeddings {

    /** Labels per image when a PredictRequest leaves top_k at 0. */
    static final int DEFAULT_TOP_K = 5;

    private final Inference inference;
    private final ImageInferenceService images;
    private final SearchService search;
    private final int maxBatch;

    public EmbeddingsGrpcService(Inference inference, ImageInferenceService images, SearchService search,
            InferenceConfig config) {
        this.inference = inference;
        this.images = images;
        this.search = search;
        this.maxBatch = config.limits().maxBatch();
    }

    /** A request's images decoded for one model version. */
    record Decoded(ServedModel model, float[] pixels) {
    }

    /** A request's images run through one model version. */
    record Batch(ServedModel model, List<Image> images, InferenceResult result) {
    }

    @Override
    public Uni<EmbedResponse> embed(EmbedRequest request) {
        return run(request.getImagesList(), request.getModelVersion()).map(EmbeddingsGrpcService::embeddings)
                .onFailure().transform(GrpcErrors::toStatus);
    }

    @Override
    public Uni<PredictResponse> predict(PredictRequest request) {
        return Uni.createFrom().item(() -> images.topK(request.getTopK() == 0 ? null : request.getTopK(), DEFAULT_TOP_K))
                .flatMap(k -> run(request.getImagesList(), request.getModelVersion()).map(batch -> predictions(batch, k)))
                .onFailure().transform(GrpcErrors::toStatus);
    }

    @Override
    public Multi<EmbedResponse> embedStream(Multi<EmbedRequest> requests) {
        AtomicLong index = new AtomicLong();
        return requests.onItem().transformToUniAndConcatenate(request -> {
            long i = index.getAndIncrement();
            return run(request.getImagesList(), request.getModelVersion()).map(EmbeddingsGrpcService::embeddings)
                    .onFailure().transform(e -> {
                        Throwable t = OipService.unwrap(e);
                        return t instanceof OipException o ? new OipException(o.kind(), "request " + i + ": " + o.getMessage()) : t;
                    });
        }).onFailure().transform(GrpcErrors::toStatus);
    }

    @Override
    public Uni<SearchResponse> search(SearchRequest request) {
        return Uni.createFrom().completionStage(() -> search(request, request.getModelVersion()))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .map(EmbeddingsGrpcService::searchResponse)
                .onFailure().transform(GrpcErrors::toStatus);
    }

    /** Checks the request and resolves the version (on a worker thread), then searches by image or by vector. */
    private CompletionStage<SearchService.Result> search(SearchRequest request, long version) {
        long k = Integer.toUnsignedLong(request.getK());
        SearchService.Options options = search.options(k == 0 ? null : (int) Math.min(k, Integer.MAX_VALUE),
                request.hasMinScore() ? request.getMinScore() : null, request.getExact());
        if (request.getQueryCase() == SearchRequest.QueryCase.QUERY_NOT_SET) {
            throw OipException.invalid("no query: set image or vector");
        }
        ServedModel model = search.model(version(version));
        if (request.getQueryCase() == SearchRequest.QueryCase.IMAGE) {
            return search.byPixels(model, decode(List.of(request.getImage()), model), options);
        }
        List<Float> values = request.getVector().getValuesList();
        float[] vector = new float[values.size()];
        for (int i = 0; i < vector.length; i++) {
            vector[i] = values.get(i);
        }
        return CompletableFuture.completedFuture(search.byVector(model, vector, options));
    }

    /** Resolves the version, decodes the images (on a worker thread) and runs them as one batch. */
    private Uni<Batch> run(List<Image> request, long version) {
        return Uni.createFrom().item(() -> decode(request, version))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .flatMap(d -> Uni.createFrom().completionStage(() -> inference.infer(d.model(), d.pixels(), request.size()))
                        .map(result -> new Batch(d.model(), request, result)))
                .onFailure().transform(OipService::unwrap);
    }

    private Decoded decode(List<Image> request, long version) {
        if (request.isEmpty()) {
            throw OipException.invalid("the request has no images");
        }
        if (request.size() > maxBatch) {
            throw new RequestTooLargeException(request.size() + " images in one request, over the limit of " + maxBatch
                    + " (inference.limits.max-batch); split them");
        }
        ServedModel model = images.model(version(version));
        return new Decoded(model, decode(request, model));
    }

    /** 0: the newest version. */
    private static OptionalLong version(long version) {
        return version == 0 ? OptionalLong.empty() : OptionalLong.of(version);
    }

    /** The images, encoded or raw, as the model's input pixels (NCHW, 0..255). */
    private float[] decode(List<Image> request, ServedModel model) {
        int size = model.channels() * model.height() * model.width();
        float[] pixels = new float[request.size() * size];
        for (int i = 0; i < request.size(); i++) {
            Image image = request.get(i);
            String what = "image " + i + (image.getId().isEmpty() ? "" : " (" + image.getId() + ")");
            switch (image.getContentCase()) {
                case RAW -> raw(image.getRaw(), what, model, pixels, i * size);
                case ENCODED -> images.decoder().decodeInto(image.getEncoded().toByteArray(), what, model.channels(),
                        model.height(), model.width(), pixels, i * size);
                default -> throw OipException.invalid(what + " has neither encoded nor raw content");
            }
        }
        return pixels;
    }

    /** Raw 8-bit pixels, HWC interleaved, of exactly the model's geometry, into CHW floats. */
    private static void raw(RawPixels image, String what, ServedModel model, float[] dest, int offset) {
        int c = model.channels();
        int h = model.height();
        int w = model.width();
        if (image.getChannels() != c || image.getHeight() != h || image.getWidth() != w) {
            throw OipException.invalid(what + " is raw " + image.getWidth() + "x" + image.getHeight() + "x"
                    + image.getChannels() + " (WxHxC); the model takes " + w + "x" + h + "x" + c);
        }
        byte[] px = image.getData().toByteArray();
        if (px.length != c * h * w) {
            throw OipException.invalid(what + " has " + px.length + " bytes; raw " + w + "x" + h + "x" + c + " needs " + c * h * w);
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int ch = 0; ch < c; ch++) {
                    dest[offset + ch * h * w + y * w + x] = px[(y * w + x) * c + ch] & 0xFF;
                }
            }
        }
    }

    private static EmbedResponse embeddings(Batch batch) {
        EmbedResponse.Builder b = EmbedResponse.newBuilder()
                .setModelName(batch.model().name()).setModelVersion(batch.model().version());
        InferenceResult r = batch.result();
        for (int i = 0; i < r.n(); i++) {
            Embedding.Builder e = Embedding.newBuilder().setId(batch.images().get(i).getId());
            for (int j = 0; j < r.embeddingDim(); j++) {
                e.addValues(r.embedding()[i * r.embeddingDim() + j]);
            }
            b.addEmbeddings(e);
        }
        return b.build();
    }

    private static SearchResponse searchResponse(SearchService.Result r) {
        SearchResponse.Builder b = SearchResponse.newBuilder().setModelName(r.model().name())
                .setModelVersion(r.model().version()).setExact(r.exact());
        for (SearchService.Hit h : r.neighbours()) {
            b.addNeighbours(Neighbour.newBuilder().setId(h.id()).setLabel(h.label()).setSplit(h.split()).setScore(h.score()));
        }
        return b.build();
    }

    private static PredictResponse predictions(Batch batch, int k) {
        PredictResponse.Builder b = PredictResponse.newBuilder()
                .setModelName(batch.model().name()).setModelVersion(batch.model().version());
        InferenceResult r = batch.result();
        for (int i = 0; i < r.n(); i++) {
            Prediction.Builder p = Prediction.newBuilder().setId(batch.images().get(i).getId());
            for (TopK.Entry s : TopK.of(r.probabilities(), i, batch.model().labels(), k)) {
                p.addLabels(LabelProbability.newBuilder().setLabel(s.label()).setProbability(s.probability()));
            }
            b.addPredictions(p);
        }
        return b.build();
    }
}
