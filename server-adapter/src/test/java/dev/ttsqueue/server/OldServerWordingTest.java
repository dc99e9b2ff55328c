package dev.ttsqueue.server;

import dev.ttsqueue.store.InMemoryJobStore;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ttsqueue.spi.JobStore;
import dev.ttsqueue.testing.ControlledStore;
import dev.ttsqueue.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The old F5-TTS server's rules and words, as its clients see them over HTTP: voice names cleaned
 * by its regex, its messages word for word at each endpoint, and texts with nothing to say refused.
 */
class OldServerWordingTest {
    private static final String NOTHING_TO_SAY = "\u0000\u0000\u0000";

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
    void voiceNamesAreCleanedByTheOldRegexAndTheReturnedNameIsTheOneToUse() throws Exception {
        s = TestServer.builder(dir).start();
        TestServer.Reply up = s.postMultipart("/upload-permanent-voice",
                Map.of("voice_name", "My Voice!", "ref_text", "Words.", "audio_file", TestServer.wavFile(1.0)));
        assertEquals(200, up.status(), up::toString);
        assertEquals("myvoice", up.json().get("voice_name").asText());
        assertTrue(Files.exists(dir.resolve("reference_voices/myvoice.wav")));

        for (String asked : new String[] {"myvoice", "My Voice!", "MYVOICE"}) {
            TestServer.Reply r = s.postJson("/tts-permanent", Map.of("voice_name", asked, "text", "Hello."));
            assertEquals(200, r.status(), r::toString);
            assertEquals("TTS generated using voice '" + asked + "'", r.json().get("message").asText(), "the old server quoted the name as sent");
        }
        String job = s.postForm("/jobs/tts-permanent-async", Map.of("voice_name", "myvoice", "text", "Hi.")).json().get("job_id").asText();
        s.awaitFinished(job);
        assertEquals("myvoice", s.get("/jobs/" + job + "/result").json().get("voice_name").asText());

        TestServer.Reply empty = s.postMultipart("/upload-permanent-voice", Map.of("voice_name", "?! ..", "audio_file", TestServer.wavFile(1.0)));
        assertEquals(400, empty.status());
        assertEquals("Voice name must contain alphanumeric characters", empty.detail());
    }

    @Test
    void voicesSavedUnderTheEarlierUnderscoreRuleAreStillFound() throws Exception {
        // A voice folder as earlier versions wrote "Old Narrator": spaces turned into '_'.
        Path voices = Files.createDirectories(dir.resolve("reference_voices"));
        Files.write(voices.resolve("old_narrator.wav"), TestServer.wav(1.0, 24_000));
        Files.writeString(voices.resolve("old_narrator_ref.txt"), "An older take.", StandardCharsets.UTF_8);
        s = TestServer.builder(dir).start();

        assertEquals("old_narrator", s.get("/list-voices").json().get("voices").get(0).get("name").asText());
        TestServer.Reply sync = s.postJson("/tts-permanent", Map.of("voice_name", "Old Narrator", "text", "Still here."));
        assertEquals(200, sync.status(), sync::toString);
        assertEquals("An older take.", sync.json().get("ref_text").asText(), "the stored transcript came with it");
        String job = s.postForm("/jobs/tts-permanent-async", Map.of("voice_name", "Old Narrator", "text", "Async too."))
                .json().get("job_id").asText();
        s.awaitFinished(job);
        JsonNode result = s.get("/jobs/" + job + "/result").json();
        assertEquals("old_narrator", result.get("voice_name").asText());
        assertEquals(200, s.postJson("/jobs/submit", Map.of("job_type", "tts_permanent",
                "parameters", Map.of("voice_name", "old_narrator", "gen_text", "By its stored name."))).status());
    }

    @Test
    void missingReferencesAreAnsweredInTheOldWordsAtEachEndpoint() throws Exception {
        MutableClock clock = MutableClock.at("2026-03-01T10:00:00Z");
        s = TestServer.builder(dir).clock(clock).start();
        String unknown = "00000000-0000-0000-0000-000000000000";
        for (TestServer.Reply r : uploadEndpoints(unknown)) {
            assertEquals(404, r.status(), r::toString);
            assertEquals("Audio file not found. Please upload audio first.", r.detail());
        }
        String expired = s.upload();
        clock.advance(Duration.ofHours(25)); // uploads are served for 24 h
        for (TestServer.Reply r : uploadEndpoints(expired)) {
            assertEquals(404, r.status(), r::toString);
            assertEquals("Reference audio file has expired. Please re-upload.", r.detail());
        }
        TestServer.Reply sync = s.postJson("/tts-permanent", Map.of("voice_name", "Nobody", "text", "x"));
        assertEquals(404, sync.status());
        assertEquals("Voice 'Nobody' not found. Use /list-voices to see available voices.", sync.detail());
        TestServer.Reply async = s.postForm("/jobs/tts-permanent-async", Map.of("voice_name", "Nobody", "text", "x"));
        assertEquals(404, async.status());
        assertEquals("Permanent voice 'Nobody' not found", async.detail());

        TestServer.Reply noVoice = s.postJson("/jobs/submit", Map.of("job_type", "tts_permanent", "parameters", Map.of("gen_text", "x")));
        assertEquals(400, noVoice.status());
        assertEquals("Permanent TTS jobs require 'voice_name' and 'gen_text' parameters", noVoice.detail());
    }

