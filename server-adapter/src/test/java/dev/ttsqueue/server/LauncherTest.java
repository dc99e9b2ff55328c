package dev.ttsqueue.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LauncherTest {
    @TempDir
    Path dir;

    @Test
    void aTakenPortFailsInOneLineBeforeTheDatabaseIsOpened() throws Exception {
        Path data = dir.resolve("data");
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = taken.getLocalPort();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = Launcher.run(new String[] {"--port", String.valueOf(port), "--data-dir", data.toString()}, Map.of(),
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            assertEquals(1, code);
            List<String> lines = err.toString(StandardCharsets.UTF_8).lines().toList();
            assertEquals(1, lines.size(), lines.toString());
            assertTrue(lines.get(0).startsWith("ttsqueue-server: port " + port + " on 127.0.0.1 is already in use"), lines.get(0));
            assertTrue(lines.get(0).contains("--port"), lines.get(0));
        }
        assertFalse(Files.exists(data.resolve("jobs.db")), "no database was opened");
        assertFalse(Files.exists(data), "not even the data folder was made");
    }

    @Test
    void aFreePortPassesTheProbeAndIsFreeAgainAfterIt() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        assertNull(Launcher.portTaken("127.0.0.1", port));
        assertNull(Launcher.portTaken("127.0.0.1", port), "the probe let it go");
        assertNull(Launcher.portTaken("127.0.0.1", 0), "port 0 is always free");
    }
}
