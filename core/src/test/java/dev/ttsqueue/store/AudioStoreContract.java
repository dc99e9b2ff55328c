package dev.ttsqueue.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.ReferenceNotFoundException;
import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.audio.WavCodec;
import dev.ttsqueue.audio.WavFormat;
import dev.ttsqueue.spi.AudioEntry;
import dev.ttsqueue.spi.AudioKind;
import dev.ttsqueue.spi.AudioStore;
import dev.ttsqueue.testing.MutableClock;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What every {@link AudioStore} must do; subclasses supply the store. */
abstract class AudioStoreContract {
    static final Instant T0 = Instant.parse("2026-01-02T03:04:05.678Z");
    static final Duration UPLOAD_TTL = Duration.ofHours(1);

    final MutableClock clock = new MutableClock(T0);

    abstract AudioStore create(Clock clock, Duration uploadTtl, Duration outputTtl) throws IOException;

    AudioStore store() throws IOException {
        return create(clock, UPLOAD_TTL, null);
    }

    static AudioClip tone(int rate, int length) {
        float[] s = new float[length];
        for (int i = 0; i < length; i++) {
            s[i] = (float) (0.5 * Math.sin(i * 0.05));
        }
        return new AudioClip(s, rate);
    }

    static Stream<String> pathTricks() {
        return Stream.of("../x", "a/b", "..", ".", "/etc/passwd", "C:\\Windows\\x", "%2e%2e", "%2e%2e%2fx", "x\0y", "", " ",
                "id.wav", "x\\..\\y", "-leading-dash", "ü", "a".repeat(129));
    }

    @Test
    void savedClipComesBackAs16BitAudio() throws IOException {
        AudioStore store = store();
        AudioClip clip = tone(24000, 2400);
        AudioEntry entry = store.save(AudioKind.OUTPUT, clip);
        assertEquals(WavCodec.decode(WavCodec.encode(clip, WavFormat.PCM_16)), store.load(entry.id()));
        assertEquals(AudioKind.OUTPUT, entry.kind());
        assertEquals(T0.toEpochMilli(), entry.createdAt().toEpochMilli());
        assertNull(entry.expiresAt());
        assertEquals(0.1, entry.durationSeconds(), 1e-12);
        assertEquals(44 + 2 * 2400, entry.sizeBytes());
        assertEquals(entry, store.find(entry.id()).orElseThrow());
    }

    @Test
    void openGivesTheWavBytes() throws IOException {
        AudioStore store = store();
        AudioClip clip = tone(16000, 1000);
        AudioEntry entry = store.save(AudioKind.UPLOAD, clip);
        byte[] bytes;
        try (InputStream in = store.open(entry.id())) {
            bytes = in.readAllBytes();
        }
        assertEquals(entry.sizeBytes(), bytes.length);
        assertEquals(WavCodec.encode(clip, WavFormat.PCM_16).length, bytes.length);
        assertEquals(store.load(entry.id()), WavCodec.decode(bytes));
    }

    @Test
    void idsAreFreshAndSafe() throws IOException {
        AudioStore store = store();
        AudioEntry a = store.save(AudioKind.UPLOAD, tone(8000, 10));
        AudioEntry b = store.save(AudioKind.UPLOAD, tone(8000, 10));
        assertNotEquals(a.id(), b.id());
        assertTrue(dev.ttsqueue.spi.Identifiers.isSafe(a.id()));
    }

    @Test
    void unknownIdIsUnknownEverywhere() throws IOException {
        AudioStore store = store();
        String id = dev.ttsqueue.spi.Identifiers.newId();
        assertTrue(store.find(id).isEmpty());
        assertEquals("Audio file not found", assertThrows(ReferenceNotFoundException.class, () -> store.load(id)).getMessage());
        assertThrows(ReferenceNotFoundException.class, () -> store.open(id));
        assertFalse(store.delete(id));
    }

    @ParameterizedTest
    @MethodSource("pathTricks")
    void unsafeIdsAreUnknown(String id) throws IOException {
        AudioStore store = store();
        store.save(AudioKind.UPLOAD, tone(8000, 10));
        assertTrue(store.find(id).isEmpty());
        assertThrows(ReferenceNotFoundException.class, () -> store.load(id));
        assertThrows(ReferenceNotFoundException.class, () -> store.open(id));
        assertFalse(store.delete(id));
        assertTrue(store.find(null).isEmpty());
        assertFalse(store.delete(null));
    }

    @Test
    void deleteRemoves() throws IOException {
        AudioStore store = store();
        AudioEntry e = store.save(AudioKind.OUTPUT, tone(8000, 10));
        assertTrue(store.delete(e.id()));
        assertFalse(store.delete(e.id()));
        assertTrue(store.find(e.id()).isEmpty());
        assertThrows(ReferenceNotFoundException.class, () -> store.load(e.id()));
        assertTrue(store.list().isEmpty());
    }

