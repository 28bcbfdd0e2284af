package org.supcon.inference.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.concurrent.CompletionException;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.supcon.inference.image.ImageException;
import org.supcon.inference.image.RequestTooLargeException;
import org.supcon.inference.model.ModelUnavailableException;
import org.supcon.inference.model.OverloadedException;
import org.supcon.inference.rest.ApiDtos.ErrorResponse;
import org.supcon.inference.service.VersionNotFoundException;

/**
 * Every failure becomes {@code {"error": "..."}} with a status naming its kind: 400 bad input,
 * 404 unknown version or path, 413 over a limit, 415 wrong media type or image format, 429 queue
 * full, 503 no model loaded, 500 (logged) for anything unexpected. None of them leaves state behind.
 */
public class ErrorMappers {

    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    @ServerExceptionMapper
    public Response image(ImageException e) {
        int status = switch (e.kind()) {
            case UNDECODABLE -> 400;
            case UNSUPPORTED_FORMAT -> 415;
            case TOO_LARGE -> 413;
        };
        return error(status, e.getMessage());
    }

    @ServerExceptionMapper
    public Response tooLarge(RequestTooLargeException e) {
        return error(413, e.getMessage());
    }

    @ServerExceptionMapper
    public Response badArgument(IllegalArgumentException e) {
        return error(400, e.getMessage());
    }

    @ServerExceptionMapper
    public Response notFound(VersionNotFoundException e) {
        return error(404, e.getMessage());
    }

    @ServerExceptionMapper
    public Response unavailable(ModelUnavailableException e) {
        return Response.status(503).header("Retry-After", "5").type(MediaType.APPLICATION_JSON)
                .entity(new ErrorResponse(e.getMessage())).build();
    }

    @ServerExceptionMapper
    public Response overloaded(OverloadedException e) {
        return Response.status(429).header("Retry-After", "1").type(MediaType.APPLICATION_JSON)
                .entity(new ErrorResponse(e.getMessage())).build();
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e) {
        return error(400, "malformed JSON: " + e.getOriginalMessage());
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        String message = switch (status) {
            case 404 -> "no such resource";
            case 405 -> "method not allowed here";
            case 406 -> "this resource answers application/json only";
            case 413 -> "the request body is over the size limit (quarkus.http.limits.max-body-size)";
            case 415 -> "unsupported content type: send multipart/form-data with parts named 'image', image/png, image/jpeg"
                    + " or application/json";
            default -> e.getMessage();
        };
        if (e.getCause() instanceof JsonProcessingException j) {
            return json(j);
        }
        return error(status, message);
    }

    @ServerExceptionMapper
    public Response completion(CompletionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof ImageException i) {
            return image(i);
        }
        if (cause instanceof IllegalArgumentException i) {
            return badArgument(i);
        }
        if (cause instanceof ModelUnavailableException m) {
            return unavailable(m);
        }
        if (cause instanceof OverloadedException o) {
            return overloaded(o);
        }
        return unexpected(cause == null ? e : cause);
    }

    @ServerExceptionMapper
    public Response other(Exception e) {
        return unexpected(e);
    }

    private static Response unexpected(Throwable e) {
        LOG.errorf(e, "request failed");
        return error(500, "internal error: " + e);
    }

    static Response error(int status, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(new ErrorResponse(message)).build();
    }
}
