package dev.ttsqueue.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.JobRequest;
import dev.ttsqueue.JobStatus;
import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.server.JobEventsTest.Event;
import dev.ttsqueue.server.JobEventsTest.EventReader;
import dev.ttsqueue.spi.AudioKind;
import dev.ttsqueue.testing.SyntheticBackend;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /jobs/events}: every job's events on one stream. */
class QueueEventsTest {
    @TempDir
    Path dir;
    TestServer s;

    @AfterEach
    void stop() {
        if (s != null) {
            s.close();
        }
    }

    private HttpResponse<InputStream> open(String query, String key) throws Exception {
        var request = s.request("/jobs/events" + query).timeout(Duration.ofMinutes(2)).header("Accept", "text/event-stream");
        if (key != null) {
            request.header("X-API-Key", key);
        }
        return s.http.send(request.GET().build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    /** Reads events until every job in {@code jobs} had its terminal event; events by job id. */
    private static Map<String, List<Event>> readUntilFinished(EventReader reader, Set<String> jobs) throws Exception {
        Map<String, List<Event>> byJob = new LinkedHashMap<>();
        Set<String> open = new HashSet<>(jobs);
        while (!open.isEmpty()) {
            Event e = reader.next();
            if (e == null) {
                throw new AssertionError("the stream ended; still waiting for " + open + ", got " + byJob);
            }
            String id = e.data().get("job_id").asText();
            byJob.computeIfAbsent(id, k -> new ArrayList<>()).add(e);
            if (Set.of("completed", "failed", "cancelled").contains(e.name())) {
                open.remove(id);
            }
        }
        return byJob;
    }

    @Test
    void everyJobsEventsArriveOnOneStreamWithTheStatusFields() throws Exception {
        SyntheticBackend gated = SyntheticBackend.builder().steps(3).gated().build();
        s = TestServer.builder(dir).backend(gated).start();
        String ref = s.upload();
        HttpResponse<InputStream> resp = open("", null);
        assertEquals(200, resp.statusCode());
        assertTrue(resp.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        try (EventReader reader = new EventReader(resp.body())) {
            // The stream is open (its headers came with its first comment): nothing from now on is missed.
            String first = s.submitAsync(ref, "first job", 0);
            String second = s.submitAsync(ref, "second job", 0);
            String failing = s.submitAsync(ref, "third " + SyntheticBackend.FAIL_MARKER, 0);
            assertTrue(gated.awaitStepsEntered(1, 30, TimeUnit.SECONDS));
            String cancelled = s.submitAsync(ref, "never runs", 0);
            assertEquals(200, s.delete("/jobs/" + cancelled).status());
            gated.releaseAll();

            Map<String, List<Event>> byJob = readUntilFinished(reader, Set.of(first, second, failing, cancelled));
            for (String id : List.of(first, second)) {
                List<String> names = byJob.get(id).stream().map(Event::name).toList();
                assertEquals("queued", names.get(0), names::toString);
                assertEquals("started", names.get(1), names::toString);
                assertTrue(names.contains("progress"), names::toString);
                assertEquals("completed", names.get(names.size() - 1), names::toString);
                Event done = byJob.get(id).get(names.size() - 1);
                assertEquals("completed", done.data().get("status").asText());
                assertEquals(100.0, done.data().get("progress").asDouble());
                assertFalse(done.data().get("result").isNull(), done.data()::toString);
                assertEquals("tts_generate", done.data().get("job_type").asText());
                for (String field : List.of("created_at", "started_at", "completed_at", "error", "estimated_completion", "priority",
                        "queue_position")) {
                    assertTrue(done.data().has(field), () -> field + " missing in " + done.data());
                }
                Event progress = byJob.get(id).stream().filter(e -> e.name().equals("progress")).findFirst().orElseThrow();
                assertEquals(3, progress.data().get("steps_total").asInt(), progress.data()::toString);
            }
            Event failed = byJob.get(failing).get(byJob.get(failing).size() - 1);
            assertEquals("failed", failed.name());
            assertTrue(failed.data().get("error").asText().contains("synthetic failure"), failed.data()::toString);
            List<String> cancelledNames = byJob.get(cancelled).stream().map(Event::name).toList();
            assertEquals(List.of("queued", "cancelled"), cancelledNames);

            // The stream goes on after jobs end: a later job arrives on it too.
            String later = s.submitAsync(ref, "later job", 0);
            assertEquals("completed", readUntilFinished(reader, Set.of(later)).get(later).stream()
                    .reduce((a, b) -> b).orElseThrow().name());
        }
    }

    @Test
    void theKeyIsTakenFromTheHeaderOrTheQueryParameterAndNothingElse() throws Exception {
        s = TestServer.builder(dir).config(c -> c.withApiKey("stream-key")).start();
        assertEquals(401, open("", null).statusCode());
        assertEquals(401, open("?api_key=wrong", null).statusCode());
        assertEquals(401, open("", "wrong").statusCode());

        for (HttpResponse<InputStream> ok : List.of(open("", "stream-key"), open("?api_key=stream-key", null))) {
            assertEquals(200, ok.statusCode());
            try (EventReader reader = new EventReader(ok.body())) {
                String ref = s.queue.audioStore().save(AudioKind.UPLOAD, new AudioClip(new float[2400], 24_000)).id();
                String id = s.queue.submit(JobRequest.ttsGenerate(ref, "keyed")).id();
                assertFalse(readUntilFinished(reader, Set.of(id)).get(id).isEmpty());
            }
        }
        // The query parameter is taken only where a browser cannot send headers.
        assertEquals(401, s.get("/jobs/queue-status?api_key=stream-key").status());
        assertEquals(401, s.get("/workers?api_key=stream-key").status());
        assertEquals(200, s.send(s.request("/workers").header("X-API-Key", "stream-key").GET().build()).status());
    }

    /**
     * A client that stops reading holds up neither the queue nor a client that reads: jobs go on,
     * the reading client gets every event, and once the silent one is too far behind its stream
     * ends with a word why. Jobs come in waves, each seen whole by the reading client before the
     * next, so the reading client never has more than a wave waiting; the silent client's writes
     * block once the socket buffers are full, and its backlog grows wave by wave until it overflows.
     */
    @Test
    void aClientThatStopsReadingHoldsUpNobodyAndIsDroppedWhenTooFarBehind() throws Exception {
        int backlog = 256;
        int waves = 12;
        int perWave = 40; // at most 40 * 5 events waiting for the reading client: below the backlog
        String text = "x".repeat(30_000); // each completed event carries it: 14 MB in all, more than any socket buffer
        SyntheticBackend backend = SyntheticBackend.builder().steps(2).secondsPerChar(0.00002).build();
        s = TestServer.builder(dir).backend(backend).eventBacklog(backlog).start();
        String ref = s.upload();

        try (Socket silent = new Socket()) {
            silent.setReceiveBufferSize(4096);
            silent.connect(new InetSocketAddress("127.0.0.1", s.server.port()));
            OutputStream out = silent.getOutputStream();
            out.write(("GET /jobs/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String head = readUntil(silent, "queue events", 30_000);
            assertTrue(head.startsWith("HTTP/1.1 200"), head);
            // From here on the silent client reads nothing.

            HttpResponse<InputStream> resp = open("", null);
            try (EventReader reader = new EventReader(resp.body())) {
                for (int w = 0; w < waves; w++) {
                    Set<String> wave = new HashSet<>();
                    for (int i = 0; i < perWave; i++) {
                        wave.add(s.queue.submit(JobRequest.ttsGenerate(ref, text)).id());
                    }
                    Map<String, List<Event>> seen = readUntilFinished(reader, wave);
                    for (String id : wave) {
                        assertEquals("completed", seen.get(id).get(seen.get(id).size() - 1).name());
                        s.awaitFinished(id);
                    }
                }
            }
            assertEquals(waves * perWave, s.queue.queueStatus().count(JobStatus.COMPLETED));

            // Reading again, the silent client finds what fitted in the buffers, then the end of its stream.
            String rest = readUntil(silent, "too far behind", 60_000);
            int completedSeen = rest.split("event: ?completed", -1).length - 1;
            assertTrue(completedSeen < waves * perWave, "the silent client was dropped before the end: " + completedSeen);
        }
    }

    /** Reads until {@code marker} appears; fails if it does not within {@code timeoutMs} (keep-alives do not count). */
    private static String readUntil(Socket socket, String marker, int timeoutMs) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[64 * 1024];
        byte[] want = marker.getBytes(StandardCharsets.US_ASCII);
        int searchedTo = 0;
        while (true) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                throw new AssertionError("no '" + marker + "' within " + timeoutMs + " ms, in " + got.size() + " bytes:\n"
                        + got.toString(StandardCharsets.UTF_8).substring(0, Math.min(got.size(), 2000)));
            }
            socket.setSoTimeout((int) left);
            int n;
            try {
                n = in.read(buf);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no '" + marker + "' after " + got.size() + " bytes", e);
            }
            if (n < 0) {
                throw new AssertionError("connection closed before '" + marker + "' after " + got.size() + " bytes");
            }
            got.write(buf, 0, n);
            byte[] all = got.toByteArray();
            for (int i = Math.max(0, searchedTo - want.length); i + want.length <= all.length; i++) {
                if (Arrays.equals(all, i, i + want.length, want, 0, want.length)) {
                    return new String(all, StandardCharsets.UTF_8);
                }
            }
            searchedTo = all.length;
        }
    }

    @Test
    void aClientThatLeftDoesNotHoldUpTheServersStop() throws Exception {
        SyntheticBackend gated = SyntheticBackend.builder().gated().build();
        s = TestServer.builder(dir).backend(gated).start();
        String job = s.submitAsync(s.upload(), "held", 0);
        assertTrue(gated.awaitStepsEntered(1, 30, TimeUnit.SECONDS));
        for (String path : List.of("/jobs/events", "/jobs/" + job + "/events")) {
            try (Socket client = new Socket("127.0.0.1", s.server.port())) {
                client.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                readUntil(client, "\r\n\r\n", 30_000);
            } // the client leaves without a word
        }
        long start = System.nanoTime();
        s.server.close();
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        // Jetty's graceful stop gives up after 5 s; a stream it still counted as open would take all of them.
        assertTrue(millis < 3_000, "stopping took " + millis + " ms");
    }

    @Test
    void workersListsEachWorkerWithTheJobItRuns() throws Exception {
        SyntheticBackend gated = SyntheticBackend.builder().gated().build();
        s = TestServer.builder(dir).backend(gated).queue(q -> q.workers(2)).start();
        var idle = s.get("/workers").json();
        assertEquals(2, idle.get("total_workers").asInt());
        assertEquals("ttsq-worker-0", idle.get("workers").get(0).get("name").asText());
        assertEquals(0, idle.get("workers").get(0).get("running_jobs").size());

        String job = s.submitAsync(s.upload(), "held", 0);
        assertTrue(gated.awaitStepsEntered(1, 30, TimeUnit.SECONDS));
        Map<String, Integer> jobsByWorker = new HashMap<>();
        List<String> running = new ArrayList<>();
        for (var w : s.get("/workers").json().get("workers")) {
            jobsByWorker.put(w.get("name").asText(), w.get("running_jobs").size());
            w.get("running_jobs").forEach(j -> running.add(j.asText()));
        }
        assertEquals(List.of(job), running);
        assertEquals(Set.of("ttsq-worker-0", "ttsq-worker-1"), jobsByWorker.keySet());
    }
}
