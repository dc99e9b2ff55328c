package dev.ttsqueue.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starts the packaged distribution as its own process with its defaults (FreeTTS voice, SQLite
 * under the data folder), speaks through it, stops it with SIGTERM, and starts it again on the
 * same data folder: the finished job and its audio are still served. Queued jobs across a
 * restart and {@code kill -9} are {@link CrashRecoveryIT}'s. The launcher picks ZGC unless
 * {@code JAVA_OPTS} names a collector, and says at start which one runs.
 */
class DistributionIT {
    @TempDir
    Path dir;

    @Test
    void launcherServesStopsOnSigtermAndKeepsItsJobs() throws Exception {
        Path data = dir.resolve("data");
        String out;
        String jobId;
        try (ServerProcess first = ServerProcess.start(data)) {
            assertTrue(first.log().stream().anyMatch(l -> l.contains("garbage collector: ZGC")),
                    "the launcher runs on ZGC when JAVA_OPTS names no collector: " + first.log());
            JsonNode health = first.get("/health").json();
            assertEquals("freetts", health.get("backend").asText());
            assertTrue(health.get("store").asText().contains("jobs.db"), health.toString());

            TestServer.Reply up = first.postMultipart("/upload-permanent-voice", Map.of("voice_name", "dist", "audio_file", TestServer.wavFile(1)));
            assertEquals(200, up.status(), up.text());
            TestServer.Reply gen = first.send(first.request("/tts-permanent").timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"voice_name\":\"dist\",\"text\":\"The packaged server speaks.\"}"))
                    .build());
            assertEquals(200, gen.status(), gen.text());
            // By default the worker warms FreeTTS up before its first job.
            first.awaitLine(Pattern.compile("backend warmed up with \\d+ request"), Duration.ofSeconds(30));
            out = gen.json().get("audio_file_id").asText();
            jobId = first.get("/jobs?status=completed").json().get("jobs").get(0).get("job_id").asText();
            TestServer.Reply wav = first.get("/download-audio/" + out);
            assertEquals(200, wav.status());
            assertTrue(wav.body().length > 44 * 10, "real speech, not an empty file");
            assertTrue(Files.exists(data.resolve("reference_voices/dist.wav")));

            first.stop();
        }

        try (ServerProcess second = ServerProcess.start(data, Map.of("JAVA_OPTS", "-XX:+UseG1GC"))) {
            assertTrue(second.log().stream().anyMatch(l -> l.contains("garbage collector: G1")),
                    "a collector named in JAVA_OPTS is the one used: " + second.log());
            JsonNode status = second.get("/jobs/" + jobId + "/status").json();
            assertEquals("completed", status.get("status").asText(), status.toString());
            assertEquals(out, status.get("result").get("output_file_id").asText());
            assertEquals(200, second.get("/download-audio/" + out).status(), "the output survives a restart");
            second.stop();
        }
    }
}
