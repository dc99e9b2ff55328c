package dev.ttsqueue.audio.codecs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.audio.AudioFormatException;
import dev.ttsqueue.audio.AudioTooLongException;
import dev.ttsqueue.audio.DecodeLimits;
import dev.ttsqueue.audio.WavCodec;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Real files made by lame, flac and oggenc, decoded through {@link AudioCodecs#all()}, recognised by content alone. */
class AudioCodecsTest {
    private static final DecodeLimits LIMITS = DecodeLimits.defaults();

    @ParameterizedTest
    @CsvSource({
        "ref-mono-24k.mp3, 24000, 1.0",
        "ref-stereo-44k.mp3, 44100, 1.0",
        "ref-id3v2.mp3, 24000, 1.0",
        "ref-mono-24k.flac, 24000, 1.0",
        "ref-stereo-44k-24bit.flac, 44100, 0.5",
        "ref-mono-24k.ogg, 24000, 1.0",
        "ref-stereo-44k.ogg, 44100, 1.0",
    })
    void decodesEachFormatByContent(String file, int rate, double seconds) {
        AudioClip clip = AudioCodecs.all().decode(Fixtures.bytes(file), LIMITS);
        assertEquals(rate, clip.sampleRate(), file);
        // Encoders add their delay and padding (MP3 up to about two frames); the tone must be there.
        assertEquals(seconds, clip.durationSeconds(), 0.12, file);
        assertTrue(rms(clip) > 0.05, file + " decodes to silence: rms " + rms(clip));
        for (float s : clip.samples()) {
            assertTrue(Float.isFinite(s) && Math.abs(s) <= 1.0f, file + ": sample " + s);
        }
    }

    @Test
    void flacIsLossless() {
        AudioClip wav = WavCodec.decode(Fixtures.bytes("tone-mono-24k.wav"));
        AudioClip flac = AudioCodecs.all().decode(Fixtures.bytes("ref-mono-24k.flac"), LIMITS);
        assertArrayEquals(wav.samples(), flac.samples());
    }

    @Test
    void formatIsTakenFromContentNotName() {
        // The same bytes under any name: nothing but the content is ever looked at.
        byte[] mp3 = Fixtures.bytes("ref-mono-24k.mp3");
        assertEquals(24000, AudioCodecs.all().decode(mp3, LIMITS).sampleRate());
        assertEquals(List.of("WAV", "FLAC", "Ogg Vorbis", "MP3"), AudioCodecs.all().formatNames());
        AudioFormatException e = assertThrows(AudioFormatException.class,
                () -> AudioCodecs.all().decode("just some text, not audio".getBytes(), LIMITS));
        assertEquals("Unrecognised audio format: the file is not WAV, FLAC, Ogg Vorbis or MP3", e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"ref-mono-24k.mp3, MP3", "ref-mono-24k.flac, FLAC", "ref-mono-24k.ogg, Ogg Vorbis"})
    void truncatedFilesAreRefusedNamingTheFormat(String file, String format) {
        byte[] whole = Fixtures.bytes(file);
        for (double keep : new double[] {0.3, 0.6, 0.95}) {
            byte[] cut = Arrays.copyOf(whole, (int) (whole.length * keep));
            AudioFormatException e = assertThrows(AudioFormatException.class, () -> AudioCodecs.all().decode(cut, LIMITS),
                    file + " cut to " + keep);
            assertTrue(e.getMessage().contains(format), e.getMessage());
            assertTrue(e.getMessage().startsWith("Truncated ") || e.getMessage().startsWith("Corrupt "), e.getMessage());
        }
    }

    @ParameterizedTest
    @CsvSource({"ref-mono-24k.mp3, MP3", "ref-mono-24k.flac, FLAC", "ref-mono-24k.ogg, Ogg Vorbis"})
    void damagedAudioIsRefusedNamingTheFormat(String file, String format) {
        byte[] data = Fixtures.bytes(file);
        // Overwrite a run in the middle of the audio: checksums, frame sync or page CRCs must notice.
        for (int i = data.length / 2; i < data.length / 2 + 64; i++) {
            data[i] = (byte) 0xA5;
        }
        AudioFormatException e = assertThrows(AudioFormatException.class, () -> AudioCodecs.all().decode(data, LIMITS));
        assertTrue(e.getMessage().startsWith("Corrupt " + format), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"silence-6min-8k.flac, FLAC", "silence-6min-8k.ogg, Ogg Vorbis"})
    void sixMinutesOfCompressedSilenceArePastTheFiveMinuteLimit(String file, String format) {
        byte[] bomb = Fixtures.bytes(file);
        assertTrue(bomb.length < 30_000, "the point: a few kilobytes that decode to minutes");
        AudioTooLongException e = assertThrows(AudioTooLongException.class, () -> AudioCodecs.all().decode(bomb, LIMITS));
        assertEquals(format + " audio is too long: at most 300 s are accepted", e.getMessage());
        // The same file is fine under a limit it fits.
        AudioClip clip = AudioCodecs.all().decode(bomb, DecodeLimits.of(Duration.ofMinutes(7)));
        assertEquals(360.0, clip.durationSeconds(), 0.1);
    }

    @ParameterizedTest
    @CsvSource({"ref-mono-24k.mp3, MP3", "ref-mono-24k.flac, FLAC", "ref-mono-24k.ogg, Ogg Vorbis", "tone-mono-24k.wav, WAV"})
    void theLimitHoldsForEveryFormat(String file, String format) {
        AudioTooLongException e = assertThrows(AudioTooLongException.class,
                () -> AudioCodecs.all().decode(Fixtures.bytes(file), DecodeLimits.of(Duration.ofMillis(500))));
        assertTrue(e.getMessage().startsWith(format + " audio is too long"), e.getMessage());
    }

    @Test
    void otherOggCodecsAreNamed() {
        byte[] ogg = Fixtures.bytes("ref-mono-24k.ogg");
        int packet = 27 + (ogg[26] & 0xFF);
        byte[] opus = ogg.clone();
        System.arraycopy("OpusHead".getBytes(), 0, opus, packet, 8);
        AudioFormatException e = assertThrows(AudioFormatException.class, () -> AudioCodecs.all().decode(opus, LIMITS));
        assertEquals("Unsupported Ogg file: it holds Opus, not Vorbis", e.getMessage());
    }

    @Test
    void aVorbisCommentHeaderClaimingGigabytesIsNeverHandedToTheDecoder() {
        // JOrbis allocates the vendor string's claimed length; the comment header never reaches it.
        byte[] ogg = Fixtures.bytes("ref-mono-24k.ogg");
        int comment = indexOf(ogg, new byte[] {3, 'v', 'o', 'r', 'b', 'i', 's'});
        int vendorLength = comment + 7;
        ogg[vendorLength] = (byte) 0xF0;
        ogg[vendorLength + 1] = (byte) 0xFF;
        ogg[vendorLength + 2] = (byte) 0xFF;
        ogg[vendorLength + 3] = (byte) 0x7F;
        OggPages.fixChecksum(ogg, comment);
        AudioClip clip = AudioCodecs.all().decode(ogg, LIMITS);
        assertEquals(24000, clip.sampleRate());
    }

    private static int indexOf(byte[] data, byte[] pattern) {
        outer:
        for (int i = 0; i <= data.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("pattern not found");
    }

    private static double rms(AudioClip clip) {
        double sum = 0;
        for (float s : clip.samples()) {
            sum += s * s;
        }
        return Math.sqrt(sum / Math.max(1, clip.length()));
    }
}
