package org.supcon.inference.rest;

import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.multipart.FileUpload;
import org.supcon.inference.model.InferenceResult;
import org.supcon.inference.rest.ApiDtos.EmbeddingsResponse;
import org.supcon.inference.rest.ApiDtos.ErrorResponse;
import org.supcon.inference.rest.ApiDtos.ImagesRequest;
import org.supcon.inference.rest.ApiDtos.LabelProbability;
import org.supcon.inference.rest.ApiDtos.Prediction;
import org.supcon.inference.rest.ApiDtos.PredictionsResponse;
import org.supcon.inference.service.ImageInferenceService;
import org.supcon.inference.service.ImageInferenceService.Answer;
import org.supcon.inference.service.ImageInferenceService.EncodedImage;
import org.supcon.inference.service.TopK;

/**
 * The friendly API: embeddings and top-k predictions for PNG/JPEG images sent as multipart parts
 * named {@code image}, as a raw {@code image/png} / {@code image/jpeg} body, or as JSON with base64
 * images. {@code ?version=} picks a loaded version (default: the latest). Decoding runs on a worker
 * thread; the model run is awaited asynchronously.
 */
@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "images", description = "Embeddings and predictions for image files")
@APIResponse(responseCode = "400", description = "no image, an undecodable image, bad base64, malformed JSON or a bad topK, or a query parameter that does not parse",
        content = @Content(schema = @Schema(implementation = ErrorResponse.class)))
@APIResponse(responseCode = "404", description = "the requested version is not loaded")
@APIResponse(responseCode = "413", description = "over the body size, image count or image dimension limit")
@APIResponse(responseCode = "415", description = "not multipart, PNG, JPEG or JSON; or an image in another format")
@APIResponse(responseCode = "429", description = "the batching queue is full; retry later")
@APIResponse(responseCode = "503", description = "no model version is loaded yet")
public class InferenceResource {

    static final int DEFAULT_TOP_K = 3;
    static final String VERSION = "a loaded version; default the latest";
    static final String TOP_K = "labels per image, default 3";

    private final ImageInferenceService service;

    public InferenceResource(ImageInferenceService service) {
        this.service = service;
    }

    @POST
    @Path("/embeddings")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Blocking
    @Operation(summary = "Embeddings of uploaded images (multipart parts named 'image')")
    public CompletionStage<EmbeddingsResponse> embeddingsMultipart(@RestForm("image") List<FileUpload> image,
            @RestQuery @Parameter(description = VERSION, schema = @Schema(type = SchemaType.INTEGER)) String version) {
        return embeddings(RequestImages.fromMultipart(image), version);
    }

    @POST
    @Path("/embeddings")
    @Consumes({"image/png", "image/jpeg"})
    @Blocking
    @Operation(summary = "Embedding of one image sent as the request body")
    public CompletionStage<EmbeddingsResponse> embeddingsRaw(byte[] body,
            @RestQuery @Parameter(description = VERSION, schema = @Schema(type = SchemaType.INTEGER)) String version) {
        return embeddings(RequestImages.fromBody(body), version);
    }

    @POST
    @Path("/embeddings")
    @Consumes(MediaType.APPLICATION_JSON)
    @Blocking
    @Operation(summary = "Embeddings of base64 images: {\"images\": [\"...\"]}")
    public CompletionStage<EmbeddingsResponse> embeddingsJson(ImagesRequest request,
            @RestQuery @Parameter(description = VERSION, schema = @Schema(type = SchemaType.INTEGER)) String version) {
        return embeddings(RequestImages.fromJson(request), version);
    }

    @POST
    @Path("/predictions")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Blocking
    @Operation(summary = "Top-k labels of uploaded images (multipart parts named 'image')")
    public CompletionStage<PredictionsResponse> predictionsMultipart(@RestForm("image") List<FileUpload> image,
            @RestQuery @Parameter(description = VERSION, schema = @Schema(type = SchemaType.INTEGER)) String version,
            @RestQuery @Parameter(description = TOP_K, schema = @Schema(type = SchemaType.INTEGER)) String topK) {
        return predictions(RequestImages.fromMultipart(image), version, topK);
    }

    @POST
    @Path("/predictions")
    @Consumes({"image/png", "image/jpeg"})
    @Blocking
    @Operation(summary = "Top-k labels of one image sent as the request body")
    public CompletionStage<PredictionsResponse> predictionsRaw(byte[] body,
            @RestQuery @Parameter(description = VERSION, schema = @Schema(type = SchemaType.INTEGER)) String version,
            @RestQuery @Parameter(description = TOP_K, schema = @Schema(type = SchemaType.INTEGER)) String topK) {
        return predictions(RequestImages.fromBody(body), version, topK);
    }

    @POST
    @Path("/predictions")
    @Consumes(MediaType.APPLICATION_JSON)
    @Blocking
    @Operation(summary = "Top-k labels of base64 images: {\"images\": [\"...\"], \"topK\": 3}")
    public CompletionStage<PredictionsResponse> predictionsJson(ImagesRequest request,
            @RestQuery @Parameter(description = VERSION, schema = @Schema(type = SchemaType.INTEGER)) String version,
            @RestQuery @Parameter(description = TOP_K, schema = @Schema(type = SchemaType.INTEGER)) String topK) {
        Integer fromQuery = Params.integer(Params.Kind.QUERY, "topK", topK);
        Integer k = request != null && request.topK() != null ? request.topK() : fromQuery;
        return predictionsTopK(RequestImages.fromJson(request), version, k);
    }

    private CompletionStage<EmbeddingsResponse> embeddings(List<EncodedImage> images, String version) {
        OptionalLong v = Params.version(version);
        return service.run(images, v).thenApply(InferenceResource::toEmbeddings);
    }

    private CompletionStage<PredictionsResponse> predictions(List<EncodedImage> images, String version, String topK) {
        return predictionsTopK(images, version, Params.integer(Params.Kind.QUERY, "topK", topK));
    }

    private CompletionStage<PredictionsResponse> predictionsTopK(List<EncodedImage> images, String version, Integer topK) {
        OptionalLong v = Params.version(version);
        int k = service.topK(topK, DEFAULT_TOP_K);
        return service.run(images, v).thenApply(a -> toPredictions(a, k));
    }

    static EmbeddingsResponse toEmbeddings(Answer a) {
        InferenceResult r = a.result();
        List<float[]> rows = new ArrayList<>(r.n());
        for (int i = 0; i < r.n(); i++) {
            float[] row = new float[r.embeddingDim()];
            System.arraycopy(r.embedding(), i * r.embeddingDim(), row, 0, row.length);
            rows.add(row);
        }
        return new EmbeddingsResponse(a.model().name(), a.model().version(), r.embeddingDim(), rows);
    }

    static PredictionsResponse toPredictions(Answer a, int k) {
        InferenceResult r = a.result();
        List<Prediction> predictions = new ArrayList<>(r.n());
        for (int i = 0; i < r.n(); i++) {
            List<LabelProbability> top = TopK.of(r.probabilities(), i, a.model().labels(), k).stream()
                    .map(e -> new LabelProbability(e.label(), e.probability())).toList();
            predictions.add(new Prediction(top.get(0).label(), top.get(0).probability(), top));
        }
        return new PredictionsResponse(a.model().name(), a.model().version(), predictions);
    }
}
