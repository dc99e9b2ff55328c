package dev.ttsqueue.server.internal;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.ext.Provider;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * Hands each server-sent event to the connection in one write. Jersey's event writer writes an
 * event field by field ({@code event: }, the name, a newline, {@code id: }, ...: ten writes for one
 * of our events), and on Jetty each write of a streamed answer goes out as a chunk of its own, so
 * one event cost ten chunks, ten socket writes and about 50 bytes of chunk framing. An event
 * stream's answer is written through a buffer instead, which Jersey's flush after each event
 * empties in one write: one chunk per event. Other answers are left as they are.
 */
@Provider
public final class SseEventWrites implements ContainerResponseFilter {

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        MediaType type = response.getMediaType();
        if (type != null && MediaType.SERVER_SENT_EVENTS_TYPE.isCompatible(type)) {
            response.setEntityStream(new EventBuffer(response.getEntityStream()));
        }
    }

    /**
     * Collects what is written until a flush, then writes it on in one piece. Bounded: what would
     * grow it past {@link #MAX_BYTES} is written on at once (an event that large goes out in pieces).
     */
    public static final class EventBuffer extends OutputStream {
        public static final int MAX_BYTES = 64 * 1024;
        private final OutputStream out;
        private byte[] buf = new byte[1024];
        private int count;

        public EventBuffer(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            if (count == buf.length) {
                room(1);
            }
            buf[count++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len > buf.length - count) {
                room(len);
                if (len > buf.length - count) {
                    drain();
                    out.write(b, off, len);
                    return;
                }
            }
            System.arraycopy(b, off, buf, count, len);
            count += len;
        }

        /** Grows the buffer for {@code len} more bytes, up to the bound; past it, drains what it holds. */
        private void room(int len) throws IOException {
            long needed = (long) count + len;
            if (needed <= MAX_BYTES) {
                buf = Arrays.copyOf(buf, (int) Math.min(MAX_BYTES, Math.max(needed, 2L * buf.length)));
            } else {
                drain();
            }
        }

        private void drain() throws IOException {
            if (count > 0) {
                int n = count;
                count = 0;
                out.write(buf, 0, n);
            }
        }

        @Override
        public void flush() throws IOException {
            drain();
            out.flush();
        }

        @Override
        public void close() throws IOException {
            try {
                drain();
            } finally {
                out.close();
            }
        }
    }
}
