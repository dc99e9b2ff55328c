package dev.ttsqueue.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ttsqueue.testing.MutableClock;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AudioEndpointsTest {
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
    void uploadAnswersIdMessageAndDuration() throws Exception {
        s = TestServer.builder(dir).start();
        TestServer.Reply r = s.postMultipart("/upload-audio", Map.of("audio_file", TestServer.wavFile(1.5)));
        assertEquals(200, r.status(), r::toString);
        JsonNode j = r.json();
        assertFalse(j.get("file_id").asText().isEmpty());
        assertEquals("Audio file uploaded successfully", j.get("message").asText());
        assertEquals(1.5, j.get("duration").asDouble(), 1e-3);
    }

    @Test
    void nonAudioContentTypeIsRefused() throws Exception {
        s = TestServer.builder(dir).start();
        TestServer.Reply r = s.postMultipart("/upload-audio",
                Map.of("audio_file", new TestServer.FilePart("notes.txt", "text/plain", "hello".getBytes(StandardCharsets.UTF_8))));
        assertEquals(400, r.status());
        assertEquals("File must be an audio file", r.detail());
    }

    @Test
    void partWithoutContentTypeIsJudgedByItsFileName() throws Exception {
        s = TestServer.builder(dir).start();
        // What Python requests sends for files={"audio_file": open(path, "rb")}: no Content-Type at all.
        TestServer.Reply wav = s.postMultipart("/upload-audio", Map.of("audio_file", new TestServer.FilePart("ref.wav", null, TestServer.wav(0.5, 24_000))));
        assertEquals(200, wav.status(), wav::toString);
        TestServer.Reply txt = s.postMultipart("/upload-audio", Map.of("audio_file", new TestServer.FilePart("ref.txt", null, TestServer.wav(0.5, 24_000))));
        assertEquals(400, txt.status());
        assertEquals("File must be an audio file", txt.detail());
    }

    @Test
    void undecodableAudioIsRefusedAtUploadSayingWhy() throws Exception {
        s = TestServer.builder(dir).start();
        byte[] corrupt = Arrays.copyOf(TestServer.wav(0.5, 24_000), 30);
        TestServer.Reply r = s.postMultipart("/upload-audio", Map.of("audio_file", new TestServer.FilePart("x.wav", "audio/wav", corrupt)));
        assertEquals(400, r.status(), r::toString);
        assertTrue(r.detail().startsWith("Invalid audio file: "), r.detail());
        assertTrue(r.detail().length() > "Invalid audio file: ".length() + 3, r.detail());

        TestServer.Reply noise = s.postMultipart("/upload-audio",
                Map.of("audio_file", new TestServer.FilePart("y.wav", "audio/wav", "definitely not RIFF data at all".getBytes(StandardCharsets.UTF_8))));
        assertEquals(400, noise.status());
        assertTrue(noise.detail().startsWith("Invalid audio file: "), noise.detail());
        assertEquals(0, s.get("/list-audio").json().get("total_files").asInt(), "nothing stored for refused uploads");
    }

    @Test
    void missingFileIs422WithFastApiShape() throws Exception {
        s = TestServer.builder(dir).start();
        TestServer.Reply r = s.postMultipart("/upload-audio", Map.of("other", "x"));
        assertEquals(422, r.status());
        JsonNode e = r.json().get("detail").get(0);
        assertEquals("missing", e.get("type").asText());
        assertEquals("body", e.get("loc").get(0).asText());
        assertEquals("audio_file", e.get("loc").get(1).asText());
        assertEquals("Field required", e.get("msg").asText());

        TestServer.Reply noBody = s.send(s.request("/upload-audio").POST(HttpRequest.BodyPublishers.noBody()).build());
        assertEquals(422, noBody.status());
    }

    @Test
    void oversizedUploadIs413BeforeTheBodyIsRead() throws Exception {
        s = TestServer.builder(dir).config(c -> c.withMaxUploadBytes(64 * 1024)).start();
        TestServer.Reply r = s.postMultipart("/upload-audio", Map.of("audio_file", TestServer.wavFile(3.0))); // ~144 KB
        assertEquals(413, r.status(), r::toString);
        assertTrue(r.detail().contains("65536"), r.detail());
    }

    @Test
    void oversizedChunkedUploadIsStoppedWhileStreaming() throws Exception {
        s = TestServer.builder(dir).config(c -> c.withMaxUploadBytes(64 * 1024)).start();
        TestServer.Multipart mp = TestServer.multipart(Map.of("audio_file", TestServer.wavFile(3.0)));
        // An InputStream publisher has no length: the body goes chunked, so only counting can catch it.
        HttpRequest req = s.request("/upload-audio").header("Content-Type", mp.contentType())
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(mp.body()))).build();
        TestServer.Reply r = s.send(req);
        assertEquals(413, r.status(), r::toString);
        assertEquals(0, s.get("/list-audio").json().get("total_files").asInt());
    }

    @Test
    void aFormWithThousandsOfPartsIsRefusedAndLeavesNothingBehind() throws Exception {
        s = TestServer.builder(dir).start();
        String boundary = "----many";
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 5_000; i++) {
            body.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"f").append(i)
                    .append("\"; filename=\"f").append(i).append(".wav\"\r\nContent-Type: audio/wav\r\n\r\nx\r\n");
        }
        body.append("--").append(boundary).append("--\r\n");
        TestServer.Reply r = s.send(s.request("/upload-audio").header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build());
        assertTrue(r.status() == 400 || r.status() == 413, r::toString);
        assertTrue(r.detail().toLowerCase(java.util.Locale.ROOT).contains("parts"), r::toString);
        assertEquals(0, s.get("/list-audio").json().get("total_files").asInt());
        assertEquals(200, s.postMultipart("/upload-audio", Map.of("audio_file", TestServer.wavFile(0.5))).status(), "the server carries on");
    }

    @Test
    void bodiesReadIntoMemoryHaveASmallerLimitThanUploads() throws Exception {
        // Upload limit 50 MiB; the queue's text limit 10,000 characters, so JSON and forms may take 1 MiB.
        s = TestServer.builder(dir).queue(q -> q.maxTextLength(10_000)).start();
        String id = s.upload();
        String padding = "x".repeat(2 << 20);
        TestServer.Reply json = s.postJson("/jobs/submit", "{\"job_type\": \"tts_generate\", \"parameters\": {\"audio_file_id\": \""
                + id + "\", \"gen_text\": \"hi\", \"pad\": \"" + padding + "\"}}");
        assertEquals(413, json.status(), json::toString);
        TestServer.Reply form = s.postForm("/jobs/tts-generate-async", Map.of("audio_file_id", id, "text", "hi", "pad", padding));
        assertEquals(413, form.status(), form::toString);
        TestServer.Reply field = s.postMultipart("/jobs/tts-generate-async", Map.of("audio_file_id", id, "text", padding));
        assertEquals(413, field.status(), field::toString);
        assertEquals(0, s.queue.list(null, 10).size(), "nothing refused became a job");
        // A body of ordinary size still goes through.
        assertEquals(200, s.postForm("/jobs/tts-generate-async", Map.of("audio_file_id", id, "text", "hi")).status());
    }

    @Test
    void aBodyDeclaredTooLargeIsAnsweredOnAConnectionThatServesTheNextRequest() throws Exception {
        // JSON and forms may take 1 MiB here; 2 MiB is refused, but read and dropped first.
        s = TestServer.builder(dir).queue(q -> q.maxTextLength(10_000)).start();
        String body = "{\"pad\": \"" + "x".repeat(2 << 20) + "\"}";
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), s.server.port())) {
            socket.setSoTimeout(10_000);
            String host = "127.0.0.1:" + s.server.port();
            socket.getOutputStream().write(("POST /jobs/submit HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: application/json"
                    + "\r\nContent-Length: " + body.length() + "\r\n\r\n" + body
                    + "GET /health HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String answers = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(answers.startsWith("HTTP/1.1 413"), answers);
            int second = answers.indexOf("HTTP/1.1 200");
            assertTrue(second > 0, answers);
            assertFalse(answers.substring(0, second).contains("Connection: close"), answers);
        }
    }

    @Test
    void downloadServesTheWavWithTheOldHeaders() throws Exception {
        s = TestServer.builder(dir).start();
        String id = s.upload();
        TestServer.Reply r = s.get("/download-audio/" + id);
        assertEquals(200, r.status());
        assertEquals("audio/wav", r.header("Content-Type"));
        assertEquals("attachment; filename=\"f5tts_audio_" + id + ".wav\"", r.header("Content-Disposition"));
        try (AudioInputStream in = AudioSystem.getAudioInputStream(new ByteArrayInputStream(r.body()))) {
            AudioFormat f = in.getFormat();
            assertEquals(1, f.getChannels());
            assertEquals(24_000, f.getSampleRate(), 0.1);
            assertEquals(24_000, in.getFrameLength());
        }
    }

    @Test
    void unknownOrExpiredAudioIs404WithTheOldMessages() throws Exception {
        // In the future, so that a server reading the system clock instead of the queue's would fail.
        MutableClock clock = MutableClock.at("2100-01-01T00:00:00Z");
        s = TestServer.builder(dir).clock(clock).start();
        assertEquals("Audio file not found", s.get("/download-audio/0f0f0f0f-0000-0000-0000-000000000000").detail());
        String id = s.upload();
        clock.advance(Duration.ofHours(25));
        TestServer.Reply r = s.get("/download-audio/" + id);
        assertEquals(404, r.status());
        assertEquals("Audio file has expired", r.detail());
        JsonNode files = s.get("/list-audio").json();
        assertEquals(1, files.get("total_files").asInt());
        assertEquals(id, files.get("files").get(0).get("file_id").asText());
        assertFalse(files.get("files").get(0).get("exists").asBoolean());
    }

    @Test
    void deleteAndListAudio() throws Exception {
        s = TestServer.builder(dir).start();
        String a = s.upload();
        String b = s.upload();
        JsonNode list = s.get("/list-audio").json();
        assertEquals(2, list.get("total_files").asInt());
        assertTrue(list.get("files").get(0).get("exists").asBoolean());
        TestServer.Reply d = s.delete("/audio/" + a);
        assertEquals(200, d.status());
        assertEquals("Audio file deleted successfully", d.json().get("message").asText());
        assertEquals(404, s.delete("/audio/" + a).status());
        assertEquals("Audio file not found", s.delete("/audio/" + a).detail());
        assertEquals(1, s.get("/list-audio").json().get("total_files").asInt());
        assertEquals(b, s.get("/list-audio").json().get("files").get(0).get("file_id").asText());
    }

    @Test
    void permanentVoicesUploadListAndDelete() throws Exception {
        s = TestServer.builder(dir).start();
        Map<String, Object> form = new LinkedHashMap<>();
        form.put("voice_name", "  My Voice!  ");
        form.put("ref_text", "Some words.");
        form.put("audio_file", TestServer.wavFile(2.0));
        TestServer.Reply up = s.postMultipart("/upload-permanent-voice", form);
        assertEquals(200, up.status(), up::toString);
        // The old server's rule: spaces dropped, not turned into '_'; the name returned is the one to use.
        assertEquals("myvoice", up.json().get("voice_name").asText());
        assertEquals("Permanent voice 'myvoice' uploaded successfully", up.json().get("message").asText());
        assertEquals(2.0, up.json().get("duration").asDouble(), 1e-3);
        // The old server's folder layout: {name}.wav and {name}_ref.txt.
        assertTrue(Files.exists(dir.resolve("reference_voices/myvoice.wav")));

        JsonNode list = s.get("/list-voices").json();
        assertEquals(1, list.get("total_voices").asInt());
        JsonNode v = list.get("voices").get(0);
        assertEquals("myvoice", v.get("name").asText());
        assertEquals("myvoice.wav", v.get("filename").asText());
        assertEquals(2.0, v.get("duration").asDouble(), 1e-3);
        assertEquals(dir.resolve("reference_voices").toString(), list.get("storage_path").asText());

        assertEquals(404, s.delete("/voices/.myvoice").status(), "only names already in voice-bank form");
        TestServer.Reply del = s.delete("/voices/myvoice");
        assertEquals(200, del.status());
        assertTrue(del.json().get("message").asText().contains("myvoice"));
        assertEquals(404, s.delete("/voices/myvoice").status());
        assertEquals(0, s.get("/list-voices").json().get("total_voices").asInt());
    }

    @Test
    void voiceNameWithNothingUsableIs400() throws Exception {
        s = TestServer.builder(dir).start();
        TestServer.Reply r = s.postMultipart("/upload-permanent-voice", Map.of("voice_name", "!!! ???", "audio_file", TestServer.wavFile(1)));
        assertEquals(400, r.status());
        assertEquals("Voice name must contain alphanumeric characters", r.detail());
        TestServer.Reply missing = s.postMultipart("/upload-permanent-voice", Map.of("audio_file", TestServer.wavFile(1)));
        assertEquals(422, missing.status());
        assertEquals("voice_name", missing.json().get("detail").get(0).get("loc").get(1).asText());
    }

    @Test
    void downloadedOutputMatchesWhatTheQueueStored() throws Exception {
        s = TestServer.builder(dir).start();
        String job = s.submitAsync(s.upload(), "Bytes should round trip.", 0);
        s.awaitFinished(job);
        String out = s.get("/jobs/" + job + "/result").json().get("output_file_id").asText();
        byte[] served = s.get("/download-audio/" + out).body();
        try (var in = s.queue.audioStore().open(out)) {
            assertArrayEquals(in.readAllBytes(), served);
        }
    }
}
