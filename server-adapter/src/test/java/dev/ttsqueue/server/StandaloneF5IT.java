package dev.ttsqueue.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ttsqueue.TtsJobQueue;
import dev.ttsqueue.server.internal.CommandLineOptions;
import dev.ttsqueue.server.internal.StandaloneQueue;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standalone wiring with {@code --model-dir}: F5-TTS on ONNX Runtime (CPU), one instance per
 * worker, driven over HTTP. Uses the inference module's tiny test export, so the audio is
 * nonsense but every session, the pool and the API path are real.
 */
class StandaloneF5IT {
    @TempDir
    Path dir;

    @Test
    void modelDirRunsF5ThroughTheApi() throws Exception {
        Path models = Path.of(System.getProperty("ttsq.test.f5Models", "../inference/src/test/resources/f5-test-models/fp32"));
        assertTrue(Files.exists(models.resolve("F5_Transformer.onnx")), "test models at " + models.toAbsolutePath());
        CommandLineOptions.Parsed config = CommandLineOptions.parse(new String[] {"--model-dir", models.toString(), "--provider", "cpu",
                "--workers", "2", "--store", "memory", "--data-dir", dir.toString(), "--port", "0"}, Map.of());
        try (TtsJobQueue queue = StandaloneQueue.build(config.standalone()); TtsServer server = TtsServer.start(config.server(), queue)) {
            HttpClient http = HttpClient.newHttpClient();
            URI base = URI.create("http://127.0.0.1:" + server.port());
            JsonNode health = TestServer.JSON.readTree(http.send(HttpRequest.newBuilder(base.resolve("/health")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertEquals("f5-tts-onnx", health.get("backend").asText(), health.toString());
            assertEquals("CPU, CPU", health.get("device").asText());
            assertEquals(2, health.get("workers").asInt());
            // The F5 sessions opened (the decode session holds the vocoder), as both instances report.
            assertTrue(health.get("model_loaded").asBoolean(), health.toString());
            assertTrue(health.get("vocoder_loaded").asBoolean(), health.toString());

            TestServer.Multipart mp = TestServer.multipart(Map.of("audio_file", TestServer.wavFile(1.0)));
            HttpResponse<String> up = http.send(HttpRequest.newBuilder(base.resolve("/upload-audio"))
                    .header("Content-Type", mp.contentType()).POST(HttpRequest.BodyPublishers.ofByteArray(mp.body())).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, up.statusCode(), up.body());
            String fileId = TestServer.JSON.readTree(up.body()).get("file_id").asText();
            String body = TestServer.JSON.writeValueAsString(Map.of("audio_file_id", fileId, "text", "Hello there.",
                    "ref_text", "A short reference.", "settings", Map.of("nfe_step", 16, "randomize_seed", false, "seed", 3)));
            HttpResponse<String> gen = http.send(HttpRequest.newBuilder(base.resolve("/tts-generate")).timeout(Duration.ofSeconds(120))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, gen.statusCode(), gen.body());
            assertEquals(3, TestServer.JSON.readTree(gen.body()).get("seed_used").asLong());
            String out = TestServer.JSON.readTree(gen.body()).get("audio_file_id").asText();
            HttpResponse<byte[]> wav = http.send(HttpRequest.newBuilder(base.resolve("/download-audio/" + out)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            try (var in = AudioSystem.getAudioInputStream(new ByteArrayInputStream(wav.body()))) {
                assertEquals(24_000, in.getFormat().getSampleRate(), 0.1);
                assertTrue(in.getFrameLength() > 0);
            }
            // An NFE step the export lacks is refused at submit time with the backend's words.
            String bad = TestServer.JSON.writeValueAsString(Map.of("audio_file_id", fileId, "text", "x", "ref_text", "r",
                    "settings", Map.of("nfe_step", 8)));
            HttpResponse<String> refused = http.send(HttpRequest.newBuilder(base.resolve("/tts-generate"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(bad)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(400, refused.statusCode(), refused.body());
            assertTrue(refused.body().contains("nfe_step 8"), refused.body());
        }
        TtsJobQueue queue = StandaloneQueue.build(config.standalone());
        queue.close();
        assertFalse(queue.modelState().modelLoaded(), "closing the queue closed the F5 sessions");
        assertFalse(queue.modelState().vocoderLoaded());
    }

    private static Path inferenceResource(String property, String relative) {
        return Path.of(System.getProperty(property, "../inference/src/test/resources/" + relative));
    }

    private static HttpResponse<String> postJson(HttpClient http, URI uri, Object body) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(120)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(TestServer.JSON.writeValueAsString(body))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> postMultipart(HttpClient http, URI uri, Map<String, Object> parts) throws Exception {
        TestServer.Multipart mp = TestServer.multipart(parts);
        return http.send(HttpRequest.newBuilder(uri).header("Content-Type", mp.contentType())
                .POST(HttpRequest.BodyPublishers.ofByteArray(mp.body())).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void emptyRefTextIsRefusedWithWhatToDoWithoutATranscriber() throws Exception {
        Path models = inferenceResource("ttsq.test.f5Models", "f5-test-models/fp32");
        CommandLineOptions.Parsed config = CommandLineOptions.parse(new String[] {"--model-dir", models.toString(), "--provider", "cpu",
                "--store", "memory", "--data-dir", dir.toString(), "--port", "0"}, Map.of());
        try (TtsJobQueue queue = StandaloneQueue.build(config.standalone()); TtsServer server = TtsServer.start(config.server(), queue)) {
            HttpClient http = HttpClient.newHttpClient();
            URI base = URI.create("http://127.0.0.1:" + server.port());
            HttpResponse<String> up = postMultipart(http, base.resolve("/upload-audio"), Map.of("audio_file", TestServer.wavFile(1.0)));
            String fileId = TestServer.JSON.readTree(up.body()).get("file_id").asText();
            HttpResponse<String> refused = postJson(http, base.resolve("/tts-generate"),
                    Map.of("audio_file_id", fileId, "text", "Hello there.", "ref_text", ""));
            assertEquals(400, refused.statusCode(), refused.body());
            String detail = TestServer.JSON.readTree(refused.body()).get("detail").asText();
            assertTrue(detail.startsWith("Reference text is required"), detail);
            assertTrue(detail.contains("Send ref_text with the request, or start the server with --transcriber-model-dir"), detail);
        }
    }

    @Test
    void transcriberModelDirFillsEmptyRefTextsAndKeepsVoiceTranscripts() throws Exception {
        Path models = inferenceResource("ttsq.test.f5Models", "f5-test-models/fp32");
        Path whisper = inferenceResource("ttsq.test.whisperModel", "whisper-test-model");
        CommandLineOptions.Parsed config = CommandLineOptions.parse(new String[] {"--model-dir", models.toString(), "--provider", "cpu",
                "--transcriber-model-dir", whisper.toString(), "--store", "memory", "--data-dir", dir.toString(), "--port", "0"},
                Map.of());
        try (TtsJobQueue queue = StandaloneQueue.build(config.standalone()); TtsServer server = TtsServer.start(config.server(), queue)) {
            HttpClient http = HttpClient.newHttpClient();
            URI base = URI.create("http://127.0.0.1:" + server.port());
            HttpResponse<String> up = postMultipart(http, base.resolve("/upload-audio"), Map.of("audio_file", TestServer.wavFile(1.0)));
            String fileId = TestServer.JSON.readTree(up.body()).get("file_id").asText();
            Map<String, Object> settings = Map.of("nfe_step", 16, "randomize_seed", false, "seed", 3);
            HttpResponse<String> gen = postJson(http, base.resolve("/tts-generate"),
                    Map.of("audio_file_id", fileId, "text", "Hello there.", "ref_text", "", "settings", settings));
            assertEquals(200, gen.statusCode(), gen.body());
            // the test export's transcript of any audible clip (see WhisperTestModelGenerator)
            assertEquals("The quick fox", TestServer.JSON.readTree(gen.body()).get("ref_text").asText());

            HttpResponse<String> voice = postMultipart(http, base.resolve("/upload-permanent-voice"),
                    Map.of("voice_name", "Olga", "audio_file", TestServer.wavFile(1.0)));
            assertEquals(200, voice.statusCode(), voice.body());
            assertTrue(Files.notExists(dir.resolve("reference_voices/olga_ref.txt")));
            HttpResponse<String> perm = postJson(http, base.resolve("/tts-permanent"),
                    Map.of("voice_name", "olga", "text", "Hello there.", "settings", settings));
            assertEquals(200, perm.statusCode(), perm.body());
            assertEquals("The quick fox", TestServer.JSON.readTree(perm.body()).get("ref_text").asText());
            assertEquals("The quick fox", Files.readString(dir.resolve("reference_voices/olga_ref.txt")),
                    "stored with the voice, in the old server's layout, so it is transcribed once");
        }
    }
}
