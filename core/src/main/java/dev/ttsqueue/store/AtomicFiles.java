package dev.ttsqueue.store;

import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.audio.WavCodec;
import dev.ttsqueue.audio.WavFormat;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * File writes for the stores: into a temporary file in the target's folder, flushed to disk, then
 * renamed over the target, so readers and crashes only ever see the old file or the complete new
 * one. Temporary files are dot-files ending in {@code .part}; {@link #deleteLeftovers} removes the
 * ones a crash left.
 */
final class AtomicFiles {
    private static final Logger log = LoggerFactory.getLogger(AtomicFiles.class);
    private static final String TEMP_PREFIX = ".tmp-";
    private static final String TEMP_SUFFIX = ".part";

    private AtomicFiles() {
    }

    /** {@code dir/fileName}, refusing any name that would leave {@code dir}. */
    static Path inside(Path dir, String fileName) {
        Path file = dir.resolve(fileName).normalize();
        if (!dir.equals(file.getParent())) {
            throw new IllegalArgumentException("File name " + fileName + " leaves its folder");
        }
        return file;
    }

    /** Writes {@code clip} to {@code target} atomically with the given modification time; returns the file size. */
    static long writeWav(Path target, AudioClip clip, WavFormat format, Instant modified) throws IOException {
        return write(target, modified, out -> WavCodec.write(clip, format, out));
    }

    /** Writes {@code text} as UTF-8 to {@code target} atomically. */
    static void writeText(Path target, String text) throws IOException {
        write(target, null, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** Deletes temporary files left in {@code dir} by a crash during a write. */
    static void deleteLeftovers(Path dir) throws IOException {
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(dir, TEMP_PREFIX + "*" + TEMP_SUFFIX)) {
            for (Path p : leftovers) {
                log.info("deleting {}, left by an interrupted write", p);
                Files.deleteIfExists(p);
            }
        }
    }

    /**
     * Makes the rename itself durable: without it a power cut may keep a job's "completed" row in
     * the job store yet lose the directory entry of its output. Linux allows fsync on a directory;
     * where the platform refuses (Windows), the rename stays as durable as the file system makes it.
     */
    static void forceDirectory(Path dir) throws IOException {
        if (dir == null) {
            return;
        }
        Boolean syncs = DIRECTORY_SYNCS.get(dir);
        if (Boolean.FALSE.equals(syncs)) {
            return;
        }
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
            if (syncs == null) {
                DIRECTORY_SYNCS.put(dir, Boolean.TRUE);
            }
        } catch (IOException | UnsupportedOperationException e) {
            if (syncs == null) {
                // The first try on this folder failed: the platform or file system does not sync
                // folders (Windows, SMB and some FUSE mounts answer EINVAL or refuse to open one),
                // as PostgreSQL and coreutils also allow for. Say so once and go on without it.
                DIRECTORY_SYNCS.put(dir, Boolean.FALSE);
                log.warn("folder {} cannot be synced ({}); renames and deletes there are as durable as its file system makes them",
                        dir, e.toString());
                return;
            }
            // It worked before: now it is an I/O error like any other, and the caller must not
            // report as durable what may not be.
            throw e instanceof IOException io ? io : new IOException("cannot fsync directory " + dir, e);
        }
    }

    /** Per folder: whether syncing it worked the first time (absent = not tried yet). */
    private static final java.util.Map<Path, Boolean> DIRECTORY_SYNCS = new java.util.concurrent.ConcurrentHashMap<>();

    /** Deletes {@code file} if present and makes the deletion durable. */
    static boolean deleteDurably(Path file) throws IOException {
        boolean deleted = Files.deleteIfExists(file);
        if (deleted) {
            forceDirectory(file.getParent());
        }
        return deleted;
    }

    /** What goes into the file. */
    interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    /** A file written and synced under a temporary name, waiting for {@link #commit}. */
    record Prepared(Path temp, Path target) {
        /** Moves it into place atomically and makes the rename durable. */
        void commit() throws IOException {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            forceDirectory(target.getParent());
        }

        /** Drops it when it will not be committed. */
        void discard() {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException e) {
                log.warn("could not delete {}: {}", temp, e.toString());
            }
        }
    }

    /** Writes and syncs {@code text} beside {@code target}, to be moved there by {@link Prepared#commit}. */
    static Prepared prepareText(Path target, String text) throws IOException {
        return prepare(target, null, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** Writes and syncs a WAV beside {@code target}, to be moved there by {@link Prepared#commit}. */
    static Prepared prepareWav(Path target, AudioClip clip, WavFormat format) throws IOException {
        return prepare(target, null, out -> WavCodec.write(clip, format, out));
    }

    private static Prepared prepare(Path target, Instant modified, Body body) throws IOException {
        Path temp = target.resolveSibling(TEMP_PREFIX + UUID.randomUUID() + TEMP_SUFFIX);
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
                body.writeTo(out);
                out.flush();
                if (modified != null) {
                    // Before the sync, so that the time (an expiry's base after a restart) is durable too.
                    Files.setLastModifiedTime(temp, FileTime.from(modified));
                }
                channel.force(true);
            }
            return new Prepared(temp, target);
        } catch (IOException | RuntimeException | Error e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** Writes {@code body} to {@code target} atomically (modification time set when not null); returns the size. */
    static long write(Path target, Instant modified, Body body) throws IOException {
        Prepared prepared = prepare(target, modified, body);
        try {
            long size = Files.size(prepared.temp());
            Files.move(prepared.temp(), target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            // After the rename the file is in place: a failing folder sync below is reported, and
            // the caller treats the write as failed (the file is found again by the next scan).
            forceDirectory(target.getParent());
            return size;
        } catch (IOException | RuntimeException | Error e) {
            prepared.discard();
            throw e;
        }
    }
}
