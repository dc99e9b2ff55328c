package dev.ttsqueue.server.internal;

import java.io.IOException;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request body being read as its bytes arrive ({@link BodyArrivalHandler}). Runs only when
 * Jetty says bytes are there, so no thread waits for a slow client; ends exactly once, either by
 * handing the request on with its whole body or by answering it (too large, too slow, cut short,
 * no room, server stopping).
 */
final class BodyArrival implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(BodyArrival.class);

    private final BodyArrivalHandler handler;
    private final Request request;
    private final Response response;
    private final Callback callback;
    private final long maxBytes;
    private final BodySpool.Body body;
    private ShutdownHooks.Registration onShutdown;
    private long firstByteNanos;
    private boolean ended;

    BodyArrival(BodyArrivalHandler handler, Request request, Response response, Callback callback, long maxBytes) {
        this.handler = handler;
        this.request = request;
        this.response = response;
        this.callback = callback;
        this.maxBytes = maxBytes;
        this.body = handler.spool().newBody();
    }

    void start() {
        handler.arrivals(1);
        onShutdown = handler.shutdown().register(this::serverStopping);
        run();
    }

    /** Reads what has arrived; asks to be called again when more comes. */
    @Override
    public void run() {
        while (true) {
            Content.Chunk chunk = request.read();
            synchronized (this) {
                if (ended) {
                    if (chunk != null) {
                        chunk.release();
                    }
                    return;
                }
                if (chunk == null) {
                    request.demand(this);
                    return;
                }
                try {
                    if (Content.Chunk.isFailure(chunk)) {
                        failed(chunk.getFailure());
                        return;
                    }
                    if (!take(chunk)) {
                        return;
                    }
                    if (chunk.isLast()) {
                        complete();
                        return;
                    }
                } finally {
                    chunk.release();
                }
            }
        }
    }

    /** Adds the chunk's bytes; false when the body was answered instead (too large, too slow, no room). */
    private boolean take(Content.Chunk chunk) {
        int n = chunk.remaining();
        if (n == 0) {
            return true;
        }
        if (body.length() == 0) {
            firstByteNanos = System.nanoTime();
        }
        if (body.length() + n > maxBytes) {
            end(HttpStatus.PAYLOAD_TOO_LARGE_413, UploadTooLargeException.message(maxBytes), 0);
            return false;
        }
        try {
            body.append(chunk.getByteBuffer());
        } catch (BodySpool.FullException e) {
            end(HttpStatus.SERVICE_UNAVAILABLE_503, e.getMessage(), 5);
            return false;
        } catch (IOException e) {
            log.warn("could not keep a request body while it arrived: {}", e.toString());
            end(HttpStatus.SERVICE_UNAVAILABLE_503, "The server could not keep the request body; try again shortly", 5);
            return false;
        }
        double seconds = (System.nanoTime() - firstByteNanos) / 1e9;
        if (handler.limits().tooSlow(body.length(), seconds)) {
            end(HttpStatus.REQUEST_TIMEOUT_408, "Request body arrived too slowly: at least "
                    + handler.limits().minBytesPerSecond() + " bytes per second are required", 0);
            return false;
        }
        return true;
    }

    /**
     * The body did not arrive whole: the client closed its side early, or went silent until the
     * idle timeout. The client's doing, so a DEBUG line at most; it may not even read the answer.
     */
    private void failed(Throwable failure) {
        log.debug("request body of {} {} did not arrive: {}", request.getMethod(), request.getHttpURI().getPath(), failure.toString());
        if (failure instanceof TimeoutException) {
            end(HttpStatus.REQUEST_TIMEOUT_408, "Request body stopped arriving: nothing came for the idle timeout", 0);
        } else {
            end(HttpStatus.BAD_REQUEST_400, "Request body ended before its declared length", 0);
        }
    }

    private void complete() {
        ended = true;
        handler.arrivals(-1);
        onShutdown.close();
        Content.Source content;
        try {
            content = body.source();
        } catch (IOException e) {
            log.warn("could not read back a request body: {}", e.toString());
            body.close();
            handler.answer(request, response, callback, HttpStatus.SERVICE_UNAVAILABLE_503,
                    "The server could not keep the request body; try again shortly", 5);
            return;
        }
        handler.dispatch(request, response, callback, body, content);
    }

    private void serverStopping() {
        synchronized (this) {
            if (ended) {
                return;
            }
            end(HttpStatus.SERVICE_UNAVAILABLE_503, "Server is shutting down", 0);
        }
    }

    /** Answers instead of handing the request on. */
    private void end(int status, String detail, long retryAfterSeconds) {
        ended = true;
        handler.arrivals(-1);
        if (onShutdown != null) {
            onShutdown.close();
        }
        body.close();
        handler.answer(request, response, callback, status, detail, retryAfterSeconds);
    }
}
