package dev.ttsqueue.server.internal;

import dev.ttsqueue.InvalidRequestException;
import dev.ttsqueue.JobNotCompletedException;
import dev.ttsqueue.JobNotFoundException;
import dev.ttsqueue.QueueClosedException;
import dev.ttsqueue.QueueFullException;
import dev.ttsqueue.ReferenceNotFoundException;
import dev.ttsqueue.ReferenceTextRequiredException;
import dev.ttsqueue.StoreUnavailableException;
import dev.ttsqueue.audio.AudioFormatException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns every exception into a FastAPI-shaped JSON answer. The mapping from the core API's
 * exceptions to status codes lives here and only here; anything unexpected is logged with its
 * stack and answered with a bare 500, so no internals reach a client.
 */
@Provider
public final class ErrorMapper implements ExceptionMapper<Throwable> {
    private static final Logger log = LoggerFactory.getLogger(ErrorMapper.class);
    /** Retry-After of a 503 for an unreachable store: Redis restarts and fail-overs take seconds. */
    static final int STORE_RETRY_SECONDS = 2;

    @Override
    public Response toResponse(Throwable e) {
        UploadTooLargeException tooLarge = find(e, UploadTooLargeException.class);
        if (tooLarge != null) {
            return json(413, WireFormat.detail(tooLarge.getMessage()));
        }
        if (e instanceof FieldErrors.Invalid invalid) {
            return json(422, WireFormat.detail(invalid.errors()));
        }
        if (e instanceof ApiException api) {
            if (api.retryAfterSeconds() > 0) {
                return Response.status(api.status()).type(MediaType.APPLICATION_JSON_TYPE).header("Retry-After", api.retryAfterSeconds())
                        .entity(WireFormat.detail(api.getMessage())).build();
            }
            return json(api.status(), WireFormat.detail(api.getMessage()));
        }
        if (e instanceof ReferenceTextRequiredException) {
            // the library's message says "configure a transcriber"; here that is a server option
            return json(400, WireFormat.detail("Reference text is required: this server's model needs the transcript of"
                    + " the reference audio and the server transcribes nothing. Send ref_text with the request, or start"
                    + " the server with --transcriber-model-dir (a Whisper ONNX export) to have references transcribed"));
        }
        if (e instanceof InvalidRequestException || e instanceof JobNotCompletedException || e instanceof AudioFormatException) {
            return json(400, WireFormat.detail(e.getMessage()));
        }
        if (e instanceof JobNotFoundException) {
            return json(404, WireFormat.detail("Job not found"));
        }
        if (e instanceof ReferenceNotFoundException) {
            return json(404, WireFormat.detail(e.getMessage()));
        }
        if (e instanceof QueueFullException full) {
            long seconds = Math.max(1, (full.retryAfter().toMillis() + 999) / 1000);
            return Response.status(429).type(MediaType.APPLICATION_JSON_TYPE).header("Retry-After", seconds)
                    .entity(WireFormat.detail(full.getMessage())).build();
        }
        if (e instanceof StoreUnavailableException) {
            // The message names the store's address, which is the operator's business, not the client's.
            log.warn("request refused, the store is unavailable: {}", e.getMessage());
            return Response.status(503).type(MediaType.APPLICATION_JSON_TYPE).header("Retry-After", STORE_RETRY_SECONDS)
                    .entity(WireFormat.detail("The job store cannot be reached just now; nothing was changed. Try again shortly")).build();
        }
        if (e instanceof QueueClosedException) {
            return json(503, WireFormat.detail("Server is shutting down"));
        }
        if (e instanceof WebApplicationException wae) {
            return fromJaxRs(wae);
        }
        log.error("request failed", e);
        return json(500, WireFormat.detail("Internal server error"));
    }

    /** Jersey's own errors (no route, wrong method, unparseable body) in FastAPI's words. */
    private static Response fromJaxRs(WebApplicationException wae) {
        int status = wae.getResponse().getStatus();
        String detail = switch (status) {
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 406 -> "Not Acceptable";
            case 415 -> "Unsupported Media Type";
            // Our byte limits answer above with their own message; Jersey's 413 is the multipart parts limit.
            case 413 -> "Too many parts in the form: at most " + dev.ttsqueue.server.TtsServer.MAX_FORM_PARTS + " are accepted";
            case 400 -> "There was an error parsing the body";
            default -> {
                Response.StatusType info = wae.getResponse().getStatusInfo();
                yield info == null || info.getReasonPhrase() == null ? "Error" : info.getReasonPhrase();
            }
        };
        if (status >= 500) {
            log.error("request failed", wae);
            detail = "Internal server error";
        }
        Response.ResponseBuilder b = Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(WireFormat.detail(detail));
        Object allow = wae.getResponse().getHeaders().getFirst("Allow");
        if (allow != null) {
            b.header("Allow", allow);
        }
        return b.build();
    }

    private static Response json(int status, Object body) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
    }

    private static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