    private TestServer.Reply[] uploadEndpoints(String fileId) {
        return new TestServer.Reply[] {
            s.postJson("/tts-generate", Map.of("audio_file_id", fileId, "text", "x")),
            s.postForm("/jobs/tts-generate-async", Map.of("audio_file_id", fileId, "text", "x")),
            s.postForm("/jobs/voice-cloning-async", Map.of("audio_file_id", fileId, "text", "x")),
        };
    }

    @Test
    void aCompletedJobWithoutItsResultIsJobResultNotFound() throws Exception {
        ControlledStore store = new ControlledStore(new InMemoryJobStore());
        store.loseResults();
        s = TestServer.builder(dir).queue(q -> q.store(store)).start();
        String job = s.submitAsync(s.upload(), "lost", 0);
        s.awaitFinished(job);
        assertEquals("completed", s.get("/jobs/" + job + "/status").json().get("status").asText());
        TestServer.Reply r = s.get("/jobs/" + job + "/result");
        assertEquals(404, r.status(), r::toString);
        assertEquals("Job result not found", r.detail());
    }

    @Test
    void successMessagesAreTheOldServers() throws Exception {
        s = TestServer.builder(dir).start();
        String ref = s.upload();
        s.postMultipart("/upload-permanent-voice", Map.of("voice_name", "anna", "audio_file", TestServer.wavFile(1.0)));
        assertEquals("F5-TTS API Server", s.get("/").json().get("message").asText());
        assertEquals("TTS audio generated successfully", s.postJson("/tts-generate", Map.of("audio_file_id", ref, "text", "x"))
                .json().get("message").asText());
        assertEquals("Voice cloning completed successfully", s.postMultipart("/voice-cloning",
                Map.of("text", "x", "audio_file", TestServer.wavFile(1.0))).json().get("message").asText());
        assertEquals("TTS generation job submitted successfully", s.postForm("/jobs/tts-generate-async",
                Map.of("audio_file_id", ref, "text", "x")).json().get("message").asText());
        assertEquals("Permanent voice TTS job submitted successfully", s.postForm("/jobs/tts-permanent-async",
                Map.of("voice_name", "anna", "text", "x")).json().get("message").asText());
        assertEquals("Voice cloning job submitted successfully", s.postForm("/jobs/voice-cloning-async",
                Map.of("audio_file_id", ref, "text", "x")).json().get("message").asText());
        assertEquals("Job submitted successfully", s.postJson("/jobs/submit", Map.of("job_type", "voice_cloning",
                "parameters", Map.of("audio_file_id", ref, "gen_text", "x"))).json().get("message").asText());
    }

    @Test
    void aTextOfOnlyControlCharactersIsEmptyOnEveryEndpoint() throws Exception {
        s = TestServer.builder(dir).start();
        String ref = s.upload();
        s.postMultipart("/upload-permanent-voice", Map.of("voice_name", "anna", "audio_file", TestServer.wavFile(1.0)));
        for (String text : new String[] {NOTHING_TO_SAY, " \t\r\n", "\u0001\u001f\u007f", "\u200b\ufeff"}) {
            Map<String, Object> voiceCloning = new LinkedHashMap<>();
            voiceCloning.put("text", text);
            voiceCloning.put("audio_file", TestServer.wavFile(1.0));
            TestServer.Reply[] replies = {
                s.postJson("/tts-generate", Map.of("audio_file_id", ref, "text", text)),
                s.postJson("/tts-permanent", Map.of("voice_name", "anna", "text", text)),
                s.postMultipart("/voice-cloning", voiceCloning),
                s.postForm("/jobs/tts-generate-async", Map.of("audio_file_id", ref, "text", text)),
                s.postForm("/jobs/tts-permanent-async", Map.of("voice_name", "anna", "text", text)),
                s.postForm("/jobs/voice-cloning-async", Map.of("audio_file_id", ref, "text", text)),
                s.postJson("/jobs/submit", Map.of("job_type", "tts_generate", "parameters", Map.of("audio_file_id", ref, "gen_text", text))),
                s.postJson("/jobs/submit", Map.of("job_type", "tts_permanent", "parameters", Map.of("voice_name", "anna", "gen_text", text))),
                s.postJson("/jobs/submit", Map.of("job_type", "voice_cloning", "parameters", Map.of("audio_file_id", ref, "gen_text", text))),
            };
            for (TestServer.Reply r : replies) {
                assertEquals(400, r.status(), () -> text.codePoints().boxed().toList() + ": " + r);
                assertEquals("Text to generate cannot be empty", r.detail());
            }
        }
        assertEquals(0, s.get("/jobs/queue-status").json().get("total_jobs").asInt(), "nothing was queued");
        assertEquals(1, s.get("/list-audio").json().get("total_files").asInt(), "no upload was kept for a refused voice cloning");
    }
}