    @Test
    void expiryFollowsTheClockAndKind() throws IOException {
        AudioStore store = create(clock, UPLOAD_TTL, Duration.ofMinutes(10));
        AudioEntry upload = store.save(AudioKind.UPLOAD, tone(8000, 10));
        AudioEntry output = store.save(AudioKind.OUTPUT, tone(8000, 10));
        assertEquals(upload.createdAt().plus(UPLOAD_TTL), upload.expiresAt());
        assertEquals(output.createdAt().plus(Duration.ofMinutes(10)), output.expiresAt());

        clock.advance(Duration.ofMinutes(10));
        // Expired entries are still found: the caller decides (404 "expired" vs "not found").
        assertTrue(store.find(output.id()).orElseThrow().isExpired(clock.instant()));
        assertFalse(store.find(upload.id()).orElseThrow().isExpired(clock.instant()));
        assertEquals(1, store.purgeExpired(clock.instant()));
        assertTrue(store.find(output.id()).isEmpty());
        assertTrue(store.find(upload.id()).isPresent());

        assertEquals(0, store.purgeExpired(clock.instant().plus(Duration.ofMinutes(49))));
        assertEquals(1, store.purgeExpired(clock.instant().plus(Duration.ofMinutes(50))));
        assertTrue(store.list().isEmpty());
    }

    @Test
    void nullTtlNeverExpires() throws IOException {
        AudioStore store = create(clock, null, null);
        AudioEntry e = store.save(AudioKind.UPLOAD, tone(8000, 10));
        assertNull(e.expiresAt());
        assertEquals(0, store.purgeExpired(Instant.MAX));
        assertTrue(store.find(e.id()).isPresent());
    }

    @Test
    void negativeTtlIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> create(clock, Duration.ofSeconds(-1), null));
        assertThrows(IllegalArgumentException.class, () -> create(clock, null, Duration.ofSeconds(-1)));
    }

    @Test
    void listIsOldestFirst() throws IOException {
        AudioStore store = store();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ids.add(store.save(i % 2 == 0 ? AudioKind.UPLOAD : AudioKind.OUTPUT, tone(8000, 10)).id());
            clock.advance(Duration.ofSeconds(1));
        }
        assertEquals(ids, store.list().stream().map(AudioEntry::id).toList());
    }

    @Test
    void concurrentSavesAllLand() throws Exception {
        AudioStore store = store();
        ExecutorService pool = Executors.newFixedThreadPool(4, r -> new Thread(r, "store-test-writer"));
        try {
            List<Future<AudioEntry>> futures = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                int n = i;
                futures.add(pool.submit(() -> store.save(n % 2 == 0 ? AudioKind.UPLOAD : AudioKind.OUTPUT, tone(8000, 100 + n))));
            }
            Set<String> ids = new HashSet<>();
            for (Future<AudioEntry> f : futures) {
                AudioEntry e = f.get(30, TimeUnit.SECONDS);
                ids.add(e.id());
                assertEquals(Math.round(e.durationSeconds() * 8000), store.load(e.id()).length());
            }
            assertEquals(40, ids.size());
            assertEquals(40, store.list().size());
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void ownerIsKeptWithTheClipAndAnonymousByDefault() throws IOException {
        AudioStore store = store();
        AudioEntry acme = store.save(AudioKind.UPLOAD, tone(8000, 80), "acme");
        AudioEntry out = store.save(AudioKind.OUTPUT, tone(8000, 80), "globex.eu_1");
        AudioEntry anonymous = store.save(AudioKind.UPLOAD, tone(8000, 80));
        AudioEntry emptyOwner = store.save(AudioKind.UPLOAD, tone(8000, 80), null);
        assertEquals("acme", acme.owner());
        assertEquals("acme", store.find(acme.id()).orElseThrow().owner());
        assertEquals("globex.eu_1", store.find(out.id()).orElseThrow().owner());
        assertEquals("", store.find(anonymous.id()).orElseThrow().owner());
        assertEquals("", store.find(emptyOwner.id()).orElseThrow().owner());
        assertEquals(List.of("acme", "globex.eu_1", "", ""), store.list().stream()
                .filter(e -> Set.of(acme.id(), out.id(), anonymous.id(), emptyOwner.id()).contains(e.id()))
                .sorted(java.util.Comparator.comparing(e -> List.of(acme.id(), out.id(), anonymous.id(), emptyOwner.id()).indexOf(e.id())))
                .map(AudioEntry::owner).toList());
    }

    @ParameterizedTest
    @MethodSource("badOwners")
    void badOwnerIsRefusedAndNothingIsStored(String owner) throws IOException {
        AudioStore store = store();
        int before = store.list().size();
        assertThrows(dev.ttsqueue.InvalidRequestException.class, () -> store.save(AudioKind.UPLOAD, tone(8000, 80), owner));
        assertEquals(before, store.list().size());
    }

    static Stream<String> badOwners() {
        return Stream.of("../x", "a/b", "a b", "x\0y", "ü", "a".repeat(65), "x\ny");
    }
}
