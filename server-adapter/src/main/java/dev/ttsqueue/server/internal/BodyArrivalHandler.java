package dev.ttsqueue.server.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.MimeTypes;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Waits for a request's whole body before the application sees the request, without holding a
 * thread meanwhile: Jersey reads bodies with blocking calls, so a client that sends headers and
 * then a trickle, or nothing, would otherwise keep a request thread for as long as the idle
 * timeout, and a few hundred such clients would leave none for anyone else. Bodies are read as
 * their bytes arrive (Jetty calls back when there are some), kept in memory while small and in a
 * spool file once large ({@link BodySpool}), and then handed to the application as the request's
 * content.
 *
 * <p>What a body may be is checked here, before and while it arrives: its size (a multipart
 * upload may use {@link BodyLimits#maxUploadBytes()}, any other body the smaller
 * {@link BodyLimits#maxOtherBytes()}; 413), its pace (408 once it falls behind the minimum rate
 * after its credit, as Apache's {@code mod_reqtimeout} counts it), its end (a body cut short by
 * the client is 400, logged at DEBUG only: it is the client's doing) and the disk it may take
 * while it waits (503 with {@code Retry-After} when the spool budget is spent). When the server
 * stops, bodies still arriving are answered 503 at once: their requests never started.
 */
public final class BodyArrivalHandler extends Handler.Wrapper {
    private final BodyLimits limits;
    private final BodySpool spool;
    private final ShutdownHooks shutdown;
    private final CorsFilter cors;
    private final AtomicLong arriving = new AtomicLong();

    /**
     * @param spoolDir where bodies too large for memory wait for their last byte
     * @param shutdown where pending bodies register their 503 for when the server stops
     * @param cors adds CORS headers to the answers given here, so a browser sees them; null for none
     */
    public BodyArrivalHandler(Handler next, BodyLimits limits, Path spoolDir, ShutdownHooks shutdown, CorsFilter cors) {
        super(next);
        this.limits = Objects.requireNonNull(limits, "limits");
        this.spool = new BodySpool(spoolDir, limits);
        this.shutdown = Objects.requireNonNull(shutdown, "shutdown");
        this.cors = cors;
    }

    /** Request bodies still arriving, none of which holds a thread. */
    public long bodiesArriving() {
        return arriving.get();
    }

    /** Bytes of bodies held in memory and on disk right now, across requests. */
    public long bytesHeld() {
        return spool.bytesHeld();
    }

    /**
     * A body declared too large, up to this size, is read and dropped before the 413 so that the
     * client reads the answer on a connection that stays usable; a larger one is not read at all.
     */
    static final long DRAIN_LIMIT = 8L << 20;

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        long declared = request.getLength();
        boolean chunked = request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING);
        if (declared == 0 || (declared < 0 && !chunked)) {
            return super.handle(request, response, callback); // no body: nothing to wait for
        }
        long max = limits.maxBytesFor(request.getHeaders().get(HttpHeader.CONTENT_TYPE));
        if (declared > max) {
            String detail = UploadTooLargeException.message(max);
            if (declared <= DRAIN_LIMIT) {
                // Read and dropped first, never stored: answering while the client still sends the
                // body and then closing could reset the connection before the client read the 413.
                Content.Source.consumeAll(request, Callback.from(
                        () -> answer(request, response, callback, HttpStatus.PAYLOAD_TOO_LARGE_413, detail, 0, false),
                        failure -> answer(request, response, callback, HttpStatus.PAYLOAD_TOO_LARGE_413, detail, 0)));
            } else {
                answer(request, response, callback, HttpStatus.PAYLOAD_TOO_LARGE_413, detail, 0);
            }
            return true;
        }
        new BodyArrival(this, request, response, callback, max).start();
        return true;
    }

    void arrivals(long delta) {
        arriving.addAndGet(delta);
    }

    BodySpool spool() {
        return spool;
    }

    BodyLimits limits() {
        return limits;
    }

    ShutdownHooks shutdown() {
        return shutdown;
    }

    /** The whole body is here: the application gets the request, reading its content from {@code body}. */
    void dispatch(Request request, Response response, Callback callback, BodySpool.Body body, Content.Source content) {
        Request withBody = new BufferedRequest(request, content, body.length());
        Callback cleanUp = Callback.from(callback, body::close);
        try {
            if (!super.handle(withBody, response, cleanUp)) {
                Response.writeError(withBody, response, cleanUp, HttpStatus.NOT_FOUND_404);
            }
        } catch (Throwable t) {
            Response.writeError(withBody, response, cleanUp, t);
        }
    }

    /**
     * A JSON {@code {"detail": ...}} answer from here, with the CORS headers the application would
     * have added ({@code Retry-After} too when {@code retryAfterSeconds} is positive), and
     * {@code Connection: close}: what is left of the body is not read.
     */
    void answer(Request request, Response response, Callback callback, int status, String detail, long retryAfterSeconds) {
        answer(request, response, callback, status, detail, retryAfterSeconds, true);
    }

    private void answer(Request request, Response response, Callback callback, int status, String detail, long retryAfterSeconds,
            boolean close) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, MimeTypes.Type.APPLICATION_JSON.asString());
        if (close) {
            // The rest of the body will not be read: the client must not send its next request on this
            // connection, which closes once the answer is out (it would find it gone, with no answer).
            response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
        }
        if (retryAfterSeconds > 0) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString(retryAfterSeconds));
        }
        if (cors != null) {
            cors.headersFor(request.getHeaders().get(HttpHeader.ORIGIN)).forEach(response.getHeaders()::put);
        }
        String json = "{\"detail\":\"" + detail.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
        response.write(true, ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)), callback);
    }

    /** The request as the application sees it: the same, but its content comes from the body that arrived. */
    private static final class BufferedRequest extends Request.Wrapper {
        private final Content.Source content;
        private final long length;

        BufferedRequest(Request request, Content.Source content, long length) {
            super(request);
            this.content = content;
            this.length = length;
        }

        @Override
        public long getLength() {
            return length;
        }

        @Override
        public Content.Chunk read() {
            return content.read();
        }

        @Override
        public void demand(Runnable demandCallback) {
            content.demand(demandCallback);
        }

        @Override
        public void fail(Throwable failure) {
            content.fail(failure);
        }

        @Override
        public boolean consumeAvailable() {
            for (Content.Chunk c = content.read(); c != null; c = content.read()) {
                c.release();
                if (c.isLast()) {
                    return true;
                }
            }
            return true;
        }
    }
}
