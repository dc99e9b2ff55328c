package dev.ttsqueue.server.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.MimeTypes;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses with 403 the requests that a page on a foreign origin made a browser send to change
 * something ({@link OriginPolicy#refusal}), before any of their body is stored: it stands in
 * front of {@link BodyArrivalHandler}, so a cross-site form post is neither spooled nor seen by the
 * application. A body up to {@link #DRAIN_LIMIT} is read and dropped before the answer, so the
 * client gets it over a connection that stays usable; a larger one is not read at all and the
 * connection closes after the answer. CORS alone cannot stop these: a browser sends a form post, or a {@code fetch}
 * that needs no preflight, whatever the server answers, and only hides the answer from the page.
 */
public final class OriginCheckHandler extends Handler.Wrapper {
    private static final Logger log = LoggerFactory.getLogger(OriginCheckHandler.class);

    /** Refused bodies up to this size are read and dropped so the connection stays usable. */
    static final long DRAIN_LIMIT = 1L << 20;

    private final OriginPolicy policy;

    public OriginCheckHandler(Handler next, OriginPolicy policy) {
        super(next);
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    private static void refuse(Response response, Callback callback, String json, boolean close) {
        response.setStatus(HttpStatus.FORBIDDEN_403);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, MimeTypes.Type.APPLICATION_JSON.asString());
        response.getHeaders().put(HttpHeader.VARY, HttpHeader.ORIGIN.asString());
        if (close) {
            response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
        }
        response.write(true, ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)), callback);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        Optional<String> refusal = policy.refusal(request.getMethod(), request.getHeaders().get(HttpHeader.ORIGIN),
                request.getHeaders().get(HttpHeader.HOST), request.getHeaders().get("Sec-Fetch-Site"));
        if (refusal.isEmpty()) {
            return super.handle(request, response, callback);
        }
        log.debug("refused {} {} from Origin {}: {}", request.getMethod(), request.getHttpURI().getPath(),
                request.getHeaders().get(HttpHeader.ORIGIN), refusal.get());
        String json = "{\"detail\":\"" + refusal.get().replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
        long declared = request.getLength();
        if (declared > 0 && declared <= DRAIN_LIMIT) {
            // A small body is read and dropped first, never stored: answering while the client still
            // sends it and then closing would reset the connection under the client, which would
            // then see no answer at all.
            Content.Source.consumeAll(request, Callback.from(() -> refuse(response, callback, json, false),
                    failure -> refuse(response, callback, json, true)));
        } else {
            // A large or chunked body is left unread: the connection ends with this answer.
            refuse(response, callback, json, declared > 0 || request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING));
        }
        return true;
    }
}
