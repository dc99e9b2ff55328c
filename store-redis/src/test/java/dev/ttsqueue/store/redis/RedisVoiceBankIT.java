package dev.ttsqueue.store.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.InvalidRequestException;
import dev.ttsqueue.ReferenceNotFoundException;
import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.audio.WavCodec;
import dev.ttsqueue.audio.WavFormat;
import dev.ttsqueue.spi.Voice;
import dev.ttsqueue.spi.VoiceBank;
import dev.ttsqueue.store.redis.testing.RedisServer;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Voices in Redis: the old server's naming rule, transcripts, and one bank for every node. */
class RedisVoiceBankIT {
    private static final AtomicInteger PREFIX = new AtomicInteger();
    private static RedisServer redis;
    private final String prefix = "voices-" + PREFIX.incrementAndGet();
    private final List<RedisJobStore> opened = new ArrayList<>();

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServer.start(Files.createTempDirectory("ttsq-redis-voices-"));
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @AfterEach
    void closeStores() {
        opened.forEach(RedisJobStore::close);
    }

    private VoiceBank node() {
        RedisJobStore s = RedisJobStore.open(RedisConfig.builder(redis.uri()).keyPrefix(prefix).build());
        opened.add(s);
        return RedisVoiceBank.sharing(s);
    }

    private static AudioClip tone(int length, double pitch) {
        float[] s = new float[length];
        for (int i = 0; i < length; i++) {
            s[i] = (float) (0.4 * Math.sin(i * pitch));
        }
        return new AudioClip(s, 24_000);
    }

    /** What a bank gives back: the clip as 16-bit WAV holds it. */
    private static AudioClip quantised(AudioClip clip) {
        return WavCodec.decode(WavCodec.encode(clip, WavFormat.PCM_16));
    }

    @Test
    void aVoiceSavedOnOneNodeSpeaksOnAnother() throws Exception {
        VoiceBank a = node();
        VoiceBank b = node();
        AudioClip clip = tone(24_000, 0.05);

        Voice saved = a.save("My Voice!", clip, "  Hello there.  ");

        assertEquals(new Voice("myvoice", "myvoice.wav", 1.0, "Hello there.", null), saved);
        assertEquals(saved, b.find("myvoice").orElseThrow());
        assertEquals(saved, b.lookup("My Voice").orElseThrow(), "a user's spelling finds it");
        assertEquals(quantised(clip), b.load("myvoice"));
        assertNull(b.directory(), "no folder");
    }

    @Test
    void listIsSortedByNameAndDeleteRemoves() throws Exception {
        VoiceBank bank = node();
        bank.save("zeta", tone(100, 0.1), "");
        bank.save("alpha", tone(200, 0.1), "words");
        bank.save("mid_dle-1", tone(300, 0.1), "");

        assertEquals(List.of("alpha", "mid_dle-1", "zeta"), bank.list().stream().map(Voice::name).toList());
        assertEquals("words", bank.list().get(0).refText());
        assertTrue(bank.delete("zeta"));
        assertFalse(bank.delete("zeta"));
        assertTrue(bank.find("zeta").isEmpty());
        assertEquals(List.of("alpha", "mid_dle-1"), bank.list().stream().map(Voice::name).toList());
    }

    @Test
    void savingAgainReplacesAudioAndTranscript() throws Exception {
        VoiceBank bank = node();
        bank.save("anna", tone(100, 0.1), "old words");
        AudioClip newer = tone(500, 0.2);
        bank.save("ANNA", newer, "");

        Voice v = bank.find("anna").orElseThrow();
        assertEquals("", v.refText(), "a blank transcript removes the old one");
        assertEquals(quantised(newer), bank.load("anna"));
    }

    @Test
    void unknownAndUnsafeNamesAreUnknown() throws Exception {
        VoiceBank bank = node();
        for (String name : List.of("nobody", "../x", "A", "", "a b")) {
            assertTrue(bank.find(name).isEmpty(), name);
            assertFalse(bank.delete(name), name);
            assertThrows(ReferenceNotFoundException.class, () -> bank.load(name), name);
        }
        assertEquals("Voice 'nobody' not found", assertThrows(ReferenceNotFoundException.class, () -> bank.load("nobody")).getMessage());
        assertThrows(InvalidRequestException.class, () -> bank.save("!!!", tone(10, 0.1), ""));
    }

