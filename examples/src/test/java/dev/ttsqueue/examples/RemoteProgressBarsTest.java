package dev.ttsqueue.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.TtsJobQueue;
import dev.ttsqueue.inference.freetts.FreeTtsBackend;
import dev.ttsqueue.server.ServerConfig;
import dev.ttsqueue.server.TtsServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The remote example against the real server (FreeTTS, as {@code ./run-server.sh} starts it) on a
 * loopback port: a bar per job that ends full and done, estimates on the way, the results saved.
 */
class RemoteProgressBarsTest {
    private static final Path SAMPLES = Path.of(System.getProperty("ttsq.test.samples", "../samples"));

    @Test
    void drawsABarPerJobWithEstimatesAndSavesTheResults(@TempDir Path dir) throws Exception {
        try (TtsJobQueue queue = TtsJobQueue.builder().backend(new FreeTtsBackend()).build();
             TtsServer server = TtsServer.start(ServerConfig.defaults().withPort(0), queue)) {
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            List<Path> files = RemoteProgressBars.run(new String[] {"--server", "http://127.0.0.1:" + server.port(),
                "--reference", SAMPLES.resolve("reference.wav").toString(), "--out", dir.resolve("out").toString()},
                    new PrintStream(printed, true, StandardCharsets.UTF_8), false);

            assertEquals(3, files.size());
            for (Path f : files) {
                Speech.assertSpoken(f, 1.0);
            }
            List<String> lines = printed.toString(StandardCharsets.UTF_8).lines().toList();
            for (int job = 0; job < 3; job++) {
                String prefix = "job " + job + " [";
                List<String> bars = lines.stream().filter(l -> l.startsWith(prefix)).toList();
                assertTrue(bars.size() >= 2, "job " + job + " has a bar that moves: " + lines);
                String last = bars.get(bars.size() - 1);
                assertTrue(last.contains("[" + "#".repeat(30) + "] 100% done"), last);
            }
            assertTrue(lines.stream().anyMatch(l -> l.matches("job \\d \\[.*\\].* eta \\d+s")), "estimates are shown: " + lines);
        }
    }
}
