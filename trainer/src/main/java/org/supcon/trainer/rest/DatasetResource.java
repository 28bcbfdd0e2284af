package org.supcon.trainer.rest;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.supcon.trainer.service.DatasetService;
import org.supcon.trainer.service.DatasetStatus;
import org.supcon.trainer.service.LabelIssuesPage;
import org.supcon.trainer.service.LabelIssuesService;

/**
 * {@code GET /dataset}: the dataset cache built from the labeled-images topic, and its consumer;
 * {@code GET /dataset/label-issues}: the samples the latest model suspects of being mislabeled.
 */
@Path("/dataset")
@Tag(name = "dataset", description = "The dataset built from the labeled-images topic")
public class DatasetResource {

    private final DatasetService service;
    private final LabelIssuesService labelIssues;

    public DatasetResource(DatasetService service, LabelIssuesService labelIssues) {
        this.service = service;
        this.labelIssues = labelIssues;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Dataset cache and consumer status",
            description = "Samples (unique ids) in total and per label, records sent to the dead-letter topic (total and per"
                    + " reason, counted once each across restarts), bytes on disk, the next offset per partition and the"
                    + " consumer's lag, state and last error.")
    @APIResponse(responseCode = "200", description = "The dataset's status",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = DatasetStatus.class)))
    public DatasetStatus get() {
        return service.status();
    }

    @GET
    @Path("label-issues")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Suspected mislabels, highest confidence first",
            description = "The samples whose nearest neighbours in the embedding space of the latest published version of"
                    + " the trainer's model vote for another label (that version's label-issues.json), paged, with the"
                    + " given and suggested label, the confidence, the votes and the neighbours' ids. currentLabel is the"
                    + " label the dataset cache holds for the id now (null if the id is gone), so a relabel shows up at"
                    + " once. To fix a suspect, send a LabeledImage with the same id and the right label to the"
                    + " labeled-images topic; the next run trains with it.")
    @Parameter(name = "offset", description = "suspects to skip, >= 0", schema = @Schema(defaultValue = "0", minimum = "0"))
    @Parameter(name = "limit", description = "the most suspects to return, 1.." + LabelIssuesService.MAX_LIMIT,
            schema = @Schema(defaultValue = "50", minimum = "1", maximum = "" + LabelIssuesService.MAX_LIMIT))
    @APIResponse(responseCode = "200", description = "A page of the suspects",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = LabelIssuesPage.class)))
    @APIResponse(responseCode = "400", description = "offset or limit is not a number or out of range:"
            + " {\"error\": \"<parameter>: ...\", \"parameter\": \"<parameter>\", \"value\": \"<value>\"}")
    @APIResponse(responseCode = "404", description = "the model has no published version yet, or its latest version has no"
            + " label-issues.json: {\"error\": ...}")
    public Response labelIssues(@QueryParam("offset") String offset, @QueryParam("limit") String limit) throws IOException {
        // taken as text: JAX-RS would answer a number that does not parse with a 404
        int from;
        int size;
        try {
            from = parameter("offset", offset, 0, 0, Integer.MAX_VALUE);
            size = parameter("limit", limit, 50, 1, LabelIssuesService.MAX_LIMIT);
        } catch (BadParameter e) {
            return json(400, Map.of("error", e.getMessage(), "parameter", e.name, "value", e.value));
        }
        try {
            return Response.ok(labelIssues.page(from, size)).build();
        } catch (LabelIssuesService.NotFoundException e) {
            return json(404, Map.of("error", e.getMessage()));
        }
    }

    /** A query parameter that does not parse or is out of range. */
    private static final class BadParameter extends Exception {
        final String name;
        final String value;

        BadParameter(String name, String value, String problem) {
            super(name + ": " + problem + ", got '" + value + "'");
            this.name = name;
            this.value = value;
        }
    }

    private static int parameter(String name, String value, int absent, int min, int max) throws BadParameter {
        if (value == null) {
            return absent;
        }
        String range = max == Integer.MAX_VALUE ? "an integer >= " + min : "an integer in " + min + ".." + max;
        try {
            int n = Integer.parseInt(value.strip());
            if (n < min || n > max) {
                throw new BadParameter(name, value, "must be " + range);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new BadParameter(name, value, "must be " + range);
        }
    }

    private static Response json(int status, Map<String, String> body) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
    }
}
