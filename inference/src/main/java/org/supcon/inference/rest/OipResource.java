package org.supcon.inference.rest;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.supcon.inference.model.ServedModel;
import org.supcon.inference.oip.JsonInferRequest;
import org.supcon.inference.oip.ImagesInput;
import org.supcon.inference.oip.ModelContract;
import org.supcon.inference.oip.OipException;
import org.supcon.inference.oip.TensorDecoder;
import org.supcon.inference.service.OipService;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * KServe Open Inference Protocol v2 over HTTP/REST: health, server and model metadata, model
 * ready and infer, for the newest version and for {@code versions/{v}}. Refusals are
 * {@code {"error": "..."}} with 400 (bad request, a version that is not a number), 404 (unknown model or version), 413 (batch
 * over the limit), 429 (queue full), 503 (no model loaded). Health answers have empty bodies
 * (spec): 200 for true, 503 while no model is loaded, 404 for an unknown model or version.
 */
@Path("/v2")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Open Inference Protocol v2")
public class OipResource {

    private static final Logger LOG = Logger.getLogger(OipResource.class);

    private final OipService oip;
    private final ObjectMapper mapper;

    public OipResource(OipService oip, ObjectMapper mapper) {
        this.oip = oip;
        this.mapper = mapper;
    }

    /** {@code $metadata_server_response}. */
    public record ServerMetadata(String name, String version, List<String> extensions) {
    }

    /** {@code $metadata_model_response}. */
    public record ModelMetadata(String name, List<String> versions, String platform,
            List<ModelContract.TensorMetadata> inputs, List<ModelContract.TensorMetadata> outputs) {
    }

    /** {@code $response_output}. */
    public record Output(String name, String datatype, long[] shape, float[] data) {
    }

    /** {@code $inference_response}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record InferResponse(@JsonProperty("model_name") String modelName,
            @JsonProperty("model_version") String modelVersion, String id, List<Output> outputs) {
    }

    @GET
    public ServerMetadata server() {
        return new ServerMetadata(OipService.SERVER_NAME, oip.serverVersion(), List.of());
    }

    @GET
    @Path("health/live")
    public Response live() {
        return Response.ok().build();
    }

    @GET
    @Path("health/ready")
    public Response ready() {
        return Response.status(oip.ready() ? 200 : 503).build();
    }

    @GET
    @Path("models/{name}")
    public ModelMetadata metadata(@PathParam("name") String name) {
        return metadata(oip.model(name, ""));
    }

    @GET
    @Path("models/{name}/versions/{version}")
    public ModelMetadata metadata(@PathParam("name") String name, @PathParam("version") String version) {
        return metadata(oip.model(name, checked(version)));
    }

    @GET
    @Path("models/{name}/ready")
    public Response modelReady(@PathParam("name") String name) {
        return modelReady(name, "");
    }

    @GET
    @Path("models/{name}/versions/{version}/ready")
    public Response modelReady(@PathParam("name") String name, @PathParam("version") String version) {
        try {
            oip.model(name, checked(version));
            return Response.ok().build();
        } catch (OipException e) {
            return Response.status(e.kind().httpStatus).build();
        }
    }

    @POST
    @Path("models/{name}/infer")
    @Consumes(MediaType.WILDCARD)
    public CompletionStage<Response> infer(@PathParam("name") String name, byte[] body) {
        return infer(name, "", body);
    }

    @POST
    @Path("models/{name}/versions/{version}/infer")
    @Consumes(MediaType.WILDCARD)
    public CompletionStage<Response> infer(@PathParam("name") String name, @PathParam("version") String version,
            byte[] body) {
        checked(version);
        JsonInferRequest request;
        try {
            request = JsonInferRequest.parse(mapper, body);
            ImagesInput.checkInputCount(request.inputs().size());
        } catch (OipException e) {
            return CompletableFuture.completedFuture(error(e));
        }
        JsonInferRequest.Input input = request.inputs().get(0);
        return oip.infer(name, version, input.name(), input.datatype(), input.shape(),
                in -> TensorDecoder.json(in, input.shape(), input.data()), request.outputs())
                .handle((answer, failure) -> {
                    if (failure != null) {
                        return error(OipService.unwrap(failure));
                    }
                    List<Output> outputs = answer.outputs().stream()
                            .map(o -> new Output(o.name(), o.datatype(), o.shape(), o.data())).toList();
                    return Response.ok(new InferResponse(answer.model().name(), Long.toString(answer.model().version()),
                            request.id(), outputs)).build();
                });
    }

    /** A {@code versions/{version}} path segment that is not a number is a 400 naming it (empty: the newest). */
    private static String checked(String version) {
        if (!version.isEmpty()) {
            Params.longValue(Params.Kind.PATH, "version", version);
        }
        return version;
    }

    @ServerExceptionMapper
    public Response refused(OipException e) {
        return error(e);
    }

    private static Response error(Throwable e) {
        if (e instanceof OipException oip) {
            return Response.status(oip.kind().httpStatus).type(MediaType.APPLICATION_JSON)
                    .entity(Map.of("error", oip.getMessage())).build();
        }
        LOG.error("OIP inference failed", e);
        return Response.serverError().type(MediaType.APPLICATION_JSON).entity(Map.of("error", "internal error: " + e)).build();
    }

    private ModelMetadata metadata(ServedModel model) {
        return new ModelMetadata(model.name(), oip.versions(), ModelContract.PLATFORM,
                ModelContract.inputs(model), ModelContract.outputs(model));
    }
}
