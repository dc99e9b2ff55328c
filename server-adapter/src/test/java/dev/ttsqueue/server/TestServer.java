package dev.ttsqueue.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ttsqueue.TtsJobQueue;
import dev.ttsqueue.server.internal.QueueEventsResource;
import dev.ttsqueue.spi.AudioStore;
import dev.ttsqueue.spi.VoiceBank;
import dev.ttsqueue.store.DirectoryAudioStore;
import dev.ttsqueue.store.DirectoryVoiceBank;
import dev.ttsqueue.store.InMemoryAudioStore;
import dev.ttsqueue.testing.SyntheticBackend;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * A real server on an ephemeral loopback port in front of a queue with a synthetic backend, plus
 * a small HTTP client for tests. Everything it makes lives under one temp folder.
 */
final class TestServer implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    final SyntheticBackend backend;
    final TtsJobQueue queue;
    final TtsServer server;
    final HttpClient http;
    final URI base;
    final ServerConfig config;

    private TestServer(SyntheticBackend backend, TtsJobQueue queue, TtsServer server, ServerConfig config) {
        this.backend = backend;
        this.queue = queue;
        this.server = server;
        this.config = config;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
        this.base = URI.create("http://127.0.0.1:" + server.port());
    }

    static Builder builder(Path dir) {
        return new Builder(dir);
    }

    static final class Builder {
        private final Path dir;
        private SyntheticBackend backend = SyntheticBackend.builder().build();
        private UnaryOperator<ServerConfig> config = c -> c;
        private Consumer<TtsJobQueue.Builder> queue = q -> { };
        private Clock clock = Clock.systemUTC();
        private boolean directoryAudio;
        private UnaryOperator<AudioStore> wrapAudio = a -> a;
        private int eventBacklog = QueueEventsResource.BACKLOG_EVENTS;

        Builder(Path dir) {
            this.dir = dir;
        }

        Builder backend(SyntheticBackend b) {
            backend = b;
            return this;
        }

        Builder config(UnaryOperator<ServerConfig> c) {
            config = c;
            return this;
        }

        Builder queue(Consumer<TtsJobQueue.Builder> q) {
            queue = q;
            return this;
        }

        Builder clock(Clock c) {
            clock = c;
            return this;
        }

        /** Wraps the audio store (to inject faults). */
        Builder wrapAudio(UnaryOperator<AudioStore> w) {
            wrapAudio = w;
            return this;
        }

        /** Events a queue-wide event stream may have waiting before its client counts as too slow. */
        Builder eventBacklog(int events) {
            eventBacklog = events;
            return this;
        }

        /** Keep audio as files under the temp folder (needed for ref_audio_path). */
        Builder directoryAudio() {
            directoryAudio = true;
            return this;
        }

        TestServer start() throws IOException {
            AudioStore audio = directoryAudio
                    ? new DirectoryAudioStore(dir.resolve("audio"), clock, Duration.ofHours(24), null)
                    : new InMemoryAudioStore(clock, Duration.ofHours(24), null);
            TtsJobQueue.Builder qb = TtsJobQueue.builder().backend(backend).audioStore(wrapAudio.apply(audio))
                    .voiceBank(new DirectoryVoiceBank(dir.resolve("reference_voices"))).clock(clock)
                    .closeGracePeriod(Duration.ofSeconds(5));
            queue.accept(qb);
            TtsJobQueue q = qb.build();
            ServerConfig cfg = config.apply(ServerConfig.defaults().withPort(0));
            try {
                return new TestServer(backend, q, TtsServer.start(cfg, q, eventBacklog), cfg);
            } catch (IOException | RuntimeException e) {
                q.close();
                throw e;
            }
        }
    }

    @Override
    public void close() {
        backend.releaseAll();
        server.close();
        queue.close();
    }

    // ---- requests ---------------------------------------------------------------------------

    record Reply(int status, java.net.http.HttpHeaders headers, byte[] body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + text(), e);
            }
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        /** The {@code detail} string of an error body. */
        String detail() {
            return json().path("detail").asText();
        }

        @Override
        public String toString() {
            return status + " " + text();
        }
    }

    /** The {@code X-API-Key} every request built by {@link #request} sends from now on; null for none. */
    volatile String apiKey;

    HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30));
        String key = apiKey;
        return key == null ? b : b.header("X-API-Key", key);
    }

    Reply send(HttpRequest request) {
        try {
            HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            return new Reply(r.statusCode(), r.headers(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    Reply get(String path) {
        return send(request(path).GET().build());
    }

    Reply delete(String path) {
        return send(request(path).DELETE().build());
    }

    Reply postJson(String path, Object body) {
        try {
            String json = body instanceof String s ? s : JSON.writeValueAsString(body);
            return send(request(path).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json)).build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Reply postForm(String path, Map<String, ?> fields) {
        StringBuilder sb = new StringBuilder();
        fields.forEach((k, v) -> {
            if (sb.length() > 0) {
                sb.append('&');
            }
            sb.append(URLEncoder.encode(k, StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(String.valueOf(v), StandardCharsets.UTF_8));
        });
        return send(request(path).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(sb.toString())).build());
    }

    /** A multipart form; a {@link FilePart} value becomes a file part. */
    Reply postMultipart(String path, Map<String, ?> fields) {
        Multipart mp = multipart(fields);
        return send(request(path).header("Content-Type", mp.contentType())
                .POST(HttpRequest.BodyPublishers.ofByteArray(mp.body())).build());
    }

    record FilePart(String fileName, String contentType, byte[] data) {
    }

    record Multipart(String contentType, byte[] body) {
    }

    static Multipart multipart(Map<String, ?> fields) {
        String boundary = "----ttsq" + UUID.randomUUID().toString().replace("-", "");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        fields.forEach((name, value) -> {
            StringBuilder h = new StringBuilder("--").append(boundary).append("\r\n");
            if (value instanceof FilePart f) {
                h.append("Content-Disposition: form-data; name=\"").append(name).append("\"; filename=\"").append(f.fileName()).append("\"\r\n");
                if (f.contentType() != null) {
                    h.append("Content-Type: ").append(f.contentType()).append("\r\n");
                }
                h.append("\r\n");
                out.writeBytes(h.toString().getBytes(StandardCharsets.UTF_8));
                out.writeBytes(f.data());
            } else {
                h.append("Content-Disposition: form-data; name=\"").append(name).append("\"\r\n\r\n").append(value);
                out.writeBytes(h.toString().getBytes(StandardCharsets.UTF_8));
            }
            out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        });
        out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return new Multipart("multipart/form-data; boundary=" + boundary, out.toByteArray());
    }

    // ---- fixtures ---------------------------------------------------------------------------

    /** A 16-bit mono PCM WAV of a sine tone, written by hand so tests do not trust the codec under test. */
    static byte[] wav(double seconds, int sampleRate) {
        int n = (int) Math.round(seconds * sampleRate);
        ByteBuffer b = ByteBuffer.allocate(44 + 2 * n).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + 2 * n).put("WAVE".getBytes(StandardCharsets.US_ASCII));
        b.put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16).putShort((short) 1).putShort((short) 1)
                .putInt(sampleRate).putInt(sampleRate * 2).putShort((short) 2).putShort((short) 16);
        b.put("data".getBytes(StandardCharsets.US_ASCII)).putInt(2 * n);
        for (int i = 0; i < n; i++) {
            b.putShort((short) Math.round(8000 * Math.sin(2 * Math.PI * 220 * i / sampleRate)));
        }
        return b.array();
    }

    static FilePart wavFile(double seconds) {
        return new FilePart("ref.wav", "audio/wav", wav(seconds, 24_000));
    }

    /** Uploads a one-second reference and returns its file id. */
    String upload() {
        Reply r = postMultipart("/upload-audio", Map.of("audio_file", wavFile(1.0)));
        if (r.status() != 200) {
            throw new AssertionError("upload failed: " + r);
        }
        return r.json().get("file_id").asText();
    }

    /** Submits a voice-cloning job through the async form endpoint; returns its id. */
    String submitAsync(String fileId, String text, int priority) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("audio_file_id", fileId);
        f.put("text", text);
        f.put("priority", priority);
        Reply r = postForm("/jobs/tts-generate-async", f);
        if (r.status() != 200) {
            throw new AssertionError("submit failed: " + r);
        }
        return r.json().get("job_id").asText();
    }

    /** Waits (on the job's own future, no polling) until the job is finished. */
    void awaitFinished(String jobId) {
        try {
            queue.handle(jobId).result().handle((r, e) -> null).get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("job " + jobId + " did not finish", e);
        }
    }
}
