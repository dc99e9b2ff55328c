package dev.ttsqueue.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ttsqueue.JobStatus;
import dev.ttsqueue.spi.ModelState;
import dev.ttsqueue.testing.MutableClock;
import dev.ttsqueue.testing.SyntheticBackend;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /health} tells an orchestrator when nothing can run any more: every worker stuck in a
 * backend call, or the model gone; its {@code model_loaded} and {@code vocoder_loaded} are the backend's own word.
 */
class HealthTest {
    @TempDir
    Path dir;

    private TestServer s;

    @AfterEach
    void stop() {
        if (s != null) {
            s.close();
        }
    }

    @Test
    void everyWorkerStuckInABackendCallMakesTheServerUnhealthy() throws Exception {
        MutableClock clock = MutableClock.at("2026-03-01T10:00:00Z");
        SyntheticBackend backend = SyntheticBackend.builder().build();
        s = TestServer.builder(dir).backend(backend).clock(clock)
                .queue(q -> q.jobTimeout(Duration.ofSeconds(5)).maintenanceInterval(Duration.ofMillis(10))).start();
        String ref = s.upload();
        String hung = s.submitAsync(ref, "never ends " + SyntheticBackend.HANG_MARKER, 0);
        assertTrue(backend.awaitStepsEntered(1, 30, TimeUnit.SECONDS));
        JsonNode busy = s.get("/health").json();
        assertEquals("healthy", busy.get("status").asText(), busy.toString());
        assertEquals(0, busy.get("workers_stuck").asInt());

        clock.advance(Duration.ofSeconds(6));
        s.awaitFinished(hung);
        assertEquals(JobStatus.FAILED, s.queue.status(hung).status());
        assertEquals(200, s.get("/health").status(), "the backend gets a minute to notice the timeout");

        clock.advance(Duration.ofSeconds(60));
        TestServer.Reply stuck = s.get("/health");
        assertEquals(503, stuck.status(), stuck::toString);
        assertEquals("unhealthy", stuck.json().get("status").asText());
        assertEquals(1, stuck.json().get("workers_stuck").asInt());
        assertTrue(s.get("/metrics").text().contains("ttsq_workers_stuck 1.0"), () -> s.get("/metrics").text());

        backend.releaseHung();
        s.awaitFinished(s.submitAsync(ref, "after the hang", 0));
        JsonNode back = s.get("/health").json();
        assertEquals("healthy", back.get("status").asText(), back.toString());
        assertEquals(0, back.get("workers_stuck").asInt());
    }

    @Test
    void modelAndVocoderFlagsAreWhatTheBackendReports() throws Exception {
        SyntheticBackend backend = SyntheticBackend.builder().build();
        s = TestServer.builder(dir).backend(backend).start();
        JsonNode loaded = s.get("/health").json();
        assertTrue(loaded.get("model_loaded").asBoolean());
        assertTrue(loaded.get("vocoder_loaded").asBoolean());

        // A backend whose vocoder is gone (a device reset, a closed session): the queue is still
        // open, and the old flags used to say true regardless.
        backend.reportModelState(new ModelState(true, false));
        TestServer.Reply noVocoder = s.get("/health");
        assertEquals(503, noVocoder.status(), noVocoder::toString);
        assertEquals("unhealthy", noVocoder.json().get("status").asText());
        assertTrue(noVocoder.json().get("model_loaded").asBoolean());
        assertFalse(noVocoder.json().get("vocoder_loaded").asBoolean());
        assertTrue(s.queue.isOpen());
        // Jobs are refused as the old server refused them, instead of being queued to fail.
        TestServer.Reply refused = s.postForm("/jobs/tts-generate-async", Map.of("audio_file_id", s.upload(), "text", "x"));
        assertEquals(503, refused.status());
        assertEquals("Models not loaded", refused.detail());

        backend.reportModelState(ModelState.LOADED);
        assertEquals(200, s.get("/health").status());
        backend.close();
        JsonNode closed = s.get("/health").json();
        assertFalse(closed.get("model_loaded").asBoolean());
        assertFalse(closed.get("vocoder_loaded").asBoolean());
    }
}
