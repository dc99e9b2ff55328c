package dev.ttsqueue.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starts the packaged distribution ({@code target/ttsqueue-server/bin/ttsqueue-server}) as its own
 * process with its defaults (FreeTTS voice, SQLite under the data folder), speaks through it, stops
 * it with SIGTERM, and starts it again on the same data folder: the finished job and its audio are
 * still served. Readiness and shutdown are read from its log, not guessed with sleeps.
 */
class DistributionIT {
    private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)/");

    @TempDir
    Path dir;

    /** A running server process and its log lines. */
    private record Running(Process process, BlockingQueue<String> lines, URI base) {
        void stop() throws Exception {
            process.toHandle().destroy(); // SIGTERM; unlike Process.destroy() it leaves the log stream open
            assertNotNull(awaitLine(lines, Pattern.compile("shutting down"), 30));
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "stopped after SIGTERM");
            assertTrue(List.of(0, 143).contains(process.exitValue()), "exit " + process.exitValue());
        }
    }

    private Running start() throws Exception {
        Path launcher = Path.of("target/ttsqueue-server/bin/ttsqueue-server").toAbsolutePath();
        assertTrue(Files.isExecutable(launcher), "package the module first: " + launcher);
        Process p = new ProcessBuilder(launcher.toString(), "--port", "0", "--data-dir", dir.resolve("data").toString())
                .redirectErrorStream(true).start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l = r.readLine(); l != null; l = r.readLine()) {
                    lines.add(l);
                }
            } catch (java.io.IOException ignored) {
                // process ended
            }
            lines.add("<eof>");
        }, "dist-log");
        pump.setDaemon(true);
        pump.start();
        try {
            int port = Integer.parseInt(awaitLine(lines, LISTENING, 60).group(1));
            return new Running(p, lines, URI.create("http://127.0.0.1:" + port));
        } catch (AssertionError | RuntimeException e) {
            p.destroyForcibly();
            throw e;
        }
    }

    @Test
    void launcherServesStopsOnSigtermAndKeepsItsJobs() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        Running first = start();
        String out;
        String jobId;
        try {
            URI base = first.base();
            JsonNode health = TestServer.JSON.readTree(http.send(HttpRequest.newBuilder(base.resolve("/health")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertEquals("freetts", health.get("backend").asText());
            assertTrue(health.get("store").asText().contains("jobs.db"), health.toString());

            TestServer.Multipart mp = TestServer.multipart(Map.of("voice_name", "dist", "audio_file", TestServer.wavFile(1)));
            HttpResponse<String> up = http.send(HttpRequest.newBuilder(base.resolve("/upload-permanent-voice"))
                    .header("Content-Type", mp.contentType()).POST(HttpRequest.BodyPublishers.ofByteArray(mp.body())).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, up.statusCode(), up.body());
            HttpResponse<String> gen = http.send(HttpRequest.newBuilder(base.resolve("/tts-permanent"))
                    .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"voice_name\":\"dist\",\"text\":\"The packaged server speaks.\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, gen.statusCode(), gen.body());
            out = TestServer.JSON.readTree(gen.body()).get("audio_file_id").asText();
            jobId = TestServer.JSON.readTree(http.send(HttpRequest.newBuilder(base.resolve("/jobs?status=completed")).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).get("jobs").get(0).get("job_id").asText();
            HttpResponse<byte[]> wav = http.send(HttpRequest.newBuilder(base.resolve("/download-audio/" + out)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, wav.statusCode());
            assertTrue(wav.body().length > 44 * 10, "real speech, not an empty file");
            assertTrue(Files.exists(dir.resolve("data/reference_voices/dist.wav")));

            first.stop();
        } finally {
            first.process().destroyForcibly();
        }

        Running second = start();
        try {
            JsonNode status = TestServer.JSON.readTree(http.send(HttpRequest.newBuilder(second.base().resolve("/jobs/" + jobId + "/status")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertEquals("completed", status.get("status").asText(), status.toString());
            assertEquals(out, status.get("result").get("output_file_id").asText());
            HttpResponse<byte[]> again = http.send(HttpRequest.newBuilder(second.base().resolve("/download-audio/" + out)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, again.statusCode(), "the output survives a restart");
            second.stop();
        } finally {
            second.process().destroyForcibly();
        }
    }

    private static Matcher awaitLine(BlockingQueue<String> lines, Pattern pattern, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        StringBuilder seen = new StringBuilder();
        while (true) {
            String l = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (l == null || l.equals("<eof>")) {
                throw new AssertionError("no line matching " + pattern + " in:\n" + seen);
            }
            seen.append(l).append('\n');
            Matcher m = pattern.matcher(l);
            if (m.find()) {
                return m;
            }
        }
    }
}
