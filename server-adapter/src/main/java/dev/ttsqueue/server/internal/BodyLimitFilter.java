package dev.ttsqueue.server.internal;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Caps every request body without buffering it: a declared Content-Length over the limit is
 * refused before a byte is read, and a body without one (chunked) is counted as it streams and
 * stopped with {@link UploadTooLargeException} at the first byte too many. Multipart bodies (they
 * carry audio files, streamed to disk) may use the upload limit; every other body (JSON, URL-encoded
 * forms, which are read whole into memory) gets the smaller {@code maxOtherBytes}.
 */
@PreMatching
@Priority(Priorities.AUTHENTICATION + 100)
public final class BodyLimitFilter implements ContainerRequestFilter {
    /**
     * Seconds of credit a body gets before the minimum rate applies: it must have delivered
     * {@code minRate × (elapsed − grace)} bytes at every read (the rule of Apache's mod_reqtimeout),
     * so small bodies and pauses of a few seconds pass, and a trickle cannot hold a thread for long.
     */
    public static final long RATE_GRACE_SECONDS = 20;

    private final long maxUploadBytes;
    private final long maxOtherBytes;
    private final long minBytesPerSecond;

    public BodyLimitFilter(long maxUploadBytes, long maxOtherBytes, long minBytesPerSecond) {
        this.maxUploadBytes = maxUploadBytes;
        this.maxOtherBytes = Math.min(maxUploadBytes, maxOtherBytes);
        this.minBytesPerSecond = minBytesPerSecond;
    }

    @Override
    public void filter(ContainerRequestContext ctx) {
        MediaType type = ctx.getMediaType();
        long maxBytes = type != null && type.isCompatible(MediaType.MULTIPART_FORM_DATA_TYPE) ? maxUploadBytes : maxOtherBytes;
        String declared = ctx.getHeaderString(HttpHeaders.CONTENT_LENGTH);
        if (declared != null) {
            try {
                if (Long.parseLong(declared.trim()) > maxBytes) {
                    ctx.abortWith(Response.status(413).type(MediaType.APPLICATION_JSON_TYPE)
                            .entity(WireFormat.detail(new UploadTooLargeException(maxBytes).getMessage())).build());
                    return;
                }
            } catch (NumberFormatException ignored) {
                // Jetty refuses malformed lengths before we get here; counting below still applies.
            }
        }
        ctx.setEntityStream(new Counting(ctx.getEntityStream(), maxBytes, minBytesPerSecond));
    }

    private static final class Counting extends FilterInputStream {
        private final long max;
        private final long minRate;
        private long count;
        private long firstByteNanos;

        Counting(InputStream in, long max, long minRate) {
            super(in);
            this.max = max;
            this.minRate = minRate;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                add(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            if (n > 0) {
                add(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            add(skipped);
            return skipped;
        }

        private void add(long n) throws IOException {
            if (count == 0) {
                firstByteNanos = System.nanoTime();
            }
            count += n;
            if (count > max) {
                throw new UploadTooLargeException(max);
            }
            // The grace period is credit, not a window: a body is too slow only when it is behind
            // what the minimum rate would have delivered after the grace, so a burst after a pause
            // still counts in full.
            double seconds = (System.nanoTime() - firstByteNanos) / 1e9;
            if (minRate > 0 && count < minRate * (seconds - RATE_GRACE_SECONDS)) {
                throw new SlowBodyException(minRate);
            }
        }
    }

    /** A body arriving slower than the minimum rate; answered 408. */
    public static final class SlowBodyException extends IOException {
        private static final long serialVersionUID = 1L;

        SlowBodyException(long minRate) {
            super("Request body arrived too slowly: at least " + minRate + " bytes per second are required");
        }
    }
}
