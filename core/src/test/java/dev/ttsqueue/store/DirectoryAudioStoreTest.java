package dev.ttsqueue.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.ReferenceNotFoundException;
import dev.ttsqueue.audio.WavCodec;
import dev.ttsqueue.audio.WavFormat;
import dev.ttsqueue.audio.WavInfo;
import dev.ttsqueue.spi.AudioEntry;
import dev.ttsqueue.spi.AudioKind;
import dev.ttsqueue.spi.AudioStore;
import dev.ttsqueue.spi.Identifiers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryAudioStoreTest extends AudioStoreContract {
    @TempDir
    Path root;

    @Override
    AudioStore create(Clock clock, Duration uploadTtl, Duration outputTtl) throws IOException {
        return new DirectoryAudioStore(root, clock, uploadTtl, outputTtl);
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writes16BitWavNamedByIdInItsKindsFolder() throws IOException {
        AudioStore store = store();
        AudioEntry up = store.save(AudioKind.UPLOAD, tone(44100, 4410));
        AudioEntry out = store.save(AudioKind.OUTPUT, tone(24000, 240));
        Path uploads = root.toRealPath().resolve("uploads");
        Path outputs = root.toRealPath().resolve("outputs");
        assertEquals(uploads.resolve(up.id() + ".wav"), up.path());
        assertEquals(outputs.resolve(out.id() + ".wav"), out.path());
        assertEquals(new WavInfo(44100, 1, 16, false, 4410), WavCodec.probe(up.path()));
        assertEquals(Files.size(up.path()), up.sizeBytes());
        assertEquals(List.of(up.id() + ".wav"), names(uploads));
        assertEquals(List.of(out.id() + ".wav"), names(outputs));
        assertEquals(List.of(uploads, outputs), store.roots());
    }

    @Test
    void restartSeesOldFilesWithTheirTimes() throws IOException {
        AudioStore first = create(clock, UPLOAD_TTL, Duration.ofDays(1));
        AudioEntry up = first.save(AudioKind.UPLOAD, tone(16000, 8000));
        clock.advance(Duration.ofMinutes(5));
        AudioEntry out = first.save(AudioKind.OUTPUT, tone(24000, 12000));

        AudioStore second = create(clock, Duration.ofMinutes(30), null);
        AudioEntry up2 = second.find(up.id()).orElseThrow();
        assertEquals(up.createdAt(), up2.createdAt());
        assertEquals(up.createdAt().plus(Duration.ofMinutes(30)), up2.expiresAt(), "expiry follows the new instance's TTL");
        assertEquals(AudioKind.UPLOAD, up2.kind());
        assertEquals(0.5, up2.durationSeconds(), 1e-12);
        assertEquals(up.sizeBytes(), up2.sizeBytes());
        AudioEntry out2 = second.find(out.id()).orElseThrow();
        assertEquals(AudioKind.OUTPUT, out2.kind());
        assertEquals(null, out2.expiresAt());
        assertEquals(first.load(out.id()), second.load(out.id()));
        assertEquals(List.of(up.id(), out.id()), second.list().stream().map(AudioEntry::id).toList());
    }

    @Test
    void ownerSurvivesARestartInASidecarAndTheAnonymousTenantGetsNone() throws IOException {
        AudioStore first = store();
        AudioEntry owned = first.save(AudioKind.UPLOAD, tone(8000, 80), "acme");
        AudioEntry output = first.save(AudioKind.OUTPUT, tone(8000, 80), "globex");
        AudioEntry anonymous = first.save(AudioKind.UPLOAD, tone(8000, 80));
        Path uploads = root.resolve("uploads");
        assertEquals("acme", Files.readString(uploads.resolve(owned.id() + ".owner")));
        assertEquals("globex", Files.readString(root.resolve("outputs").resolve(output.id() + ".owner")));
        assertFalse(Files.exists(uploads.resolve(anonymous.id() + ".owner")), "the folders look as before tenants");

        AudioStore second = store();
        assertEquals("acme", second.find(owned.id()).orElseThrow().owner());
        assertEquals("globex", second.find(output.id()).orElseThrow().owner());
        assertEquals("", second.find(anonymous.id()).orElseThrow().owner());

        assertTrue(second.delete(owned.id()));
        assertFalse(Files.exists(uploads.resolve(owned.id() + ".owner")), "the sidecar goes with its clip");
        clock.advance(Duration.ofDays(2));
        assertEquals(1, second.purgeExpired(clock.instant()));
        try (Stream<Path> left = Files.list(uploads)) {
            assertEquals(List.of(), left.toList(), "purge deletes the sidecar too");
        }
    }

    @Test
    void restartDropsOrphanSidecarsAndIgnoresAClipWhoseOwnerCannotBeRead() throws IOException {
        AudioStore first = store();
        AudioEntry tampered = first.save(AudioKind.UPLOAD, tone(8000, 80), "acme");
        AudioEntry fine = first.save(AudioKind.UPLOAD, tone(8000, 80), "acme");
        Path uploads = root.resolve("uploads");
        Files.writeString(uploads.resolve(tampered.id() + ".owner"), "../../etc");
        Path orphan = uploads.resolve(Identifiers.newId() + ".owner");
        Files.writeString(orphan, "acme");

        AudioStore second = store();
        assertTrue(second.find(tampered.id()).isEmpty(), "given to nobody rather than to everybody");
        assertTrue(Files.exists(uploads.resolve(tampered.id() + ".wav")), "and kept on disk");
        assertEquals("acme", second.find(fine.id()).orElseThrow().owner());
        assertFalse(Files.exists(orphan));
    }

    @Test
    void restartIgnoresFilesItDidNotWriteKeepsDamagedOnesAndCleansInterruptedWrites() throws IOException {
        AudioStore first = store();
        AudioEntry kept = first.save(AudioKind.UPLOAD, tone(8000, 80));
        Path uploads = root.resolve("uploads");
        Files.writeString(uploads.resolve("notes.txt"), "hello");
        Files.write(uploads.resolve("bad name.wav"), WavCodec.encode(tone(8000, 8), WavFormat.PCM_16));
        Files.writeString(uploads.resolve("corrupt.wav"), "not a wav at all");
        Files.write(uploads.resolve(".tmp-123.part"), new byte[] {1, 2, 3});
        Files.createDirectory(uploads.resolve("folder.wav"));
        Path outside = root.resolve("outside.wav");
        Files.write(outside, WavCodec.encode(tone(8000, 8), WavFormat.PCM_16));
        Files.createSymbolicLink(uploads.resolve("linked.wav"), outside);

        AudioStore second = store();
        // An unreadable WAV under a name this store writes is kept and reported (DirectoryAudioStoreDamageTest).
        assertEquals(java.util.Set.of(kept.id(), "corrupt"), java.util.Set.copyOf(second.list().stream().map(AudioEntry::id).toList()));
        assertTrue(second.damage("corrupt").isPresent());
        assertTrue(second.find("linked").isEmpty());
        assertFalse(Files.exists(uploads.resolve(".tmp-123.part")));
    }

    @Test
    void idsThatPointOutsideNeverReachFiles() throws IOException {
        AudioStore store = store();
        Path secret = root.resolve("secret.wav");
        Files.write(secret, WavCodec.encode(tone(8000, 8), WavFormat.PCM_16));
        for (String id : new String[] {"../secret", "..%2fsecret", root.resolve("secret").toString(), "uploads/../../secret"}) {
            assertTrue(store.find(id).isEmpty(), id);
            assertThrows(ReferenceNotFoundException.class, () -> store.load(id));
            assertFalse(store.delete(id), id);
        }
        assertTrue(Files.exists(secret));
    }

    @Test
    void fileDeletedBehindTheStoresBackIsNotFound() throws IOException {
        AudioStore store = store();
        AudioEntry e = store.save(AudioKind.OUTPUT, tone(8000, 80));
        Files.delete(e.path());
        assertThrows(ReferenceNotFoundException.class, () -> store.load(e.id()));
        assertTrue(store.find(e.id()).isEmpty());
        AudioEntry f = store.save(AudioKind.OUTPUT, tone(8000, 80));
        Files.delete(f.path());
        assertThrows(ReferenceNotFoundException.class, () -> store.open(f.id()));
    }

    @Test
    void purgeDeletesTheFiles() throws IOException {
        AudioStore store = create(clock, Duration.ofSeconds(1), null);
        AudioEntry e = store.save(AudioKind.UPLOAD, tone(8000, 80));
        clock.advance(Duration.ofSeconds(1));
        assertEquals(1, store.purgeExpired(clock.instant()));
        assertFalse(Files.exists(e.path()));
        assertEquals(List.of(), names(root.resolve("uploads")));
    }

    @Test
    void purgeKeepsWhatItCannotDeleteAndRetriesLater() throws IOException {
        AudioStore store = create(clock, Duration.ofSeconds(1), null);
        AudioEntry stuck = store.save(AudioKind.UPLOAD, tone(8000, 80));
        AudioEntry fine = store.save(AudioKind.UPLOAD, tone(8000, 80));
        // A non-empty directory where the file was cannot be deleted.
        Files.delete(stuck.path());
        Files.createDirectory(stuck.path());
        Files.writeString(stuck.path().resolve("x"), "x");
        clock.advance(Duration.ofSeconds(1));
        assertEquals(1, store.purgeExpired(clock.instant()));
        assertTrue(store.find(fine.id()).isEmpty());
        assertTrue(store.find(stuck.id()).isPresent(), "kept for a later purge");
        Files.delete(stuck.path().resolve("x"));
        assertEquals(1, store.purgeExpired(clock.instant()));
        assertTrue(store.list().isEmpty());
    }

    @Test
    void saveLeavesNoTemporaryFiles() throws IOException {
        AudioStore store = store();
        for (int i = 0; i < 5; i++) {
            store.save(AudioKind.OUTPUT, tone(8000, 1000));
        }
        assertTrue(names(root.resolve("outputs")).stream().allMatch(n -> n.endsWith(".wav") && Identifiers.isSafe(n.substring(0, n.length() - 4))));
    }

    @Test
    void failedWriteKeepsTheOldFileAndLeavesNoTemporary(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("x.wav");
        Files.writeString(target, "old");
        IOException boom = assertThrows(IOException.class, () -> AtomicFiles.write(target, null, out -> {
            out.write(new byte[100_000]);
            throw new IOException("disk full");
        }));
        assertEquals("disk full", boom.getMessage());
        assertEquals("old", Files.readString(target));
        assertEquals(List.of("x.wav"), names(dir));

        AtomicFiles.write(target, null, out -> out.write("new".getBytes(StandardCharsets.UTF_8)));
        assertArrayEquals("new".getBytes(StandardCharsets.UTF_8), Files.readAllBytes(target));
        assertEquals(List.of("x.wav"), names(dir));
    }

    @Test
    void createsMissingFolders() throws IOException {
        Path nested = root.resolve("a/b/c");
        AudioStore store = new DirectoryAudioStore(nested, clock, null, null);
        assertTrue(Files.isDirectory(nested.resolve("uploads")));
        assertTrue(Files.isDirectory(nested.resolve("outputs")));
        assertEquals(8, store.load(store.save(AudioKind.UPLOAD, tone(8000, 8)).id()).length());
    }
}
