package org.supcon.trainer.rest;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.supcon.trainer.service.DatasetService;
import org.supcon.trainer.service.DatasetStatus;

/** {@code GET /dataset}: the dataset cache built from the labeled-images topic, and its consumer. */
@Path("/dataset")
@Tag(name = "dataset", description = "The dataset built from the labeled-images topic")
public class DatasetResource {

    private final DatasetService service;

    public DatasetResource(DatasetService service) {
        this.service = service;
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
}
