package org.supcon.trainer.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.core.Context;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestStreamElementType;
import org.supcon.trainer.report.RunReport;
import org.supcon.trainer.settings.InvalidSettingsException;
import org.supcon.trainer.pipeline.RunConflictException;
import org.supcon.trainer.settings.RunSettings;
import org.supcon.trainer.pipeline.RunStatus;
import org.supcon.trainer.service.TrainingRunService;

/** {@code /training-runs}: start, watch, cancel training runs and read their reports. */
@Path("/training-runs")
@Tag(name = "training runs")
@Produces(MediaType.APPLICATION_JSON)
public class TrainingRunResource {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final TrainingRunService runs;

    public TrainingRunResource(TrainingRunService runs) {
        this.runs = runs;
    }

    @POST
    @Blocking
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Start a training run over a snapshot of the dataset cache",
            description = "Any of the run settings, as the train options in camelCase (method, encoder, epochs, batchSize,"
                    + " learningRate, ...: every component of RunSettings, listed in the README); missing ones come from"
                    + " trainer.runs.*. An unknown field or a bad value is a 400 naming the field.")
    @RequestBody(description = "run settings, e.g. {\"epochs\": 1, \"batchSize\": 128}; may be empty")
    @APIResponse(responseCode = "202", description = "accepted; Location names the run")
    @APIResponse(responseCode = "400", description = "a setting is invalid or unknown: {\"error\": \"<field>: ...\", \"field\": \"<field>\"}")
    @APIResponse(responseCode = "409", description = "a run of this model is active: {\"error\": ..., \"activeRun\": \"<id>\"}")
    public Response start(String body, @Context UriInfo uri) {
        RunSettings settings;
        try {
            JsonNode node = body == null || body.isBlank() ? null : JSON.readTree(body);
            settings = runs.settings(node);
        } catch (JsonProcessingException e) {
            return error(400, Map.of("error", "the body is not valid JSON: " + e.getOriginalMessage()));
        } catch (InvalidSettingsException e) {
            return error(400, e.field() == null ? Map.of("error", e.getMessage()) : Map.of("error", e.getMessage(), "field", e.field()));
        }
        try {
            RunStatus s = runs.start(settings);
            return Response.accepted(s).location(uri.getAbsolutePathBuilder().path(s.id()).build()).build();
        } catch (RunConflictException e) {
            return error(409, Map.of("error", e.getMessage(), "activeRun", e.activeId()));
        }
    }

    @GET
    @Operation(summary = "All training runs, oldest first")
    public List<RunStatus> list() {
        return runs.list();
    }

    @GET
    @Path("{id}")
    @Operation(summary = "A run's state, progress, metrics, gate decision and published version")
    @APIResponse(responseCode = "404", description = "no such run")
    public Response get(@PathParam("id") String id) {
        return runs.get(id).map(s -> Response.ok(s).build()).orElseGet(() -> notFound(id));
    }

    @DELETE
    @Path("{id}")
    @Operation(summary = "Cancel a run: it stops at its next training step and ends CANCELLED")
    @APIResponse(responseCode = "202", description = "cancel requested (or the run had already ended); the body is its status")
    @APIResponse(responseCode = "404", description = "no such run")
    public Response cancel(@PathParam("id") String id) {
        return runs.cancel(id).map(s -> Response.accepted(s).build()).orElseGet(() -> notFound(id));
    }

    @GET
    @Path("{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @Operation(summary = "The run's status as server-sent events until it ends")
    public Multi<RunStatus> events(@PathParam("id") String id) {
        return Multi.createFrom().emitter(em -> {
            var unsubscribe = runs.subscribe(id, s -> {
                em.emit(s);
                if (!s.state().active()) {
                    em.complete();
                }
            });
            if (unsubscribe.isEmpty()) {
                em.fail(new jakarta.ws.rs.NotFoundException("no training run " + id));
                return;
            }
            em.onTermination(unsubscribe.get());
        });
    }

    @GET
    @Path("{id}/report")
    @Produces(MediaType.TEXT_HTML)
    @Operation(summary = "The run's report (HTML with embedded PNGs): loss and accuracy per epoch, confusion matrix, embedding projection")
    @APIResponse(responseCode = "404", description = "no such run, or it has no report yet (it is written after the evaluation)")
    public Response report(@PathParam("id") String id) throws IOException {
        if (runs.get(id).isEmpty()) {
            return notFound(id);
        }
        java.nio.file.Path file = runs.directory(id).resolve(RunReport.HTML);
        if (!Files.isRegularFile(file)) {
            return error(404, Map.of("error", "training run " + id + " has no report yet"));
        }
        return Response.ok(Files.readString(file), MediaType.TEXT_HTML_TYPE).build();
    }

    private static Response notFound(String id) {
        return error(404, Map.of("error", "no training run " + id));
    }

    private static Response error(int status, Map<String, String> body) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
    }
}
