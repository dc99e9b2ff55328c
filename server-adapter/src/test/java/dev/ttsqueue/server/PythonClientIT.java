package dev.ttsqueue.server;

import dev.ttsqueue.store.InMemoryJobStore;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.spi.JobStore;
import dev.ttsqueue.spi.ModelState;
import dev.ttsqueue.testing.ControlledStore;
import dev.ttsqueue.testing.MutableClock;
import dev.ttsqueue.testing.SyntheticBackend;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs a real Python {@code requests} client, written the way the old server's guide writes one,
 * against the server: the guide's loop, then the old server's rules and words (voice names,
 * messages, empty texts), MP3/FLAC/Ogg references, downloads with length and ranges, and the
 * model flags of {@code /health}. Needs {@code /usr/bin/python3} with {@code requests} (Debian package
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
        Path fixtures = Files.createDirectories(dir.resolve("fixtures"));
        for (String f : new String[] {"ref-mono-24k.mp3", "ref-mono-24k.flac", "ref-mono-24k.ogg", "silence-6min-8k.flac"}) {
            Files.write(fixtures.resolve(f), AudioFixtures.bytes(f));
        }
        // A voice as earlier versions saved "Old Narrator" (spaces turned into '_').
        Path voices = Files.createDirectories(dir.resolve("server/reference_voices"));
        Files.write(voices.resolve("old_narrator.wav"), TestServer.wav(1.0, 24_000));
        Files.writeString(voices.resolve("old_narrator_ref.txt"), "An older take.");
        MutableClock clock = MutableClock.at("2026-03-01T10:00:00Z");
        ControlledStore store = new ControlledStore(new InMemoryJobStore());
        store.loseResultsWhere(r -> r.genText().contains("[lose]"));
        SyntheticBackend backend = SyntheticBackend.builder().build();
        try (TestServer s = TestServer.builder(dir.resolve("server")).backend(backend).clock(clock).queue(q -> q.store(store)).start()) {
            String expired = s.upload();
            clock.advance(Duration.ofHours(25)); // past the 24 h uploads are served for; the clock stays there
            runClient(python(), script().toString(), s.base.toString(), wav.toString(), fixtures.toString(), expired);

            backend.reportModelState(new ModelState(true, false));
            runClient(python(), script().toString(), s.base.toString(), "--vocoder-unloaded");
        }
    }

    private void runClient(String... cmd) throws Exception {
        Process p = run(dir, cmd);
        boolean done = p.waitFor(180, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        String out = output(p);
        assertTrue(done, "client timed out: " + out);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("ALL OK"), out);
    }

    private static String output(Process p) {
        try {
            return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return "(no output: " + e + ")";
        }
    }
}
