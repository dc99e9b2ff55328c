package dev.ttsqueue.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.JobRequest;
import dev.ttsqueue.server.internal.SseEventWrites;
import dev.ttsqueue.testing.SyntheticBackend;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each server-sent event reaches the connection in one write, so on the wire it is one HTTP
 * chunk, not one chunk per field; and the buffer that makes it so passes every byte on, in order,
 * and stays bounded.
 */
class SseEventWritesTest {
    @TempDir
    Path dir;
    TestServer s;

    @AfterEach
    void stop() {
        if (s != null) {
            s.close();
        }
    }

    @Test
    void everyEventOfAJobStreamIsOneChunk() throws Exception {
        SyntheticBackend gated = SyntheticBackend.builder().steps(3).gated().build();
        s = TestServer.builder(dir).backend(gated).queue(q -> q.workers(1)).start();
        String id = s.queue.submit(JobRequest.ttsGenerate(s.upload(), "one chunk per event")).id();
        try (Socket socket = new Socket("127.0.0.1", s.server.port())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /jobs/" + id + "/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            ChunkReader in = new ChunkReader(socket.getInputStream());
            assertTrue(in.head().startsWith("HTTP/1.1 200"), in.head());
            assertTrue(in.head().toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked"), in.head());

            String first = in.next(); // the job as it stands: waiting for its first step, or queued
            assertTrue(first.startsWith("event: "), first);
            gated.releaseAll();
            List<String> chunks = new ArrayList<>(List.of(first));
            for (String c = in.next(); c != null; c = in.next()) {
                chunks.add(c);
            }
            List<String> names = new ArrayList<>();
            for (String c : chunks) {
                if (c.startsWith(":")) {
                    assertEquals(": keep-alive\n\n", c, "a comment is one chunk too");
                    continue;
                }
                // One whole event per chunk: it starts with its name and ends with the blank line.
                assertTrue(c.startsWith("event: "), () -> "a chunk that is not one event: " + c);
                assertTrue(c.endsWith("\n\n"), () -> "a chunk that does not end an event: " + c);
                assertEquals(1, c.split("\n\n", -1).length - 1, () -> "more than one event in a chunk: " + c);
                assertTrue(c.contains("\nid: ") && c.contains("\ndata: {"), c);
                names.add(c.substring(7, c.indexOf('\n')));
            }
            assertEquals("completed", names.get(names.size() - 1), names::toString);
            assertTrue(names.contains("started") || names.get(0).equals("progress"), names::toString);
        }
    }

    @Test
    void theQueueStreamsOpeningCommentIsOneChunk() throws Exception {
        s = TestServer.builder(dir).start();
        String ref = s.upload();
        try (Socket socket = new Socket("127.0.0.1", s.server.port())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write("GET /jobs/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            ChunkReader in = new ChunkReader(socket.getInputStream());
            assertTrue(in.head().startsWith("HTTP/1.1 200"), in.head());
            assertEquals(": queue events\n\n", in.next());
            String id = s.queue.submit(JobRequest.ttsGenerate(ref, "seen by the queue stream")).id();
            String queued = in.next();
            while (queued.equals(": keep-alive\n\n")) {
                queued = in.next();
            }
            assertTrue(queued.startsWith("event: queued\nid: ") && queued.endsWith("\n\n") && queued.contains(id), queued);
        }
    }

    @Test
    void theBufferWritesOnceAFlushAndPassesEveryByteOn() throws IOException {
        RecordingStream sink = new RecordingStream();
        SseEventWrites.EventBuffer buffer = new SseEventWrites.EventBuffer(sink);
        buffer.write("event: ".getBytes(StandardCharsets.US_ASCII));
        buffer.write('x');
        buffer.write("\ndata: ".getBytes(StandardCharsets.US_ASCII), 0, 7);
        byte[] big = new byte[3000]; // past the first buffer's size: it grows
        new Random(7).nextBytes(big);
        buffer.write(big);
        buffer.write('\n');
        assertEquals(0, sink.writes, "nothing goes out before the flush");
        buffer.flush();
        assertEquals(1, sink.writes, "one write for the whole event");
        assertEquals(1, sink.flushes);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.write("event: x\ndata: ".getBytes(StandardCharsets.US_ASCII));
        expected.write(big);
        expected.write('\n');
        assertArrayEquals(expected.toByteArray(), sink.bytes.toByteArray());

        buffer.flush();
        assertEquals(1, sink.writes, "an empty flush writes nothing");
        byte[] large = new byte[40_000]; // a long text's status: still one write, however it arrives
        new Random(9).nextBytes(large);
        for (int i = 0; i < large.length; i += 1000) {
            buffer.write(large, i, 1000);
        }
        buffer.flush();
        assertEquals(2, sink.writes, "one write for the large event too");
        byte[] all = sink.bytes.toByteArray();
        assertArrayEquals(large, java.util.Arrays.copyOfRange(all, all.length - large.length, all.length));
        buffer.write('y');
        buffer.close();
        assertEquals(3, sink.writes, "close writes what is left");
        assertTrue(sink.closed);
    }

    @Test
    void theBufferStaysBoundedWhateverIsWritten() throws IOException {
        RecordingStream sink = new RecordingStream();
        SseEventWrites.EventBuffer buffer = new SseEventWrites.EventBuffer(sink);
        byte[] huge = new byte[SseEventWrites.EventBuffer.MAX_BYTES * 3 + 17];
        new Random(11).nextBytes(huge);
        buffer.write(huge, 0, 100);
        buffer.write(huge, 100, huge.length - 100); // more than the bound: goes on without being held
        assertTrue(sink.bytes.size() >= huge.length - SseEventWrites.EventBuffer.MAX_BYTES, "at most the bound is held back");
        for (int i = 0; i < 2 * SseEventWrites.EventBuffer.MAX_BYTES; i++) {
            buffer.write(i); // byte by byte, past the bound
        }
        buffer.flush();
        byte[] all = sink.bytes.toByteArray();
        assertEquals(huge.length + 2 * SseEventWrites.EventBuffer.MAX_BYTES, all.length);
        assertArrayEquals(huge, java.util.Arrays.copyOf(all, huge.length));
        for (int i = 0; i < 2 * SseEventWrites.EventBuffer.MAX_BYTES; i++) {
            assertEquals((byte) i, all[huge.length + i]);
        }
    }

    /** Counts the writes and flushes that reach it. */
    private static final class RecordingStream extends OutputStream {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int writes;
        int flushes;
        boolean closed;

        @Override
        public void write(int b) {
            writes++;
            bytes.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            writes++;
            bytes.write(b, off, len);
        }

        @Override
        public void flush() {
            flushes++;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /** An HTTP/1.1 answer read off the socket as it is framed: its head, then chunk by chunk. */
    private static final class ChunkReader {
        private final InputStream in;
        private final String head;
        private boolean afterChunk;

        ChunkReader(InputStream raw) throws IOException {
            in = new BufferedInputStream(raw);
            StringBuilder h = new StringBuilder();
            for (String line = line(); !line.isEmpty(); line = line()) {
                h.append(line).append('\n');
            }
            head = h.toString();
        }

        String head() {
            return head;
        }

        /** The next chunk's text, or null after the last (empty) chunk. */
        String next() throws IOException {
            if (afterChunk) {
                // The CRLF that ends a chunk's data: Jetty sends it with the next chunk's size.
                assertEquals("", line(), "a chunk's data ends with CRLF");
            }
            String size = line();
            int n = Integer.parseInt(size.contains(";") ? size.substring(0, size.indexOf(';')) : size.trim(), 16);
            if (n == 0) {
                line();
                return null;
            }
            byte[] data = in.readNBytes(n);
            assertEquals(n, data.length, "a whole chunk");
            afterChunk = true;
            return new String(data, StandardCharsets.UTF_8);
        }

        private String line() throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    throw new IOException("the connection closed mid-line");
                }
                b.write(c);
            }
            String s = b.toString(StandardCharsets.US_ASCII);
            return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
        }
    }
}
