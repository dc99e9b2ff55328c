package dev.ttsqueue.server.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives the SQLite driver its native library from a stable place under the data folder instead
 * of letting it extract a fresh copy into the temp folder at every start: the driver deletes its
 * copy only at a clean exit, so every {@code kill -9} left a megabyte (and a lock file) behind.
 * The library is written once per driver build, to a folder named by its content's hash, and
 * reused by every later start.
 */
public final class SqliteNativeLibrary {
    private static final Logger log = LoggerFactory.getLogger(SqliteNativeLibrary.class);
    private static final String PATH_PROPERTY = "org.sqlite.lib.path";
    private static final String NAME_PROPERTY = "org.sqlite.lib.name";

    private SqliteNativeLibrary() {
    }

    /**
     * Points the driver at {@code nativeDir/sqlitejdbc-<hash>/<library>}, writing the library there
     * first when it is not there yet. Does nothing when the operator already chose a library
     * ({@code -Dorg.sqlite.lib.path}) or the driver has none for this platform; a failure to write
     * it is logged and the driver extracts its own copy as before.
     */
    public static void useStableCopy(Path nativeDir) {
        if (System.getProperty(PATH_PROPERTY) != null) {
            return;
        }
        String name = System.mapLibraryName("sqlitejdbc");
        String resource = "/org/sqlite/native/" + org.sqlite.util.OSInfo.getNativeLibFolderPathForCurrentOS() + "/" + name;
        try {
            byte[] library;
            try (InputStream in = SqliteNativeLibrary.class.getResourceAsStream(resource)) {
                if (in == null) {
                    return; // no bundled library for this platform: the driver decides
                }
                library = in.readAllBytes();
            }
            Path dir = nativeDir.resolve("sqlitejdbc-" + shortHash(library));
            Path file = dir.resolve(name);
            if (!Files.isRegularFile(file) || Files.size(file) != library.length) {
                Files.createDirectories(dir);
                // Written aside and moved into place: a server killed meanwhile, or one starting at
                // the same time, never sees half a library.
                Path part = Files.createTempFile(dir, name, ".part");
                try {
                    Files.write(part, library);
                    Files.move(part, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } finally {
                    Files.deleteIfExists(part);
                }
            }
            System.setProperty(PATH_PROPERTY, dir.toString());
            System.setProperty(NAME_PROPERTY, name);
        } catch (IOException | RuntimeException e) {
            log.warn("could not keep SQLite's native library under {} ({}); it is extracted to the temp folder instead", nativeDir, e.toString());
        }
    }

    private static String shortHash(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
