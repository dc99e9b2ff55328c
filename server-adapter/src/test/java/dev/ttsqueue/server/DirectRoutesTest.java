package dev.ttsqueue.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ttsqueue.testing.SyntheticBackend;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /jobs/submit} and {@code GET /jobs/{id}/status} are answered below Jersey unless a
 * request needs something only Jersey does; an {@code Accept} header with a weight is one such
 * request. Every request here is sent both ways, and both answers must be the same: status, JSON,
 * and the headers a client reads.
 */
class DirectRoutesTest {
    /** Sent as is, this takes the direct path; with it, Jersey's (it negotiates weights). */
    private static final String JERSEY = "application/json;q=1";

    @TempDir
    Path dir;
    private TestServer s;

    @AfterEach
    void stop() {
        if (s != null) {
            s.close();
        }
    }

    private TestServer.Reply submit(String body, String accept, String origin) {
        HttpRequest.Builder b = s.request("/jobs/submit").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (accept != null) {
            b.header("Accept", accept);
        }
        if (origin != null) {
            b.header("Origin", origin);
        }
        return s.send(b.build());
    }

    private TestServer.Reply status(String id, String accept) {
        HttpRequest.Builder b = s.request("/jobs/" + id + "/status").GET();
        if (accept != null) {
            b.header("Accept", accept);
        }
        return s.send(b.build());
    }

    /** The answer as a client sees it, with the parts that differ between any two submits taken out. */
    private static String seen(TestServer.Reply r) {
        JsonNode json = r.json();
        if (json.has("estimated_completion")) {
            ((ObjectNode) json).remove("estimated_completion"); // now plus an estimate: moves between two asks
        }
        if (json.has("job_id")) {
            UUID.fromString(json.get("job_id").asText());
            ((ObjectNode) json).put("job_id", "<id>");
            ((ObjectNode) json).remove("queue_position");
        }
        List<String> headers = new ArrayList<>();
        for (String name : List.of("Content-Type", "Vary", "Access-Control-Allow-Origin", "Access-Control-Expose-Headers",
                "WWW-Authenticate", "Retry-After")) {
            r.headers().firstValue(name).ifPresent(v -> headers.add(name + ": " + v));
        }
        return r.status() + " " + json + " " + headers;
    }

    private void sameBothWays(String body, String origin) {
        TestServer.Reply direct = submit(body, null, origin);
        TestServer.Reply jersey = submit(body, JERSEY, origin);
        assertEquals(seen(jersey), seen(direct), body);
        if (direct.status() == 200) {
            assertEquals(direct.json().get("queue_position").asInt() + 1, jersey.json().get("queue_position").asInt(),
                    "each was queued, one after the other: " + body);
        }
    }

    @Test
    void everyKindOfSubmissionIsAnsweredAlikeOnBothPaths() throws Exception {
        SyntheticBackend gated = SyntheticBackend.builder().gated().build();
        s = TestServer.builder(dir).backend(gated).start();
        s.postMultipart("/upload-permanent-voice", Map.of("voice_name", "anna", "ref_text", "Anna speaks.", "audio_file", TestServer.wavFile(1)));
        String fileId = s.upload();
        s.submitAsync(fileId, "keeps the worker busy, so every job below stays queued", 0);
        assertTrue(gated.awaitStepsEntered(1, 10, TimeUnit.SECONDS));
        List<String> bodies = List.of(
                "{\"job_type\":\"tts_permanent\",\"parameters\":{\"voice_name\":\"Anna\",\"gen_text\":\"Hello.\"}}",
                "{\"job_type\":\"tts_permanent\",\"parameters\":{\"voice_name\":\"anna\",\"gen_text\":\"Hi.\","
                        + "\"inference_settings\":{\"speed\":1.5,\"nfe_step\":16}},\"priority\":5}",
                "{\"job_type\":\"voice_cloning\",\"parameters\":{\"audio_file_id\":\"" + fileId + "\",\"gen_text\":\"Hi.\"}}",
                "{\"job_type\":\"tts_generate\",\"parameters\":{\"audio_file_id\":\"" + fileId + "\",\"gen_text\":\"Hi.\",\"ref_text\":\"x\"}}",
                "{\"job_type\":\"tts_permanent\",\"parameters\":{\"voice_name\":\"nobody\",\"gen_text\":\"Hi.\"}}",
                "{\"job_type\":\"voice_cloning\",\"parameters\":{\"audio_file_id\":\"../../etc/passwd\",\"gen_text\":\"Hi.\"}}",
                "{\"job_type\":\"tts_generate\",\"parameters\":{\"gen_text\":\"x\",\"ref_audio_path\":\"/etc/passwd\"}}",
                "{\"job_type\":\"tts_permanent\",\"parameters\":{\"voice_name\":\"anna\"}}",
                "{\"job_type\":\"sing\",\"parameters\":{}}",
                "{\"job_type\":\"tts_permanent\",\"parameters\":{\"voice_name\":\"anna\",\"gen_text\":\"x\"},\"priority\":\"high\"}",
                "{\"job_type\":\"tts_permanent\",\"parameters\":{\"voice_name\":\"anna\",\"gen_text\":\"x\",\"inference_settings\":{\"nfe_step\":-3}}}",
                "{\"parameters\":[]}",
                "[1,2]",
                "not json",
                "");
        for (String body : bodies) {
            sameBothWays(body, null);
            sameBothWays(body, "http://localhost:5173"); // a page of this machine: allowed, with CORS headers
        }
        assertEquals(406, submit(bodies.get(0), "text/html", null).status(), "Jersey still negotiates what it is asked to");
        gated.releaseAll();
    }

