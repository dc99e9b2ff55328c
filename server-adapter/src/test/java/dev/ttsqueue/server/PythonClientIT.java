package dev.ttsqueue.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs a real Python {@code requests} client, written the way the old server's guide writes one,
 * against the server. Needs {@code /usr/bin/python3} with {@code requests} (Debian package
 * {@code python3-requests}); without them this test fails, it does not skip.
 */
class PythonClientIT {
    @TempDir
    Path dir;

    private static String python() {
        return System.getProperty("ttsq.test.python", "/usr/bin/python3");
    }

    private static Path script() {
        String d = System.getProperty("ttsq.test.pythonDir", "src/test/python");
        return Path.of(d).resolve("old_client.py").toAbsolutePath();
    }

    private static Process run(Path dir, String... cmd) throws Exception {
        return new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    }

    @Test
    void oldPythonClientWorksUnchanged() throws Exception {
        Process probe = run(dir, python(), "-c", "import requests");
        assertTrue(probe.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, probe.exitValue(), () -> python() + " with the requests module is required "
                + "(apt-get install -y python3-requests): " + output(probe));

        Path wav = dir.resolve("reference.wav");
        Files.write(wav, TestServer.wav(1.0, 24_000));
        try (TestServer s = TestServer.builder(dir).start()) {
            Process p = run(dir, python(), script().toString(), s.base.toString(), wav.toString());
            boolean done = p.waitFor(120, TimeUnit.SECONDS);
            if (!done) {
                p.destroyForcibly();
            }
            String out = output(p);
            assertTrue(done, "client timed out: " + out);
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.contains("ALL OK"), out);
        }
    }

    private static String output(Process p) {
        try {
            return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return "(no output: " + e + ")";
        }
    }
}
