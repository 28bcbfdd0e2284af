package org.supcon.inference.rest;

import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestQuery;
import org.supcon.inference.model.ServedModel;
import org.supcon.inference.rest.ApiDtos.ErrorResponse;
import org.supcon.inference.rest.ApiDtos.Neighbour;
import org.supcon.inference.rest.ApiDtos.SearchRequest;
import org.supcon.inference.rest.ApiDtos.SearchResponse;
import org.supcon.inference.service.SearchService;
import org.supcon.inference.service.SearchService.Options;
import org.supcon.inference.service.SearchService.Result;

/**
 * Similarity search in the version's vector index: the nearest samples of the dataset the version
 * was trained on to an image (raw {@code image/png} / {@code image/jpeg} body, or base64 in JSON)
 * or to an embedding vector (JSON). {@code ?version=} picks a loaded version (default: the latest).
 */
@Path("/v1/search")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "search", description = "Nearest neighbours in the model version's vector index")
@APIResponse(responseCode = "200", description = "the neighbours, best first",
        content = @Content(schema = @Schema(implementation = SearchResponse.class)))
@APIResponse(responseCode = "400", description = "neither or both of image and vector, a vector of the wrong size, with a NaN,"
        + " infinity or all zeros, k or minScore out of range, an undecodable image, or a parameter that does not parse",
        content = @Content(schema = @Schema(implementation = ErrorResponse.class)))
@APIResponse(responseCode = "404", description = "the requested version is not loaded, or has no vector index")
@APIResponse(responseCode = "413", description = "over the body size or image dimension limit")
@APIResponse(responseCode = "415", description = "not PNG, JPEG or JSON; or an image in another format")
@APIResponse(responseCode = "429", description = "the batching queue is full; retry later")
@APIResponse(responseCode = "503", description = "no model version is loaded yet")
public class SearchResource {

    static final String VERSION = "a loaded version with a vector index; default the latest";
    static final String K = "neighbours to return, default 10, at most inference.search.max-k";
    static final String MIN_SCORE = "only neighbours with a cosine similarity of at least this (-1..1)";
    static final String EXACT = "true: an exact scan of every vector (the reference); false (default): HNSW";

    private final SearchService search;

    public SearchResource(SearchService search) {
        this.search = search;
    }

    @POST
    @Consumes({"image/png", "image/jpeg"})
    @Blocking
    @Operation(summary = "Nearest samples to one image sent as the request body")
    public CompletionStage<SearchResponse> searchRaw(byte[] body,
            @RestQuery @Parameter(description = VERSION, schema = @Schema(type = SchemaType.INTEGER)) String version,
            @RestQuery @Parameter(description = K, schema = @Schema(type = SchemaType.INTEGER)) String k,
            @RestQuery @Parameter(description = MIN_SCORE, schema = @Schema(type = SchemaType.NUMBER)) String minScore,
            @RestQuery @Parameter(description = EXACT, schema = @Schema(type = SchemaType.BOOLEAN)) String exact) {
        Options options = search.options(Params.integer(Params.Kind.QUERY, "k", k),
                Params.number(Params.Kind.QUERY, "minScore", minScore), Params.bool(Params.Kind.QUERY, "exact", exact));
        ServedModel model = search.model(Params.version(version));
        return search.byImage(model, RequestImages.fromBody(body).get(0), options).thenApply(SearchResource::toResponse);
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Blocking
    @Operation(summary = "Nearest samples to an image or an embedding: {\"image\": \"<base64>\"} or {\"vector\": [...]},"
            + " with optional \"k\", \"minScore\", \"exact\" (which override the query parameters)")
    public CompletionStage<SearchResponse> searchJson(SearchRequest request,
            @RestQuery @Parameter(description = VERSION, schema = @Schema(type = SchemaType.INTEGER)) String version,
            @RestQuery @Parameter(description = K, schema = @Schema(type = SchemaType.INTEGER)) String k,
            @RestQuery @Parameter(description = MIN_SCORE, schema = @Schema(type = SchemaType.NUMBER)) String minScore,
            @RestQuery @Parameter(description = EXACT, schema = @Schema(type = SchemaType.BOOLEAN)) String exact) {
        Integer queryK = Params.integer(Params.Kind.QUERY, "k", k);
        Float queryMinScore = Params.number(Params.Kind.QUERY, "minScore", minScore);
        Boolean queryExact = Params.bool(Params.Kind.QUERY, "exact", exact);
        if (request == null || (request.image() == null) == (request.vector() == null)) {
            throw new IllegalArgumentException(request != null && request.image() != null
                    ? "send either \"image\" or \"vector\", not both"
                    : "no query: send {\"image\": \"<base64 PNG or JPEG>\"} or {\"vector\": [<embedding values>]}");
        }
        Options options = search.options(request.k() != null ? request.k() : queryK,
                request.minScore() != null ? request.minScore() : queryMinScore,
                request.exact() != null ? request.exact() : queryExact);
        ServedModel model = search.model(Params.version(version));
        if (request.image() != null) {
            return search.byImage(model, RequestImages.fromBase64("image", request.image()), options)
                    .thenApply(SearchResource::toResponse);
        }
        return CompletableFuture.completedFuture(toResponse(search.byVector(model, vector(request.vector()), options)));
    }

    private static float[] vector(List<Float> values) {
        float[] v = new float[values.size()];
        for (int i = 0; i < v.length; i++) {
            Float value = values.get(i);
            if (value == null) {
                throw new IllegalArgumentException("vector[" + i + "] is null; every value must be a finite number");
            }
            v[i] = value;
        }
        return v;
    }

    private static SearchResponse toResponse(Result r) {
        List<Neighbour> neighbours = r.neighbours().stream()
                .map(h -> new Neighbour(h.id(), h.label(), h.split(), h.score())).toList();
        return new SearchResponse(r.model().name(), r.model().version(), r.exact(), neighbours);
    }
}
