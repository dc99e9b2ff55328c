package dev.ttsqueue.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes multipart bodies sent to the real server over HTTP (Jersey's multipart parser, the form
 * reading and the upload decoding behind {@code /upload-audio} and
 * {@code /jobs/voice-cloning-async}): every body is answered with less than a 500. The first byte
 * picks the endpoint, the rest is the body under boundary {@code b}. Seeds in
 * {@code MultipartFuzzTestInputs/}; the {@code fuzz-multipart} execution runs them, then fuzzes for a short while.
 */
class MultipartFuzzTest {
    private static Path dir;
    private static TestServer server;

    @BeforeAll
    static void start() throws IOException {
        dir = Files.createTempDirectory("multipart-fuzz");
        server = TestServer.builder(dir).start();
    }

    @AfterAll
    static void stop() {
        server.close();
        dev.ttsqueue.server.internal.TempFolders.deleteTree(dir);
    }

    @FuzzTest(maxDuration = "10s")
    void everyBodyGetsAnAnswerBelow500(byte[] input) {
        if (input.length == 0) {
            return;
        }
        String path = (input[0] & 1) == 0 ? "/upload-audio" : "/jobs/voice-cloning-async";
        byte[] body = java.util.Arrays.copyOfRange(input, 1, input.length);
        TestServer.Reply r;
        try {
            r = server.send(server.request(path).header("Content-Type", "multipart/form-data; boundary=b")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
        } catch (UncheckedIOException e) {
            throw new AssertionError("the server dropped the connection for " + path, e);
        }
        assertTrue(r.status() < 500, () -> path + " -> " + r);
    }
}
