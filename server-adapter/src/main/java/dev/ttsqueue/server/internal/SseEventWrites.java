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
     * Holds no buffer between events, so an idle stream costs nothing here however large its last
     * event was.
     */
    public static final class EventBuffer extends OutputStream {
        public static final int MAX_BYTES = 64 * 1024;
        private static final int INITIAL_BYTES = 1024;
        private final OutputStream out;
        private byte[] buf;
        private int count;

        public EventBuffer(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            if (buf == null || count == buf.length) {
                room(1);
            }
            buf[count++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len >= MAX_BYTES) {
                drain();
                out.write(b, off, len);
                return;
            }
            if (buf == null || len > buf.length - count) {
                room(len);
            }
            System.arraycopy(b, off, buf, count, len);
            count += len;
        }

        /**
         * Makes room for {@code len} (less than the bound) more bytes: grows the buffer up to the
         * bound, or, where that is not enough, drains what it holds first.
         */
        private void room(int len) throws IOException {
            if ((long) count + len > MAX_BYTES) {
                drain();
            }
            long needed = (long) count + len;
            int size = (int) Math.min(MAX_BYTES, Math.max(needed, buf == null ? INITIAL_BYTES : 2L * buf.length));
            buf = buf == null ? new byte[size] : Arrays.copyOf(buf, size);
        }

        /** Writes on what it holds and lets the buffer go. */
        private void drain() throws IOException {
            byte[] held = buf;
            int n = count;
            buf = null;
            count = 0;
            if (n > 0) {
                out.write(held, 0, n);
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
