package dev.ttsqueue.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.spi.AudioEntry;
import dev.ttsqueue.spi.AudioKind;
import dev.ttsqueue.spi.AudioStore;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecurityTest {
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
    void apiKeyWhenConfigured() throws Exception {
        s = TestServer.builder(dir).config(c -> c.withApiKey("s3cret-key")).start();
        TestServer.Reply none = s.get("/jobs/queue-status");
        assertEquals(401, none.status());
        assertTrue(none.detail().contains("X-API-Key"), none.detail());
        TestServer.Reply wrong = s.send(s.request("/jobs/queue-status").header("X-API-Key", "s3cret-kez").GET().build());
        assertEquals(401, wrong.status());
        assertEquals("Invalid API key", wrong.detail());
        assertEquals(200, s.send(s.request("/jobs/queue-status").header("X-API-Key", "s3cret-key").GET().build()).status());
        assertEquals(401, s.get("/metrics").status());
        assertEquals(401, s.postMultipart("/upload-audio", Map.of("audio_file", TestServer.wavFile(0.2))).status());
        // Health and the docs stay open.
        assertEquals(200, s.get("/health").status());
        assertEquals(200, s.get("/docs").status());
        assertEquals(200, s.get("/openapi.json").status());
    }

    @Test
    void theEventStreamAlsoTakesTheKeyAsAQueryParameterForEventSource() throws Exception {
        s = TestServer.builder(dir).config(c -> c.withApiKey("s3cret-key")).start();
        String ref = s.queue.audioStore().save(dev.ttsqueue.spi.AudioKind.UPLOAD, new dev.ttsqueue.audio.AudioClip(new float[24_000], 24_000)).id();
        String job = s.queue.submit(dev.ttsqueue.JobRequest.ttsGenerate(ref, "hello there")).id();
        s.queue.handle(job).result().get(30, java.util.concurrent.TimeUnit.SECONDS);

        // A finished job's stream is its terminal event, then the end.
        TestServer.Reply stream = s.get("/jobs/" + job + "/events?api_key=s3cret-key");
        assertEquals(200, stream.status(), stream::toString);
        assertTrue(stream.text().contains("event: completed"), stream.text());

        TestServer.Reply wrong = s.get("/jobs/" + job + "/events?api_key=s3cret-kez");
        assertEquals(401, wrong.status());
        assertEquals("Invalid API key", wrong.detail());
        // The header still rules where both are sent.
        assertEquals(401, s.send(s.request("/jobs/" + job + "/events?api_key=s3cret-key").header("X-API-Key", "nope").GET().build()).status());
        // Nowhere else does a key in the URL count.
        assertEquals(401, s.get("/jobs/" + job + "/status?api_key=s3cret-key").status());
        assertEquals(401, s.get("/jobs/queue-status?api_key=s3cret-key").status());
        assertEquals(401, s.get("/jobs/" + job + "/events/extra?api_key=s3cret-key").status());
    }

    @Test
    void aBodyTricklingInIsCutOffAndFreesItsThread() throws Exception {
        s = TestServer.builder(dir).start();
        try (java.net.Socket socket = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), s.server.port())) {
            socket.setSoTimeout(60_000);
            java.io.OutputStream out = socket.getOutputStream();
            out.write(("POST /upload-audio HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                    + "Content-Length: 1000000\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.flush();
            java.io.InputStream in = socket.getInputStream();
            // A few bytes a second, far below the minimum rate: once the credit is used up the server
            // must give up on the body and answer rather than wait for the whole megabyte.
            byte[] answer = new byte[0];
            for (int i = 0; i < 1200 && answer.length == 0; i++) {
                try {
                    out.write('x');
                    out.flush();
                } catch (java.io.IOException closed) {
                    break; // the server closed the connection: cut off
                }
                Thread.sleep(50); // the client's own pace, not a wait for the server
                if (in.available() > 0) {
                    answer = in.readNBytes(in.available());
                }
            }
            String head = new String(answer, java.nio.charset.StandardCharsets.US_ASCII);
            assertTrue(head.startsWith("HTTP/1.1 408"), "the slow request was not cut off with 408: '" + head + "'");
            assertTrue(head.contains("Request body arrived too slowly"), head);
        }
        assertEquals(200, s.get("/health").status(), "the server carries on");
    }

    @Test
    void onLoopbackOnlyLoopbackHostNamesAreServedSoDnsRebindingFails() throws Exception {
        s = TestServer.builder(dir).start(); // bound to 127.0.0.1
        for (String host : List.of("127.0.0.1", "localhost", "LOCALHOST", "localhost.", "[::1]", "[0:0:0:0:0:0:0:1]", "127.0.1.1")) {
            assertTrue(rawGet(host + ":" + s.server.port(), "/health").startsWith("HTTP/1.1 200"), host);
        }
        // A page whose own name was made to resolve to 127.0.0.1 sends that name.
        String rebound = rawGet("attacker.example:" + s.server.port(), "/jobs/queue-status");
        assertTrue(rebound.startsWith("HTTP/1.1 400"), rebound);
        assertTrue(rebound.contains("Invalid host header"), rebound);
        assertTrue(rebound.contains("--allowed-hosts attacker.example"), rebound);
    }

    @Test
    void allowedHostsAddNamesOrTurnTheCheckOff() throws Exception {
        s = TestServer.builder(dir).config(c -> c.withAllowedHosts(List.of("TTS.example.com"))).start();
        assertTrue(rawGet("tts.example.com", "/health").startsWith("HTTP/1.1 200"));
        assertTrue(rawGet("tts.example.com:443", "/health").startsWith("HTTP/1.1 200"));
        assertTrue(rawGet("127.0.0.1:" + s.server.port(), "/health").startsWith("HTTP/1.1 200"), "loopback names stay");
        assertTrue(rawGet("other.example.com", "/health").startsWith("HTTP/1.1 400"));
        s.close();
        s = TestServer.builder(dir).config(c -> c.withAllowedHosts(List.of("*"))).start();
        assertTrue(rawGet("anything.example", "/health").startsWith("HTTP/1.1 200"));
        s.close();
        // Bound to every interface: reached under names of the operator's choosing, so no check.
        s = TestServer.builder(dir).config(c -> c.withHost("0.0.0.0")).start();
        assertTrue(rawGet("anything.example", "/health").startsWith("HTTP/1.1 200"));
    }

    @Test
    void aBodyThatCatchesUpAfterAPauseIsNotCutOff() throws Exception {
        s = TestServer.builder(dir).start();
        String id = s.upload();
        String json = "{\"audio_file_id\": \"" + id + "\", \"text\": \"after a pause\"}";
        byte[] bytes = json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (java.net.Socket socket = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), s.server.port())) {
            socket.setSoTimeout(30_000);
            java.io.OutputStream out = socket.getOutputStream();
            out.write(("POST /tts-generate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nConnection: close\r\n"
                    + "Content-Length: " + bytes.length + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.write(bytes, 0, 1);
            out.flush();
            // A pause of some seconds, then the rest at once: a short body must not be judged by its rate.
            Thread.sleep(6_000);
            out.write(bytes, 1, bytes.length - 1);
            out.flush();
            String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
        }
    }

    /** A GET with a Host header of our choosing (the JDK client will not send one), answered in full. */
    private String rawGet(String host, String path) throws Exception {
        try (java.net.Socket socket = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), s.server.port())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Test
    void noApiKeyByDefault() throws Exception {
        s = TestServer.builder(dir).start();
        assertEquals(200, s.get("/jobs/queue-status").status());
        assertEquals(200, s.send(s.request("/jobs/queue-status").header("X-API-Key", "anything").GET().build()).status());
    }

    @Test
    void pathTricksNeverReachAFileOutside() throws Exception {
        s = TestServer.builder(dir).directoryAudio().start();
        Path secret = dir.resolve("secret.wav");
        Files.write(secret, TestServer.wav(0.1, 8000));
        s.upload();
        for (String path : List.of(
                "/download-audio/..%2Fsecret", "/download-audio/..%2F..%2Fsecret", "/download-audio/%2e%2e%2fsecret",
                "/download-audio/%2e%2e", "/download-audio/..", "/download-audio/..%5Csecret",
                "/download-audio/secret", "/download-audio/%2Fetc%2Fpasswd", "/download-audio/..;/secret",
                "/jobs/..%2F..%2Fsecret/status", "/jobs/%2e%2e/result", "/voices/..%2Fsecret")) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.base + path));
            TestServer.Reply r = s.send((path.startsWith("/voices") ? b.DELETE() : b.GET()).build());
            assertTrue(Set.of(400, 404).contains(r.status()), path + " -> " + r);
            assertFalse(r.text().contains("Exception"), path + " -> " + r);
            assertNotEquals("audio/wav", r.header("Content-Type"), path);
        }
        assertTrue(Files.exists(secret), "nothing was deleted");
    }

    @Test
    void refAudioPathOnlyInsideTheServersFolders() throws Exception {
        s = TestServer.builder(dir).directoryAudio().start();
        String id = s.upload();
        Path inside = s.queue.audioStore().find(id).orElseThrow().path();
        Path outside = dir.resolve("outside.wav");
        Files.write(outside, TestServer.wav(0.5, 24_000));
        Path link = inside.getParent().resolve("linked.wav");
        Files.createSymbolicLink(link, outside);

        TestServer.Reply ok = s.postJson("/jobs/submit", Map.of("job_type", "tts_generate",
                "parameters", Map.of("ref_audio_path", inside.toString(), "gen_text", "by path")));
        assertEquals(200, ok.status(), ok::toString);
        TestServer.Reply dotted = s.postJson("/jobs/submit", Map.of("job_type", "tts_generate",
                "parameters", Map.of("ref_audio_path", inside.getParent().resolve("../" + inside.getParent().getFileName() + "/" + inside.getFileName()).toString(), "gen_text", "dots resolved")));
        assertEquals(200, dotted.status(), dotted::toString);

        for (String p : List.of(outside.toString(), link.toString(), "/etc/passwd", inside.getParent().resolve("../../outside.wav").toString(),
                inside.getParent().toString(), "relative/none.wav", dir.resolve("nope.wav").toString(), "bad\u0000path.wav")) {
            TestServer.Reply r = s.postJson("/jobs/submit", Map.of("job_type", "tts_generate", "parameters", Map.of("ref_audio_path", p, "gen_text", "x")));
            assertEquals(400, r.status(), p + " -> " + r);
            assertTrue(r.detail().startsWith("ref_audio_path must name"), r.detail());
        }

        s.postMultipart("/upload-permanent-voice", Map.of("voice_name", "dora", "ref_text", "Dora's text.", "audio_file", TestServer.wavFile(1)));
        TestServer.Reply byVoice = s.postJson("/jobs/submit", Map.of("job_type", "tts_generate",
                "parameters", Map.of("ref_audio_path", dir.resolve("reference_voices/dora.wav").toString(), "gen_text", "voice file")));
        assertEquals(200, byVoice.status(), byVoice::toString);
        String job = byVoice.json().get("job_id").asText();
        s.awaitFinished(job);
        assertEquals("Dora's text.", s.get("/jobs/" + job + "/result").json().get("ref_text").asText());
    }

    @Test
    void unexpectedErrorsAreGeneric500sWithoutInternals() throws Exception {
        s = TestServer.builder(dir).wrapAudio(FailingList::new).start();
        TestServer.Reply r = s.get("/list-audio");
        assertEquals(500, r.status());
        assertEquals("{\"detail\":\"Internal server error\"}", r.text());
        assertEquals(200, s.get("/health").status(), "the server goes on");
    }

    /** An audio store whose listing breaks, to provoke an unexpected exception. */
    private record FailingList(AudioStore inner) implements AudioStore {
        @Override
        public AudioEntry save(AudioKind kind, AudioClip clip) throws IOException {
            return inner.save(kind, clip);
        }

        @Override
        public Optional<AudioEntry> find(String id) {
            return inner.find(id);
        }

        @Override
        public AudioClip load(String id) throws IOException {
            return inner.load(id);
        }

        @Override
        public InputStream open(String id) throws IOException {
            return inner.open(id);
        }

        @Override
        public boolean delete(String id) throws IOException {
            return inner.delete(id);
        }

        @Override
        public List<AudioEntry> list() {
            throw new IllegalStateException("disk on fire at /secret/internal/path");
        }

        @Override
        public int purgeExpired(Instant now) throws IOException {
            return inner.purgeExpired(now);
        }
    }
}
