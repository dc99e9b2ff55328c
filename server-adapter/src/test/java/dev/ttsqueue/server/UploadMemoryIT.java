package dev.ttsqueue.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Large reference uploads in parallel against the packaged server on a small heap (256 MiB): WAVs
 * whose header promises hours of audio (8-bit at 1 kHz, as in the report that found 500s and
 * {@code OutOfMemoryError}) and WAVs just inside the limits whose samples take about 50 MB each.
 * Every answer is a 200, a 400 (too long, said from the header) or a 503 with {@code Retry-After};
 * never a 500, never an {@code OutOfMemoryError}, and the server is healthy afterwards.
 */
class UploadMemoryIT {
    private static final int EACH = 6;

    @TempDir
    Path dir;

    private ServerProcess server;

    @AfterEach
    void close() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void parallelLargeUploadsOnASmallHeapNeverGive500() throws Exception {
        server = ServerProcess.start(dir, Map.of("JAVA_OPTS", "-Xmx256m"), "--backend", "synthetic");
        // 20 MB of 8-bit mono at 1 kHz: 5.5 hours, far past the 5-minute limit.
        byte[] hours = wav(1_000, 1, 8, 20_000_000);
        // 4.5 minutes of 16-bit mono at 48 kHz: 26 MB of file, 52 MB of samples.
        byte[] longest = wav(48_000, 1, 16, 48_000 * 2 * 270);

        List<CompletableFuture<HttpResponse<String>>> replies = new ArrayList<>();
        for (int i = 0; i < EACH; i++) {
            replies.add(upload(hours));
            replies.add(upload(longest));
        }
        int ok = 0;
        List<String> wrong = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> f : replies) {
            HttpResponse<String> r = f.get();
            boolean busy = r.statusCode() == 503 && r.headers().firstValue("Retry-After").isPresent();
            if (r.statusCode() == 200) {
                ok++;
            } else if (r.statusCode() != 400 && !busy) {
                wrong.add(r.statusCode() + " " + r.body());
            }
        }
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
        assertTrue(ok > 0, "some uploads within the limits got through");
        assertTrue(server.isAlive(), String.join("\n", server.log()));
        assertEquals(200, server.get("/health").status(), "the server carries on");
        assertTrue(server.linesMatching(Pattern.compile("OutOfMemoryError| ERROR ")).isEmpty(), String.join("\n", server.log()));
    }

    private CompletableFuture<HttpResponse<String>> upload(byte[] wav) {
        TestServer.Multipart mp = TestServer.multipart(Map.of("audio_file", new TestServer.FilePart("ref.wav", "audio/wav", wav)));
        HttpRequest request = server.request("/upload-audio").timeout(Duration.ofMinutes(3)).header("Content-Type", mp.contentType())
                .POST(HttpRequest.BodyPublishers.ofByteArray(mp.body())).build();
        return server.http().sendAsync(request, HttpResponse.BodyHandlers.ofString());
    }

    /** A PCM WAV header and {@code dataBytes} of silence. */
    private static byte[] wav(int rate, int channels, int bits, int dataBytes) {
        int align = channels * bits / 8;
        ByteBuffer b = ByteBuffer.allocate(44 + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + dataBytes).put("WAVE".getBytes(StandardCharsets.US_ASCII));
        b.put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16).putShort((short) 1).putShort((short) channels)
                .putInt(rate).putInt(rate * align).putShort((short) align).putShort((short) bits);
        b.put("data".getBytes(StandardCharsets.US_ASCII)).putInt(dataBytes);
        return b.array();
    }
}
