package dev.ttsqueue.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ttsqueue.testing.SyntheticBackend;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyncEndpointsTest {
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
    void ttsGenerateWaitsAndReturnsTheOutputId() throws Exception {
        s = TestServer.builder(dir).start();
        String ref = s.upload();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("audio_file_id", ref);
        body.put("text", "Synchronous hello.");
        body.put("ref_text", "Ref words.");
        body.put("settings", Map.of("randomize_seed", false, "seed", 99));
        TestServer.Reply r = s.postJson("/tts-generate", body);
        assertEquals(200, r.status(), r::toString);
        JsonNode j = r.json();
        for (String f : new String[] {"audio_file_id", "ref_text", "message", "seed_used"}) {
            assertTrue(j.has(f), f);
        }
        assertEquals(99, j.get("seed_used").asLong());
        assertEquals("Ref words.", j.get("ref_text").asText());
        String out = j.get("audio_file_id").asText();
        assertFalse(out.equals(ref), "the id is the OUTPUT's");
        assertEquals(200, s.get("/download-audio/" + out).status());
        // It went through the queue.
        assertEquals(1, s.get("/jobs/queue-status").json().get("job_counts").get("completed").asInt());
    }

    @Test
    void ttsPermanentUsesTheVoice() throws Exception {
        s = TestServer.builder(dir).start();
        s.postMultipart("/upload-permanent-voice", Map.of("voice_name", "Carla", "ref_text", "Carla's words.", "audio_file", TestServer.wavFile(1)));
        TestServer.Reply r = s.postJson("/tts-permanent", Map.of("voice_name", "carla", "text", "With Carla's voice."));
        assertEquals(200, r.status(), r::toString);
        assertEquals("Carla's words.", r.json().get("ref_text").asText());
        TestServer.Reply missing = s.postJson("/tts-permanent", Map.of("voice_name", "nobody", "text", "x"));
        assertEquals(404, missing.status());
        TestServer.Reply invalid = s.postJson("/tts-permanent", Map.of("text", "x"));
        assertEquals(422, invalid.status());
        assertEquals("voice_name", invalid.json().get("detail").get(0).get("loc").get(1).asText());
    }

    @Test
    void voiceCloningDeletesItsUploadAfterwards() throws Exception {
        s = TestServer.builder(dir).start();
        Map<String, Object> form = new LinkedHashMap<>();
        form.put("text", "Cloned in one call.");
        form.put("ref_text", "");
        form.put("audio_file", TestServer.wavFile(1));
        form.put("randomize_seed", "false");
        form.put("seed", "5");
        form.put("remove_silence", "false");
        form.put("speed", "1.0");
        form.put("nfe_step", "32");
        form.put("cross_fade_duration", "0.15");
        TestServer.Reply r = s.postMultipart("/voice-cloning", form);
        assertEquals(200, r.status(), r::toString);
        assertEquals(5, r.json().get("seed_used").asLong());
        String out = r.json().get("audio_file_id").asText();
        JsonNode files = s.get("/list-audio").json();
        List<String> ids = new ArrayList<>();
        files.get("files").forEach(f -> ids.add(f.get("file_id").asText()));
        assertEquals(List.of(out), ids, "only the output remains; the reference was deleted");

        TestServer.Reply notAudio = s.postMultipart("/voice-cloning",
                Map.of("text", "x", "audio_file", new TestServer.FilePart("a.txt", "text/plain", new byte[] {1, 2})));
        assertEquals(400, notAudio.status());
        assertEquals("File must be an audio file", notAudio.detail());
        TestServer.Reply badSpeed = s.postMultipart("/voice-cloning", Map.of("text", "x", "speed", "9", "audio_file", TestServer.wavFile(1)));
        assertEquals(400, badSpeed.status());
        assertEquals("Speed must be between 0.3 and 2.0", badSpeed.detail());
        assertEquals(1, s.get("/list-audio").json().get("total_files").asInt(), "refused requests leave no upload behind");
    }

    @Test
    void failedJobIs500WithItsError() throws Exception {
        s = TestServer.builder(dir).start();
        TestServer.Reply r = s.postJson("/tts-generate", Map.of("audio_file_id", s.upload(), "text", "boom " + SyntheticBackend.FAIL_MARKER));
        assertEquals(500, r.status());
        assertTrue(r.detail().startsWith("Error generating TTS audio: "), r.detail());
        assertTrue(r.detail().contains("synthetic failure"), r.detail());
    }

    @Test
    void jobStillRunningAtTheSyncTimeoutIsCancelledWith504() throws Exception {
        SyntheticBackend gated = SyntheticBackend.builder().gated().build();
        s = TestServer.builder(dir).backend(gated).config(c -> c.withSyncTimeout(Duration.ofMillis(300))).start();
        TestServer.Reply r = s.postJson("/tts-generate", Map.of("audio_file_id", s.upload(), "text", "slow"));
        assertEquals(504, r.status(), r::toString);
        String id = s.get("/jobs").json().get("jobs").get(0).get("job_id").asText();
        s.awaitFinished(id);
        assertEquals("cancelled", s.get("/jobs/" + id + "/status").json().get("status").asText());
    }
}
