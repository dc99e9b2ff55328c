package dev.ttsqueue.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.JobEvent;
import dev.ttsqueue.JobRequest;
import dev.ttsqueue.Subscription;
import dev.ttsqueue.server.internal.EventStreams;
import dev.ttsqueue.testing.SyntheticBackend;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Event streams hold no thread while they wait: many streams of queued jobs cost a few writer
 * threads, leave the shared background pool to the synchronous endpoints, and each still gets its
 * events in order; a stream ends and gives back its place (its queue subscription closed first)
 * when its client leaves, when its client takes nothing within the write timeout, and beyond the
 * cap on open streams a new one is 503.
 */
class EventStreamsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String BACKGROUND_THREADS = "ttsq-http-bg-";

    @TempDir
    Path dir;
    TestServer s;

    @AfterEach
    void stop() {
        if (s != null) {
            s.close();
        }
    }

    /** One item of a stream: an event ({@code name}, {@code id}, {@code data}) or a comment. */
    record Item(String name, String id, String data, String comment) {
        boolean isComment() {
            return comment != null;
        }
    }

    /** Reads a stream item by item, comments included. */
    static final class ItemReader implements AutoCloseable {
        private final BufferedReader r;

        ItemReader(InputStream in) {
            r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        }

        /** The next item, or null at the end of the stream. */
        Item next() throws Exception {
            String name = null;
            String id = null;
            StringBuilder data = null;
            String comment = null;
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isEmpty()) {
                    if (data != null || comment != null) {
                        return new Item(name, id, data == null ? null : data.toString(), data == null ? comment : null);
                    }
                } else if (line.startsWith(":")) {
                    comment = line.substring(1).trim();
                } else if (line.startsWith("event:")) {
                    name = line.substring(6).trim();
                } else if (line.startsWith("id:")) {
                    id = line.substring(3).trim();
                } else if (line.startsWith("data:")) {
                    data = (data == null ? new StringBuilder() : data).append(line.substring(5).trim());
                }
            }
            return null;
        }

        /** The next event, skipping comments; null at the end of the stream. */
        Item nextEvent() throws Exception {
            for (Item i = next(); i != null; i = next()) {
                if (!i.isComment()) {
                    return i;
                }
            }
            return null;
        }

        @Override
        public void close() throws java.io.IOException {
            r.close();
        }
    }

    private HttpResponse<InputStream> open(String path) throws Exception {
        return s.http.send(s.request(path).timeout(WAIT).header("Accept", "text/event-stream").GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
    }

    private EventStreams streams() {
        return s.server.eventStreams();
    }

    private static long threads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && t.getName().startsWith(prefix)).count();
    }

    @Test
    void manyStreamsOfQueuedJobsHoldNoThreadsAndEachGetsItsEventsInOrder() throws Exception {
        int jobs = 200;
        SyntheticBackend gated = SyntheticBackend.builder().steps(2).gated().build();
        s = TestServer.builder(dir).backend(gated).queue(q -> q.workers(1)).start();
        String ref = s.upload();
        s.submitAsync(ref, "running", 0);
        assertTrue(gated.awaitStepsEntered(1, 30, TimeUnit.SECONDS));
        List<String> held = new ArrayList<>();
        for (int i = 0; i < jobs; i++) {
            // Below the synchronous job's priority (0): it overtakes them all.
            held.add(s.queue.submit(JobRequest.ttsGenerate(ref, "held " + i).priority(-1)).id());
        }
        long backgroundBefore = threads(BACKGROUND_THREADS);
        long writersBefore = threads(EventStreams.WRITER_THREADS);

        List<ItemReader> readers = new ArrayList<>();
        try {
            for (String id : held) {
                HttpResponse<InputStream> resp = open("/jobs/" + id + "/events");
                assertEquals(200, resp.statusCode());
                ItemReader reader = new ItemReader(resp.body());
                readers.add(reader);
                Item first = reader.nextEvent();
                assertNotNull(first);
                assertEquals("queued", first.name(), first::toString);
                assertEquals("1", first.id());
            }
            assertEquals(jobs, streams().openStreams());
            // Each stream has sent its first event and now waits for the next: no thread waits with it.
            long background = threads(BACKGROUND_THREADS) - backgroundBefore;
            long writers = threads(EventStreams.WRITER_THREADS) - writersBefore;
            assertTrue(background <= 1, background + " more background threads with " + jobs + " streams open");
            assertTrue(writers <= streams().maxWriterThreads(), writers + " writer threads with " + jobs + " streams open");

            // A synchronous request is answered while they are open.
            CountDownLatch syncQueued = new CountDownLatch(1);
            Set<String> known = new HashSet<>(held);
            try (Subscription ignored = s.queue.addListener(e -> {
                if (e.kind() == JobEvent.Kind.QUEUED && !known.contains(e.jobId())) {
                    syncQueued.countDown();
                }
            })) {
                CompletableFuture<HttpResponse<String>> sync = s.http.sendAsync(s.request("/tts-generate").timeout(WAIT)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(TestServer.JSON.writeValueAsString(
                                Map.of("audio_file_id", ref, "text", "synchronous")))).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertTrue(syncQueued.await(30, TimeUnit.SECONDS), "the synchronous job was queued");
                gated.release(2 + 2); // the running job's two steps, then the synchronous job's
                HttpResponse<String> answer = sync.get(30, TimeUnit.SECONDS);
                assertEquals(200, answer.statusCode(), answer::body);
            }
            assertEquals(jobs, streams().openStreams());

            gated.releaseAll();
            for (int i = 0; i < jobs; i++) {
                List<Item> events = new ArrayList<>();
                for (Item e = readers.get(i).nextEvent(); e != null; e = readers.get(i).nextEvent()) {
                    events.add(e);
                }
                List<String> names = events.stream().map(Item::name).toList();
                assertFalse(names.isEmpty(), "job " + i);
                assertEquals("started", names.get(0), names::toString);
                assertEquals("completed", names.get(names.size() - 1), names::toString);
                assertTrue(names.subList(1, names.size() - 1).stream().allMatch("progress"::equals), names::toString);
                long lastId = 1;
                double lastProgress = -1;
                for (Item e : events) {
                    long id = Long.parseLong(e.id());
                    assertEquals(lastId + 1, id, "events are numbered in order: " + events);
                    lastId = id;
                    double progress = TestServer.JSON.readTree(e.data()).get("progress").asDouble();
                    assertTrue(progress >= lastProgress, "progress never goes back: " + events);
                    lastProgress = progress;
                    assertEquals(held.get(i), TestServer.JSON.readTree(e.data()).get("job_id").asText());
                }
            }
        } finally {
            for (ItemReader r : readers) {
                r.close();
            }
        }
        assertTrue(streams().awaitOpenStreams(0, WAIT), () -> streams().openStreams() + " streams still open");
    }

    @Test
    void aClientThatLeavesMidStreamGivesBackItsStream() throws Exception {
        SyntheticBackend gated = SyntheticBackend.builder().gated().build();
        s = TestServer.builder(dir).backend(gated).start();
        // The stream learns that its client left at its next write: a keep-alive, soon.
        streams().heartbeatEvery(Duration.ofMillis(50));
        String job = s.submitAsync(s.upload(), "held", 0);
        assertTrue(gated.awaitStepsEntered(1, 30, TimeUnit.SECONDS));
        for (String[] path : List.of(new String[] {"/jobs/" + job + "/events", "progress"},
                new String[] {"/jobs/events", "queue events"})) {
            try (Socket client = new Socket("127.0.0.1", s.server.port())) {
                client.getOutputStream().write(("GET " + path[0] + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                readUntil(client, path[1], 30_000);
                assertEquals(1, streams().openStreams(), path[0]);
            } // the client leaves without a word
            // Its subscription and shutdown registration are closed before its place is given back.
            assertTrue(streams().awaitOpenStreams(0, WAIT), path[0] + " is still open");
        }
        // The job goes on unbothered, and a new client follows it to its end.
        HttpResponse<InputStream> resp = open("/jobs/" + job + "/events");
        try (ItemReader reader = new ItemReader(resp.body())) {
            assertEquals("progress", reader.nextEvent().name());
            gated.releaseAll();
            Item last = null;
            for (Item e = reader.nextEvent(); e != null; e = reader.nextEvent()) {
                last = e;
            }
            assertNotNull(last);
            assertEquals("completed", last.name());
        }
        assertTrue(streams().awaitOpenStreams(0, WAIT));
    }

    @Test
    void aStreamThatWaitsGetsKeepAlives() throws Exception {
        SyntheticBackend gated = SyntheticBackend.builder().gated().build();
        s = TestServer.builder(dir).backend(gated).start();
        streams().heartbeatEvery(Duration.ofMillis(100));
        String job = s.submitAsync(s.upload(), "held", 0);
        assertTrue(gated.awaitStepsEntered(1, 30, TimeUnit.SECONDS));

        try (ItemReader reader = new ItemReader(open("/jobs/" + job + "/events").body())) {
            assertEquals("progress", reader.next().name());
            Item keepAlive = reader.next();
            assertEquals("keep-alive", keepAlive.comment(), keepAlive::toString);
            assertEquals("keep-alive", reader.next().comment());
        }
        try (ItemReader reader = new ItemReader(open("/jobs/events").body())) {
            assertEquals("queue events", reader.next().comment());
            assertEquals("keep-alive", reader.next().comment());
        }
    }

    /**
     * A client that reads nothing at all has its connection closed once a write to it has waited
     * for the write timeout: its stream ends while it still reads nothing, rather than when it
     * reads again or at the connection's idle timeout. The backlog is made too large to overflow
     * here, so nothing but the write timeout can end the stream.
     */
    @Test
    void aClientThatReadsNothingIsCutOffAfterTheWriteTimeout() throws Exception {
        String text = "x".repeat(30_000); // each completed event carries it
        SyntheticBackend backend = SyntheticBackend.builder().steps(2).secondsPerChar(0.00002).build();
        s = TestServer.builder(dir).backend(backend).eventBacklog(100_000).start();
        streams().writeTimeout(Duration.ofMillis(300));
        String ref = s.upload();

        try (Socket silent = new Socket()) {
            silent.setReceiveBufferSize(4096);
            silent.connect(new InetSocketAddress("127.0.0.1", s.server.port()));
            silent.getOutputStream().write("GET /jobs/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            assertTrue(readUntil(silent, "queue events", 30_000).startsWith("HTTP/1.1 200"));
            assertEquals(1, streams().openStreams());
            // From here on the client reads nothing. Jobs come in waves until its stream has ended:
            // at most 40 waves of 20 jobs, 24 MB of events in all, far more than any socket buffer.
            boolean ended = false;
            for (int wave = 0; wave < 40 && !ended; wave++) {
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    ids.add(s.queue.submit(JobRequest.ttsGenerate(ref, text)).id());
                }
                ids.forEach(s::awaitFinished);
                ended = streams().awaitOpenStreams(0, Duration.ofMillis(1));
            }
            assertTrue(ended || streams().awaitOpenStreams(0, WAIT), "the stream of a client that reads nothing was not ended");
        }
    }

    @Test
    void beyondTheCapANewStreamIs503() throws Exception {
        SyntheticBackend gated = SyntheticBackend.builder().gated().build();
        s = TestServer.builder(dir).backend(gated).start();
        streams().maxStreams(2);
        String job = s.submitAsync(s.upload(), "held", 0);
        assertTrue(gated.awaitStepsEntered(1, 30, TimeUnit.SECONDS));

        List<ItemReader> open = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                HttpResponse<InputStream> resp = open("/jobs/" + job + "/events");
                assertEquals(200, resp.statusCode());
                ItemReader reader = new ItemReader(resp.body());
                open.add(reader);
                assertEquals("progress", reader.nextEvent().name());
            }
            TestServer.Reply third = s.get("/jobs/" + job + "/events");
            assertEquals(503, third.status(), third::toString);
            assertEquals("Too many open event streams; poll /jobs/" + job + "/status instead", third.detail());
            TestServer.Reply queueWide = s.get("/jobs/events");
            assertEquals(503, queueWide.status(), queueWide::toString);
            assertEquals("Too many open event streams; poll /jobs/queue-status instead", queueWide.detail());
            // An unknown job is still 404, before any count.
            assertEquals(404, s.get("/jobs/00000000-0000-0000-0000-000000000000/events").status());
            assertEquals(2, streams().openStreams());

            gated.releaseAll();
            for (ItemReader r : open) {
                Item last = null;
                for (Item e = r.nextEvent(); e != null; e = r.nextEvent()) {
                    last = e;
                }
                assertEquals("completed", last.name());
            }
        } finally {
            for (ItemReader r : open) {
                r.close();
            }
        }
        assertTrue(streams().awaitOpenStreams(0, WAIT));
        // Places given back are taken again.
        try (ItemReader reader = new ItemReader(open("/jobs/" + job + "/events").body())) {
            assertEquals("completed", reader.nextEvent().name());
            assertNull(reader.nextEvent());
        }
    }

    /** Reads until {@code marker} appears; fails if it does not within {@code timeoutMs}. */
    private static String readUntil(Socket socket, String marker, int timeoutMs) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        while (!got.toString(StandardCharsets.UTF_8).contains(marker)) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                throw new AssertionError("no '" + marker + "' within " + timeoutMs + " ms in: " + got.toString(StandardCharsets.UTF_8));
            }
            socket.setSoTimeout((int) left);
            int n;
            try {
                n = in.read(buf);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no '" + marker + "' in: " + got.toString(StandardCharsets.UTF_8), e);
            }
            if (n < 0) {
                throw new AssertionError("connection closed before '" + marker + "' in: " + got.toString(StandardCharsets.UTF_8));
            }
            got.write(buf, 0, n);
        }
        return got.toString(StandardCharsets.UTF_8);
    }
}
