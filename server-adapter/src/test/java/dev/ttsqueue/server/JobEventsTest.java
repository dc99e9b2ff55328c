package dev.ttsqueue.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ttsqueue.testing.SyntheticBackend;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobEventsTest {
    @TempDir
    Path dir;
    TestServer s;

    @AfterEach
    void stop() {
        if (s != null) {
            s.close();
        }
    }

    record Event(String name, JsonNode data) {
    }

    /** Reads SSE events one at a time. */
    static final class EventReader implements AutoCloseable {
        private final BufferedReader r;

        EventReader(InputStream body) {
            r = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
        }

        /** The next event, or null at the end of the stream. */
        Event next() throws Exception {
            String name = null;
            StringBuilder data = new StringBuilder();
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isEmpty()) {
                    if (data.length() > 0) {
                        return new Event(name, TestServer.JSON.readTree(data.toString()));
                    }
                    name = null;
                } else if (line.startsWith("event:")) {
                    name = line.substring(6).trim();
                } else if (line.startsWith("data:")) {
                    data.append(line.substring(5).trim());
                }
            }
            return null;
        }

        List<Event> rest() throws Exception {
            List<Event> events = new ArrayList<>();
            for (Event e = next(); e != null; e = next()) {
                events.add(e);
            }
            return events;
        }

        @Override
        public void close() throws java.io.IOException {
            r.close();
        }
    }

    private List<Event> readAll(InputStream body) throws Exception {
        try (EventReader r = new EventReader(body)) {
            return r.rest();
        }
    }

    private HttpResponse<InputStream> open(String jobId) throws Exception {
        return s.http.send(s.request("/jobs/" + jobId + "/events").header("Accept", "text/event-stream").GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
    }

    @Test
    void streamDeliversProgressAndTheTerminalEvent() throws Exception {
        SyntheticBackend gated = SyntheticBackend.builder().steps(4).gated().build();
        s = TestServer.builder(dir).backend(gated).start();
        String id = s.submitAsync(s.upload(), "streamed", 0);
        assertTrue(gated.awaitStepsEntered(1, 10, TimeUnit.SECONDS));
        HttpResponse<InputStream> resp = open(id);
        assertEquals(200, resp.statusCode());
        assertTrue(resp.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        List<Event> events = new ArrayList<>();
        try (EventReader reader = new EventReader(resp.body())) {
            Event first = reader.next();
            assertEquals("progress", first.name(), "the current state comes first");
            assertEquals("processing", first.data().get("status").asText());
            events.add(first);
            gated.releaseAll();
            events.addAll(reader.rest());
        }
        List<String> names = events.stream().map(Event::name).toList();
        assertEquals("completed", names.get(names.size() - 1), names.toString());
        assertTrue(names.contains("progress"), names.toString());
        Event last = events.get(events.size() - 1);
        assertEquals(id, last.data().get("job_id").asText());
        assertEquals("completed", last.data().get("status").asText());
        assertEquals(100.0, last.data().get("progress").asDouble());
        double prev = -1;
        for (Event e : events) {
            double p = e.data().get("progress").asDouble();
            assertTrue(p >= prev, "progress never goes back: " + names);
            prev = p;
        }
        assertTrue(events.stream().anyMatch(e -> e.data().has("steps_total") && e.data().get("steps_total").asInt() == 4));
    }

    @Test
    void lateClientStillGetsTheTerminalEvent() throws Exception {
        s = TestServer.builder(dir).start();
        String id = s.submitAsync(s.upload(), "already done", 0);
        s.awaitFinished(id);
        List<Event> events = readAll(open(id).body());
        assertEquals(1, events.size());
        assertEquals("completed", events.get(0).name());
        assertEquals("completed", events.get(0).data().get("status").asText());
    }

    @Test
    void cancelledAndFailedJobsEndTheirStreams() throws Exception {
        SyntheticBackend gated = SyntheticBackend.builder().gated().build();
        s = TestServer.builder(dir).backend(gated).start();
        String fileId = s.upload();
        String running = s.submitAsync(fileId, "to cancel", 0);
        assertTrue(gated.awaitStepsEntered(1, 10, TimeUnit.SECONDS));
        HttpResponse<InputStream> resp = open(running);
        try (EventReader reader = new EventReader(resp.body())) {
            assertEquals("progress", reader.next().name());
            assertEquals(200, s.delete("/jobs/" + running).status());
            List<Event> events = reader.rest();
            assertEquals("cancelled", events.get(events.size() - 1).name());
        }

        String failing = s.submitAsync(fileId, "bad " + SyntheticBackend.FAIL_MARKER, 0);
        gated.releaseAll();
        List<Event> failed = readAll(open(failing).body());
        assertEquals("failed", failed.get(failed.size() - 1).name());
        assertTrue(failed.get(failed.size() - 1).data().get("error").asText().contains("synthetic failure"));
    }

    @Test
    void unknownJobIs404() throws Exception {
        s = TestServer.builder(dir).start();
        HttpResponse<String> r = s.http.send(s.request("/jobs/00000000-0000-0000-0000-000000000000/events").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(404, r.statusCode());
        assertEquals("Job not found", TestServer.JSON.readTree(r.body()).get("detail").asText());
    }
}
