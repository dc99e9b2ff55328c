package dev.ttsqueue.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} leaves nothing to pile up in the temp folder: SQLite's native library is written
 * once under the data folder and reused by every start (it used to be extracted afresh into the
 * temp folder each time, and only a clean exit deleted it), and each start deletes the temp
 * folders of servers that no longer run. The packaged server is killed three times; after each
 * start, its temp folder holds that server's own folder and nothing else.
 */
class TempFilesIT {
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
    void killedServersLeaveNothingBehindInTheTempFolder() throws Exception {
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Path data = dir.resolve("data");
        Map<String, String> env = Map.of("JAVA_OPTS", "-Djava.io.tmpdir=" + tmp);
        Object libraryIdentity = null;
        for (int round = 0; round < 3; round++) {
            server = ServerProcess.start(data, env, "--backend", "synthetic");
            // An upload goes through the temp folder (multipart parts), so there is something to leave.
            TestServer.Reply upload = server.postMultipart("/upload-audio", Map.of("audio_file", TestServer.wavFile(0.5)));
            assertEquals(200, upload.status(), upload::toString);

            List<String> names = list(tmp);
            assertEquals(1, names.size(), "round " + round + ": " + names);
            assertTrue(names.get(0).startsWith("ttsq-" + server.pid() + "-"), "round " + round + ": " + names);

            List<Path> libraries = libraries(data.resolve("native"));
            assertEquals(1, libraries.size(), libraries::toString);
            Object identity = Files.readAttributes(libraries.get(0), java.nio.file.attribute.BasicFileAttributes.class).fileKey();
            if (libraryIdentity != null) {
                assertEquals(libraryIdentity, identity, "the native library is written once and then reused");
            }
            libraryIdentity = identity;
            server.kill();
        }
    }

    private static List<String> list(Path folder) throws Exception {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static List<Path> libraries(Path nativeDir) throws Exception {
        try (Stream<Path> s = Files.walk(nativeDir)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }
}
