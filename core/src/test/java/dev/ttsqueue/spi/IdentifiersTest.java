package dev.ttsqueue.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.InvalidRequestException;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class IdentifiersTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "Z9", "0f3e-4b_x", "391d7c92-bdee-4d49-b08a-66830aa5eb76"})
    void acceptsIdsThatCannotNameAnotherPath(String id) {
        assertTrue(Identifiers.isSafe(id));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "..", "../x", "a/b", "a\\b", "/etc/passwd", "-a", "_a", "a.wav", "%2e%2e", "a\u0000b",
            "C:x", "a b", "é", "ａ"})
    void refusesAnythingElse(String id) {
        assertFalse(Identifiers.isSafe(id));
    }

    @Test
    void refusesNullAndOverlongIds() {
        assertFalse(Identifiers.isSafe(null));
        assertTrue(Identifiers.isSafe("a".repeat(128)));
        assertFalse(Identifiers.isSafe("a".repeat(129)));
        assertThrows(InvalidRequestException.class, () -> Identifiers.requireSafe("job id", "../x"));
    }

    @Test
    void newIdsAreDistinctVersion7UuidsStampedWithTheTimeTheyWereIssued() {
        Set<String> seen = new HashSet<>();
        long before = System.currentTimeMillis();
        for (int i = 0; i < 10_000; i++) {
            String id = Identifiers.newId();
            UUID u = UUID.fromString(id);
            assertEquals(7, u.version());
            assertEquals(2, u.variant());
            long stamped = u.getMostSignificantBits() >>> 16;
            assertTrue(stamped >= before && stamped <= System.currentTimeMillis(), id);
            assertTrue(Identifiers.isSafe(id));
            assertTrue(seen.add(id));
        }
    }

    @Test
    void idsOfLaterMillisecondsSortAfterEarlierOnesAndIdsOfOneMillisecondDiffer() {
        long t = Instant.parse("2026-12-01T00:00:00Z").toEpochMilli();
        String previous = Identifiers.newId(t);
        Set<String> sameMillisecond = new HashSet<>();
        for (int i = 1; i <= 5_000; i++) {
            String id = Identifiers.newId(t + i);
            assertTrue(id.compareTo(previous) > 0, previous + " then " + id);
            previous = id;
            assertTrue(sameMillisecond.add(Identifiers.newId(t)), "74 random bits tell ids of one millisecond apart");
        }
    }

    @Test
    void voiceNamesAreNormalisedAsTheOldServerDid() {
        // re.sub(r'[^a-zA-Z0-9_-]', '', name.lower()): spaces are dropped, not turned into '_'.
        assertEquals("myvoice", Identifiers.normalizeVoiceName("My Voice!"));
        assertEquals("annasmith", Identifiers.normalizeVoiceName("  Anna Smith "));
        assertEquals("x-1", Identifiers.normalizeVoiceName("X-1!"));
        assertEquals("etcpasswd", Identifiers.normalizeVoiceName("../etc/passwd"));
        assertEquals("_-narrator", Identifiers.normalizeVoiceName("_-Narrator"), "a leading '_' or '-' is kept, as the old server kept it");
        assertEquals("caf", Identifiers.normalizeVoiceName("Café"));
        assertEquals("Voice name must contain alphanumeric characters",
                assertThrows(InvalidRequestException.class, () -> Identifiers.normalizeVoiceName("../")).getMessage());
        assertEquals("Voice name must contain alphanumeric characters",
                assertThrows(InvalidRequestException.class, () -> Identifiers.normalizeVoiceName("   ")).getMessage());
        assertEquals("Voice name is too long: at most 200 characters",
                assertThrows(InvalidRequestException.class, () -> Identifiers.normalizeVoiceName("a".repeat(201))).getMessage());
    }

    @Test
    void voicesStoredUnderTheEarlierUnderscoreRuleAreCandidates() {
        assertEquals(List.of("myvoice", "my_voice"), Identifiers.voiceNameCandidates("My Voice"));
        assertEquals(List.of("annasmith", "anna_smith"), Identifiers.voiceNameCandidates("  Anna Smith "));
        assertEquals(List.of("alice"), Identifiers.voiceNameCandidates("Alice"), "one candidate where both rules agree");
        assertEquals(List.of("_x"), Identifiers.voiceNameCandidates("_x"), "the earlier rule refused a leading '_'");
        assertEquals(List.of(), Identifiers.voiceNameCandidates("!!"));
        assertTrue(Identifiers.isVoiceName("my_voice"));
        assertTrue(Identifiers.isVoiceName("-x"));
        assertFalse(Identifiers.isVoiceName("My"));
        assertFalse(Identifiers.isVoiceName("a.b"));
        assertFalse(Identifiers.isVoiceName(""));
    }
}
