package dev.ttsqueue.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A finished job's output that is damaged on disk while the server is down: after the restart the
 * job's status says its output is damaged (and why), the file is kept and still served, and the
 * log says what was found, where it used to be skipped with a warning and answer 404.
 */
class DamagedOutputIT {
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
    void aDamagedOutputIsKeptReportedAndStillServed() throws Exception {
        Path data = dir.resolve("data");
        server = ServerProcess.start(data, "--backend", "synthetic");
        String ref = server.postMultipart("/upload-audio", Map.of("audio_file", TestServer.wavFile(0.5))).json().get("file_id").asText();
        TestServer.Reply done = server.postJson("/tts-generate", "{\"audio_file_id\": \"" + ref + "\", \"text\": \"one two\"}");
        assertEquals(200, done.status(), done::toString);
        String output = done.json().get("audio_file_id").asText();
        String job = server.get("/jobs?status=completed").json().get("jobs").get(0).get("job_id").asText();
        server.stop();

        Path file = data.resolve("audio").resolve("outputs").resolve(output + ".wav");
        byte[] garbage = "RIFF, then nothing a WAV reader can use".getBytes(StandardCharsets.US_ASCII);
        Files.write(file, garbage);

        server = ServerProcess.start(data, "--backend", "synthetic");
        JsonNode result = server.get("/jobs/" + job + "/status").json().get("result");
        assertEquals(output, result.get("output_file_id").asText());
        assertTrue(result.get("output_damaged").asText().startsWith("stored audio cannot be read: "), result::toString);
        TestServer.Reply download = server.get("/download-audio/" + output);
        assertEquals(200, download.status(), "kept and served as it is, not a 404");
        assertEquals(new String(garbage, StandardCharsets.US_ASCII), new String(download.body(), StandardCharsets.US_ASCII));
        assertTrue(Files.exists(file));
        assertFalse(server.linesMatching(Pattern.compile("kept .*" + output + "\\.wav")).isEmpty(), String.join("\n", server.log()));
    }
}