    @Test
    void statusIsAnsweredAlikeOnBothPathsWhateverTheJobsState() throws Exception {
        SyntheticBackend gated = SyntheticBackend.builder().steps(1).gated().build();
        s = TestServer.builder(dir).backend(gated).start();
        String fileId = s.upload();
        String done = s.submitAsync(fileId, "finished first", 0);
        assertTrue(gated.awaitStepsEntered(1, 10, TimeUnit.SECONDS));
        gated.release(1);
        s.awaitFinished(done);
        String running = s.submitAsync(fileId, "running now", 0);
        assertTrue(gated.awaitStepsEntered(1, 10, TimeUnit.SECONDS));
        String queued = s.submitAsync(fileId, "waiting", 3);
        String cancelled = s.submitAsync(fileId, "cancelled", 0);
        assertEquals(200, s.delete("/jobs/" + cancelled).status());
        for (String id : List.of(done, running, queued, cancelled, "no-such-job", UUID.randomUUID().toString())) {
            assertEquals(seen(status(id, JERSEY)), seen(status(id, null)), id);
        }
        assertEquals(200, status(queued, null).status());
        assertEquals(404, status("no-such-job", null).status());
        for (String odd : List.of("a.b", "..%2Fx", "%61bc", "-x")) {
            TestServer.Reply r = status(odd, null); // not plainly an id: Jersey's, either way
            assertEquals(seen(status(odd, JERSEY)), seen(r), odd);
            assertTrue(r.status() == 400 || r.status() == 404, odd + ": " + r);
        }
        gated.releaseAll();
    }

    @Test
    void aFullQueueAndTheApiKeyAreAnsweredAlikeOnBothPaths() throws Exception {
        SyntheticBackend gated = SyntheticBackend.builder().gated().build();
        s = TestServer.builder(dir).backend(gated).queue(q -> q.maxQueueSize(1)).config(c -> c.withApiKey("s3cret-key")).start();
        s.apiKey = "s3cret-key";
        s.postMultipart("/upload-permanent-voice", Map.of("voice_name", "anna", "audio_file", TestServer.wavFile(1)));
        String body = "{\"job_type\":\"tts_permanent\",\"parameters\":{\"voice_name\":\"anna\",\"gen_text\":\"Hi.\"}}";
        assertEquals(200, submit(body, null, null).status());
        assertTrue(gated.awaitStepsEntered(1, 10, TimeUnit.SECONDS));
        assertEquals(200, submit(body, null, null).status());
        sameBothWays(body, null);
        assertEquals(429, submit(body, null, null).status());

        s.apiKey = null;
        sameBothWays(body, null);
        assertEquals(401, submit(body, null, null).status());
        s.apiKey = "wrong";
        sameBothWays(body, null);
        assertEquals(401, submit(body, null, null).status());
        gated.releaseAll();
    }
}
