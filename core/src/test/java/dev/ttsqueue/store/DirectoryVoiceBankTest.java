package dev.ttsqueue.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.InvalidRequestException;
import dev.ttsqueue.ReferenceNotFoundException;
import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.audio.AudioFormatException;
import dev.ttsqueue.audio.WavCodec;
import dev.ttsqueue.audio.WavFormat;
import dev.ttsqueue.spi.Voice;
import dev.ttsqueue.spi.VoiceBank;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DirectoryVoiceBankTest {
    @TempDir
    Path dir;

    private static AudioClip tone(int rate, int length) {
        return AudioStoreContract.tone(rate, length);
    }

    private static List<String> names(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** A 16-bit stereo WAV with a LIST chunk, as audio editors write, built without WavCodec. */
    private static byte[] stereoWavWithList(int rate, int frames) {
        int dataBytes = frames * 4;
        ByteBuffer b = ByteBuffer.allocate(12 + 24 + 14 + 8 + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(b.capacity() - 8).put("WAVE".getBytes(StandardCharsets.US_ASCII));
        b.put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16).putShort((short) 1).putShort((short) 2).putInt(rate)
                .putInt(rate * 4).putShort((short) 4).putShort((short) 16);
        b.put("LIST".getBytes(StandardCharsets.US_ASCII)).putInt(5).put("INFOx".getBytes(StandardCharsets.US_ASCII)).put((byte) 0);
        b.put("data".getBytes(StandardCharsets.US_ASCII)).putInt(dataBytes);
        for (int i = 0; i < frames; i++) {
            b.putShort((short) 8192).putShort((short) -4096);
        }
        return b.array();
    }

    @Test
    void saveNormalisesTheNameAndWritesTheOldLayout() throws IOException {
        VoiceBank bank = new DirectoryVoiceBank(dir);
        Voice v = bank.save("  Alice Smith!! ", tone(24000, 12000), "  Hello, I am Alice.  ");
        assertEquals("alicesmith", v.name());
        assertEquals("alicesmith.wav", v.filename());
        assertEquals(0.5, v.durationSeconds(), 1e-12);
        assertEquals("Hello, I am Alice.", v.refText());
        assertEquals(dir.toRealPath().resolve("alicesmith.wav"), v.path());
        assertEquals(List.of("alicesmith.wav", "alicesmith_ref.txt"), names(dir));
        assertEquals("Hello, I am Alice.", Files.readString(dir.resolve("alicesmith_ref.txt"), StandardCharsets.UTF_8));
        assertEquals(v, bank.find("alicesmith").orElseThrow());
        assertEquals(v, bank.lookup("Alice Smith").orElseThrow());
        assertEquals(WavCodec.decode(WavCodec.encode(tone(24000, 12000), WavFormat.PCM_16)), bank.load("alicesmith"));
    }

    @Test
    void voicesSavedUnderTheEarlierUnderscoreRuleAreStillFound() throws IOException {
        // Written the way earlier versions stored "Alice Smith": spaces turned into '_'.
        Files.write(dir.resolve("alice_smith.wav"), WavCodec.encode(tone(16000, 1600), WavFormat.PCM_16));
        Files.writeString(dir.resolve("alice_smith_ref.txt"), "An older take.", StandardCharsets.UTF_8);
        VoiceBank bank = new DirectoryVoiceBank(dir);
        Voice old = bank.lookup("Alice Smith").orElseThrow();
        assertEquals("alice_smith", old.name());
        assertEquals("An older take.", old.refText());
        assertEquals(old, bank.lookup("alice_smith").orElseThrow());
        // A voice saved now under the same spelling is stored by the old server's rule and found first.
        bank.save("Alice Smith", tone(16000, 800), "A newer take.");
        assertEquals("alicesmith", bank.lookup("Alice Smith").orElseThrow().name());
        assertEquals("alice_smith", bank.lookup("alice_smith").orElseThrow().name());
        assertTrue(bank.lookup("Nobody").isEmpty());
        assertTrue(bank.lookup("!!").isEmpty());
    }

    @Test
    void noTranscriptMeansNoTextFile() throws IOException {
        VoiceBank bank = new DirectoryVoiceBank(dir);
        Voice v = bank.save("bob", tone(16000, 160), "");
        assertEquals("", v.refText());
        assertEquals(List.of("bob.wav"), names(dir));
        assertEquals("", bank.find("bob").orElseThrow().refText());
        bank.save("carol", tone(16000, 160), null);
        assertEquals(List.of("bob.wav", "carol.wav"), names(dir));
    }

    @Test
    void folderWrittenByTheOldServerIsReadableAsIs() throws IOException {
        Files.write(dir.resolve("narrator.wav"), stereoWavWithList(44100, 22050));
        Files.writeString(dir.resolve("narrator_ref.txt"), "Grüße aus Köln — «quoted».\n", StandardCharsets.UTF_8);
        Files.write(dir.resolve("old-float.wav"), WavCodec.encode(tone(22050, 22050), WavFormat.FLOAT_32));

        VoiceBank bank = new DirectoryVoiceBank(dir);
        Voice narrator = bank.find("narrator").orElseThrow();
        assertEquals(0.5, narrator.durationSeconds(), 1e-12);
        assertEquals("Grüße aus Köln — «quoted».", narrator.refText());
        AudioClip clip = bank.load("narrator");
        assertEquals(44100, clip.sampleRate());
        assertEquals(22050, clip.length());
        assertEquals((8192 - 4096) / 2 / 32768.0, clip.samples()[100], 1e-6);
        assertEquals(1.0, bank.find("old-float").orElseThrow().durationSeconds(), 1e-12);
        assertEquals(List.of("narrator", "old-float"), bank.list().stream().map(Voice::name).toList());
    }

    @Test
    void aTranscriptIsStoredOnlyForTheSameAudioAndOnlyOnce() throws IOException {
        DirectoryVoiceBank bank = new DirectoryVoiceBank(dir);
        AudioClip first = tone(24000, 2400);
        bank.save("ivy", first, "");
        AudioClip heard = bank.load("ivy");
        AudioClip other = tone(24000, 4800);
        assertFalse(bank.storeTranscript("ivy", other, "Wrong words."), "the voice does not have that audio");
        assertTrue(bank.storeTranscript("ivy", heard, " Ivy's words. "));
        assertEquals("Ivy's words.", bank.find("ivy").orElseThrow().refText());
        assertFalse(bank.storeTranscript("ivy", heard, "Later words."), "a transcript already there stays");
        assertEquals("Ivy's words.", Files.readString(dir.resolve("ivy_ref.txt")));
        assertFalse(bank.storeTranscript("nobody", heard, "words"));
        assertFalse(bank.storeTranscript("../ivy", heard, "words"));
    }

    @Test
    void saveReplacesAudioAndTranscript() throws IOException {
        VoiceBank bank = new DirectoryVoiceBank(dir);
        bank.save("dave", tone(24000, 24000), "first take");
        Voice second = bank.save("Dave", tone(16000, 4000), "");
        assertEquals(0.25, second.durationSeconds(), 1e-12);
        Voice found = bank.find("dave").orElseThrow();
        assertEquals("", found.refText(), "the old transcript belonged to the old audio");
        assertEquals(16000, bank.load("dave").sampleRate());
        assertEquals(List.of("dave.wav"), names(dir));
    }

    @Test
    void deleteRemovesBothFiles() throws IOException {
        VoiceBank bank = new DirectoryVoiceBank(dir);
        bank.save("erin", tone(8000, 80), "text");
        bank.save("frank", tone(8000, 80), "");
        assertTrue(bank.delete("erin"));
        assertFalse(bank.delete("erin"));
        assertTrue(bank.find("erin").isEmpty());
        assertThrows(ReferenceNotFoundException.class, () -> bank.load("erin"));
        assertEquals(List.of("frank.wav"), names(dir));
    }

    @Test
    void listIsSortedAndSkipsWhatIsNotAVoice() throws IOException {
        VoiceBank bank = new DirectoryVoiceBank(dir);
        bank.save("zed", tone(8000, 80), "");
        bank.save("amy", tone(8000, 80), "hi");
        bank.save("m-2_x", tone(8000, 80), "");
        Files.writeString(dir.resolve("orphan_ref.txt"), "no audio");
        Files.writeString(dir.resolve("readme.md"), "notes");
        Files.write(dir.resolve("Upper.wav"), WavCodec.encode(tone(8000, 8), WavFormat.PCM_16));
        Files.writeString(dir.resolve("broken.wav"), "not a wav");
        Files.createDirectory(dir.resolve("folder.wav"));
        assertEquals(List.of("amy", "m-2_x", "zed"), bank.list().stream().map(Voice::name).toList());
        assertTrue(bank.find("broken").isEmpty());
        assertThrows(AudioFormatException.class, () -> bank.load("broken"));
        assertTrue(bank.delete("broken"), "a broken voice can still be removed");
        assertTrue(bank.find("orphan").isEmpty());
    }

    static Stream<String> pathTricks() {
        return Stream.of("../x", "a/b", "..", ".", "/etc/passwd", "%2e%2e", "x\0y", "", "Alice", "C:\\x", "x.wav", "a".repeat(201));
    }

    @ParameterizedTest
    @MethodSource("pathTricks")
    void lookupsOfNamesThatAreNotStoredNamesAreUnknown(String name) throws IOException {
        Path bankDir = Files.createDirectories(dir.resolve("voices"));
        Files.write(dir.resolve("x.wav"), WavCodec.encode(tone(8000, 8), WavFormat.PCM_16));
        Files.write(bankDir.resolve("x.wav"), WavCodec.encode(tone(8000, 8), WavFormat.PCM_16));
        VoiceBank bank = new DirectoryVoiceBank(bankDir);
        assertTrue(bank.find(name).isEmpty());
        assertThrows(ReferenceNotFoundException.class, () -> bank.load(name));
        assertFalse(bank.delete(name));
        assertTrue(Files.exists(dir.resolve("x.wav")));
        assertTrue(Files.exists(bankDir.resolve("x.wav")));
        assertTrue(bank.find(null).isEmpty());
    }

    @Test
    void pathTricksInSavedNamesAreNormalisedAway() throws IOException {
        Path bankDir = Files.createDirectories(dir.resolve("voices"));
        VoiceBank bank = new DirectoryVoiceBank(bankDir);
        assertEquals("etcpasswd", bank.save("../../etc/passwd", tone(8000, 8), "").name());
        assertEquals(List.of("etcpasswd.wav"), names(bankDir));
        assertEquals(List.of("voices"), names(dir));
        assertThrows(InvalidRequestException.class, () -> bank.save("../..", tone(8000, 8), ""));
        assertThrows(InvalidRequestException.class, () -> bank.save("   ", tone(8000, 8), ""));
    }

    @Test
    void newInstanceOverTheSameFolderSeesTheVoices() throws IOException {
        VoiceBank first = new DirectoryVoiceBank(dir);
        first.save("gina", tone(24000, 2400), "transcript");
        VoiceBank second = new DirectoryVoiceBank(dir);
        Voice g = second.find("gina").orElseThrow();
        assertEquals("transcript", g.refText());
        assertEquals(0.1, g.durationSeconds(), 1e-12);
        assertEquals(dir.toRealPath(), second.directory());
    }

    @Test
    void interruptedWritesAreCleanedAndNeverVisible() throws IOException {
        Files.write(dir.resolve(".tmp-0.part"), new byte[10]);
        VoiceBank bank = new DirectoryVoiceBank(dir);
        assertEquals(List.of(), names(dir));
        bank.save("hank", tone(8000, 800), "t");
        assertEquals(List.of("hank.wav", "hank_ref.txt"), names(dir));
    }

    @Test
    void readersNeverSeeNewAudioWithAnOldTranscript() throws Exception {
        VoiceBank bank = new DirectoryVoiceBank(dir);
        bank.save("swap", tone(8000, 800), "short");
        ExecutorService pool = Executors.newFixedThreadPool(3, r -> new Thread(r, "voice-bank-test"));
        try {
            Future<?> writer = pool.submit(() -> {
                for (int i = 0; i < 40; i++) {
                    boolean longOne = i % 2 == 0;
                    bank.save("swap", tone(8000, longOne ? 1600 : 800), longOne ? "long" : "short");
                }
                return null;
            });
            List<Future<Integer>> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                readers.add(pool.submit(() -> {
                    int seen = 0;
                    do {
                        Voice v = bank.find("swap").orElseThrow();
                        assertEquals(v.durationSeconds() > 0.15 ? "long" : "short", v.refText());
                        seen++;
                    } while (!writer.isDone());
                    return seen;
                }));
            }
            writer.get(60, TimeUnit.SECONDS);
            for (Future<Integer> reader : readers) {
                assertTrue(reader.get(60, TimeUnit.SECONDS) > 0);
            }
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void createsMissingFolder() throws IOException {
        VoiceBank bank = new DirectoryVoiceBank(dir.resolve("a/b"));
        assertTrue(Files.isDirectory(dir.resolve("a/b")));
        assertTrue(bank.list().isEmpty());
    }

    @Test
    void filesChangedBehindTheBanksBackAreSeenOnceTheVoiceIsRechecked() throws Exception {
        AtomicLong ticks = new AtomicLong();
        long recheck = DirectoryVoiceBank.RECHECK_AFTER.toNanos();
        DirectoryVoiceBank bank = new DirectoryVoiceBank(dir, ticks::get);
        bank.save("narrator", new AudioClip(new float[24_000], 24_000), "first words");
        assertEquals("first words", bank.find("narrator").orElseThrow().refText());

        // An operator edits the transcript, then copies in longer audio, as files (atomically, like cp + mv).
        Files.writeString(dir.resolve("narrator_ref.txt"), "second words", StandardCharsets.UTF_8);
        ticks.addAndGet(recheck - 1);
        assertEquals("first words", bank.find("narrator").orElseThrow().refText(), "within the interval the voice is taken as read");
        ticks.addAndGet(1);
        assertEquals("second words", bank.find("narrator").orElseThrow().refText());
        Path replacement = dir.resolve("incoming.tmp");
        WavCodec.write(new AudioClip(new float[48_000], 24_000), WavFormat.PCM_16, replacement);
        Files.move(replacement, dir.resolve("narrator.wav"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        ticks.addAndGet(recheck);
        assertEquals(2.0, bank.find("narrator").orElseThrow().durationSeconds(), 1e-9);

        Files.delete(dir.resolve("narrator_ref.txt"));
        ticks.addAndGet(recheck);
        assertEquals("", bank.find("narrator").orElseThrow().refText());
        Files.delete(dir.resolve("narrator.wav"));
        assertTrue(bank.lookup("Narrator").isPresent(), "a voice deleted by hand is seen at the next check, not before");
        ticks.addAndGet(recheck);
        assertTrue(bank.find("narrator").isEmpty());
        assertTrue(bank.lookup("Narrator").isEmpty());
    }

    @Test
    void changesMadeThroughTheBankAndVoicesCopiedInAreSeenAtOnce() throws Exception {
        AtomicLong ticks = new AtomicLong();
        DirectoryVoiceBank bank = new DirectoryVoiceBank(dir, ticks::get);
        assertTrue(bank.find("guest").isEmpty());
        Files.write(dir.resolve("guest.wav"), WavCodec.encode(tone(8000, 8000), WavFormat.PCM_16));
        assertEquals(1.0, bank.find("guest").orElseThrow().durationSeconds(), 1e-9, "a name not known is looked for on disk");

        bank.save("guest", new AudioClip(new float[16_000], 8000), "new words");
        assertEquals(2.0, bank.find("guest").orElseThrow().durationSeconds(), 1e-9);
        assertEquals("new words", bank.find("guest").orElseThrow().refText());
        assertTrue(bank.delete("guest"));
        assertTrue(bank.find("guest").isEmpty());
        VoiceBank tenant = bank.forTenant("acme");
        tenant.save("guest", new AudioClip(new float[8000], 8000), "");
        assertTrue(tenant.delete("guest"));
        assertTrue(tenant.find("guest").isEmpty());
    }

    @Test
    void aTenantsVoicesLiveInItsOwnFolderApartFromTheSharedOnesAndSurviveARestart() throws IOException {
        VoiceBank shared = new DirectoryVoiceBank(dir);
        assertTrue(shared.forTenant("") == shared && shared.forTenant(null) == shared, "the anonymous tenant's voices are the shared ones");
        VoiceBank acme = shared.forTenant("acme");
        assertTrue(acme == shared.forTenant("acme"), "one bank per tenant");
        shared.save("anna", tone(8000, 800), "shared words");
        acme.save("anna", tone(8000, 1600), "acme words");
        acme.save("bob", tone(8000, 80), "");
        assertEquals(List.of("acme", "anna.wav", "anna_ref.txt"), names(dir), "shared voices stay in the old server's flat layout");
        assertEquals(List.of("anna.wav", "anna_ref.txt", "bob.wav"), names(dir.resolve("acme")));
        assertEquals(List.of("anna"), shared.list().stream().map(Voice::name).toList(), "a tenant's folder is no shared voice");
        assertEquals(List.of("anna", "bob"), acme.list().stream().map(Voice::name).toList());
        assertTrue(shared.forTenant("globex").find("bob").isEmpty(), "another tenant sees none of them");

        VoiceBank restarted = new DirectoryVoiceBank(dir).forTenant("acme");
        assertEquals("acme words", restarted.find("anna").orElseThrow().refText());
        assertEquals(0.2, restarted.find("anna").orElseThrow().durationSeconds(), 1e-9);
        assertTrue(restarted.delete("anna"));
        assertEquals("shared words", shared.find("anna").orElseThrow().refText(), "deleting a tenant's voice leaves the shared one");
        assertThrows(UnsupportedOperationException.class, () -> acme.forTenant("globex"), "tenants do not nest");
    }

    @ParameterizedTest
    @MethodSource("folderTricks")
    void tenantNamesThatAreNoFolderNameAreRefusedAndTouchNothing(String tenant) throws IOException {
        VoiceBank shared = new DirectoryVoiceBank(dir);
        shared.save("anna", tone(8000, 80), "");
        List<String> before = names(dir);
        assertThrows(InvalidRequestException.class, () -> shared.forTenant(tenant));
        assertEquals(before, names(dir));
        assertTrue(Files.exists(dir.resolve("anna.wav")));
    }

    static Stream<String> folderTricks() {
        return Stream.of(".", "..", "../x", "a/b", "a\\b", "x\0y", "a".repeat(65));
    }
}