    @Test
    void aTranscriptIsStoredOnlyOnTheVoiceThatWasTranscribed() throws Exception {
        VoiceBank a = node();
        VoiceBank b = node();
        a.save("bob", tone(400, 0.1), "");
        AudioClip heard = a.load("bob");

        b.save("bob", tone(400, 0.3), ""); // replaced on another node while the first was transcribing
        assertFalse(a.storeTranscript("bob", heard, "words for the old audio"));
        assertEquals("", a.find("bob").orElseThrow().refText());

        AudioClip current = b.load("bob");
        assertTrue(a.storeTranscript("bob", current, " the right words "));
        assertEquals("the right words", b.find("bob").orElseThrow().refText());
        assertFalse(a.storeTranscript("bob", current, "other words"), "a voice with a transcript keeps it");
        assertFalse(a.storeTranscript("nobody", current, "x"));
    }

    @Test
    void aVoiceFoundIsTakenAsItWasForASecondAndChangesThroughThisNodeAreSeenAtOnce() throws Exception {
        AtomicLong ticks = new AtomicLong();
        RedisJobStore store = RedisJobStore.open(RedisConfig.builder(redis.uri()).keyPrefix(prefix).build());
        opened.add(store);
        VoiceBank here = RedisVoiceBank.sharing(store, ticks::get);
        VoiceBank elsewhere = node();
        long second = RedisVoiceBank.RECHECK_AFTER.toNanos();

        here.save("anna", tone(100, 0.1), "first words");
        assertEquals("first words", here.find("anna").orElseThrow().refText());
        elsewhere.save("anna", tone(100, 0.1), "second words");
        ticks.addAndGet(second - 1);
        assertEquals("first words", here.find("anna").orElseThrow().refText(), "another node's change: within the second, as read");
        ticks.addAndGet(1);
        assertEquals("second words", here.find("anna").orElseThrow().refText(), "a second later, Redis is asked again");

        here.save("anna", tone(100, 0.1), "third words");
        assertFalse(here.storeTranscript("anna", here.load("anna"), "ignored: it has words"));
        assertEquals("third words", here.find("anna").orElseThrow().refText(), "a save through this bank, at once");
        elsewhere.delete("anna");
        assertTrue(here.find("anna").isPresent(), "deleted elsewhere: still as read, for the rest of the second");
        assertThrows(ReferenceNotFoundException.class, () -> here.load("anna"), "the audio itself is always read from Redis");
        ticks.addAndGet(second);
        assertTrue(here.find("anna").isEmpty());

        assertTrue(here.find("zoe").isEmpty());
        elsewhere.save("zoe", tone(100, 0.1), "");
        assertTrue(here.find("zoe").isPresent(), "a name not found is asked about every time: new voices work at once");
        assertTrue(here.delete("zoe"));
        assertTrue(here.find("zoe").isEmpty(), "a delete through this bank, at once");

        VoiceBank acmeHere = here.forTenant("acme");
        acmeHere.save("bob", tone(100, 0.1), "acme words");
        assertEquals("acme words", acmeHere.find("bob").orElseThrow().refText());
        here.forTenant("acme").save("bob", tone(100, 0.1), "newer acme words");
        assertEquals("newer acme words", acmeHere.find("bob").orElseThrow().refText(), "a tenant's banks share what they found");
    }

    @Test
    void aTenantsVoicesAreItsOwnOnEveryNodeAndApartFromTheSharedOnes() throws Exception {
        VoiceBank shared = node();
        VoiceBank acme = shared.forTenant("acme");
        assertTrue(shared.forTenant("") == shared, "the anonymous tenant's voices are the shared ones");
        shared.save("anna", tone(800, 0.05), "shared words");
        acme.save("anna", tone(1600, 0.07), "acme words");
        acme.save("bob", tone(80, 0.05), "");

        VoiceBank otherNode = node();
        assertEquals(List.of("anna"), otherNode.list().stream().map(Voice::name).toList());
        assertEquals(List.of("anna", "bob"), otherNode.forTenant("acme").list().stream().map(Voice::name).toList());
        assertEquals("acme words", otherNode.forTenant("acme").find("anna").orElseThrow().refText());
        assertEquals(quantised(tone(1600, 0.07)), otherNode.forTenant("acme").load("anna"));
        assertTrue(otherNode.forTenant("globex").find("bob").isEmpty(), "another tenant sees none of them");
        assertTrue(otherNode.forTenant("acme").delete("anna"));
        assertEquals("shared words", shared.find("anna").orElseThrow().refText(), "deleting a tenant's voice leaves the shared one");
        assertThrows(InvalidRequestException.class, () -> shared.forTenant("a:b"));
        assertThrows(UnsupportedOperationException.class, () -> acme.forTenant("globex"));
    }
}
