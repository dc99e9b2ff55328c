package dev.ttsqueue.server.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's own folder in the system temp folder (multipart parts, request bodies waiting for
 * their last byte), named after the process: {@code ttsq-<pid>-<random>}. A server stopped cleanly
 * deletes its folder; one killed cannot, so each start deletes the folders of processes that no
 * longer run.
 */
public final class TempFolders {
    private static final Logger log = LoggerFactory.getLogger(TempFolders.class);
    private static final Pattern OURS = Pattern.compile("ttsq-(\\d+)-[^/]+");

    private TempFolders() {
    }

    /** Deletes the folders left by servers that are gone, then creates this process's folder. */
    public static Path create() throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        clearStale(tmp);
        return Files.createTempDirectory(tmp, "ttsq-" + ProcessHandle.current().pid() + "-");
    }

    /** Deletes every {@code ttsq-<pid>-*} folder in {@code tmp} whose process no longer runs. */
    static void clearStale(Path tmp) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(tmp, "ttsq-*")) {
            for (Path p : entries) {
                Matcher m = OURS.matcher(p.getFileName().toString());
                if (m.matches() && Files.isDirectory(p) && !running(m.group(1))) {
                    deleteTree(p);
                    log.info("deleted {}, left by a server that is no longer running", p);
                }
            }
        } catch (IOException | RuntimeException e) {
            log.warn("could not look for folders left by earlier servers in {}: {}", tmp, e.toString());
        }
    }

    private static boolean running(String pid) {
        try {
            return ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
        } catch (NumberFormatException e) {
            return true; // not a pid we wrote: leave it alone
        }
    }

    /** Deletes {@code dir} and everything in it, as far as it can. */
    public static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    log.debug("could not delete {}", p);
                }
            });
        } catch (IOException e) {
            log.debug("could not clean {}", dir);
        }
    }
}
