package dev.ttsqueue.audio;

import static dev.ttsqueue.audio.WavBytes.EXTENSIBLE;
import static dev.ttsqueue.audio.WavBytes.FLOAT;
import static dev.ttsqueue.audio.WavBytes.PCM;
import static dev.ttsqueue.audio.WavBytes.ascii;
import static dev.ttsqueue.audio.WavBytes.chunk;
import static dev.ttsqueue.audio.WavBytes.chunkWithSize;
import static dev.ttsqueue.audio.WavBytes.concat;
import static dev.ttsqueue.audio.WavBytes.data;
import static dev.ttsqueue.audio.WavBytes.fmt;
import static dev.ttsqueue.audio.WavBytes.fmtExtensible;
import static dev.ttsqueue.audio.WavBytes.le32;
import static dev.ttsqueue.audio.WavBytes.pcm16;
import static dev.ttsqueue.audio.WavBytes.riff;
import static dev.ttsqueue.audio.WavBytes.riffWithSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each broken file must give an {@link AudioFormatException} whose message names the problem. */
class WavMalformedTest {

    private static final byte[] SAMPLES = pcm16(1, 2, 3, 4);
    private static final byte[] GOOD = riff(fmt(PCM, 1, 16000, 16), data(SAMPLES));

    static Stream<Arguments> malformed() {
        byte[] extensibleBadGuid = riff(fmtExtensible(1, 16000, 16, 16, PCM), data(SAMPLES));
        extensibleBadGuid[12 + 8 + 26] = 0x11; // first byte of the GUID tail
        byte[] fmtBody = Arrays.copyOfRange(fmt(PCM, 1, 16000, 16), 8, 24);
        return Stream.of(
                Arguments.of("zero-length file", new byte[0], "too short"),
                Arguments.of("truncated RIFF header", Arrays.copyOf(GOOD, 10), "too short"),
                Arguments.of("truncated after WAVE", Arrays.copyOf(GOOD, 12), "no 'fmt '"),
                Arguments.of("truncated inside fmt header", Arrays.copyOf(GOOD, 16), "truncated chunk header"),
                Arguments.of("truncated inside fmt body", Arrays.copyOf(GOOD, 30), "declares 16 bytes"),
                Arguments.of("truncated inside data", Arrays.copyOf(GOOD, GOOD.length - 3), "file truncated"),
                Arguments.of("not RIFF", concat(ascii("RIFX"), Arrays.copyOfRange(GOOD, 4, GOOD.length)), "big-endian"),
                Arguments.of("RF64", concat(ascii("RF64"), Arrays.copyOfRange(GOOD, 4, GOOD.length)), "RF64"),
                Arguments.of("random bytes", ascii("ID3\u0004 this is an mp3 honestly"), "does not start with 'RIFF'"),
                Arguments.of("form type not WAVE", concat(Arrays.copyOf(GOOD, 8), ascii("AVI "), Arrays.copyOfRange(GOOD, 12, GOOD.length)), "not 'WAVE'"),
                Arguments.of("RIFF size smaller than WAVE", riffWithSize(2, fmt(PCM, 1, 16000, 16), data(SAMPLES)), "RIFF size 2"),
                Arguments.of("RIFF size hides data", riffWithSize(4 + 24, fmt(PCM, 1, 16000, 16), data(SAMPLES)), "no 'data'"),
                Arguments.of("RIFF size cuts data", riffWithSize(4 + 24 + 10, fmt(PCM, 1, 16000, 16), data(SAMPLES)), "'data' chunk declares 8"),
                Arguments.of("fmt size lies large", riff(chunkWithSize("fmt ", 4000, fmtBody), data(SAMPLES)), "declares 4000 bytes"),
                Arguments.of("fmt size too small", riff(chunk("fmt ", Arrays.copyOf(fmtBody, 14)), data(SAMPLES)), "at least 16"),
                Arguments.of("fmt size 2^32-1", riff(chunkWithSize("fmt ", 0xFFFFFFFFL, fmtBody), data(SAMPLES)), "declares 4294967295"),
                Arguments.of("data size lies large", riff(fmt(PCM, 1, 16000, 16), chunkWithSize("data", 2_000_000_000L, SAMPLES)), "declares 2000000000"),
                Arguments.of("data size lies, streamed RIFF", riffWithSize(0, fmt(PCM, 1, 16000, 16), chunkWithSize("data", 0xFFFFFFF0L, SAMPLES)), "file truncated"),
                Arguments.of("missing data chunk", riff(fmt(PCM, 1, 16000, 16), chunk("LIST", SAMPLES)), "no 'data'"),
                Arguments.of("missing fmt chunk", riff(chunk("LIST", new byte[4]), data(SAMPLES)), "no 'fmt '"),
                Arguments.of("two fmt chunks", riff(fmt(PCM, 1, 16000, 16), fmt(PCM, 1, 16000, 16), data(SAMPLES)), "more than one 'fmt '"),
                Arguments.of("two data chunks", riff(fmt(PCM, 1, 16000, 16), data(SAMPLES), data(SAMPLES)), "more than one 'data'"),
                Arguments.of("zero channels", riff(fmt(PCM, 0, 16000, 2, 16), data(SAMPLES)), "0 channels"),
                Arguments.of("absurd channel count", riff(fmt(PCM, 5000, 16000, 10000, 16), data(SAMPLES)), "5000 channels"),
                Arguments.of("zero sample rate", riff(fmt(PCM, 1, 0, 2, 16), data(SAMPLES)), "0 Hz"),
                Arguments.of("absurd sample rate", riff(fmt(PCM, 1, -5, 2, 16), data(SAMPLES)), "4294967291 Hz"),
                Arguments.of("sample rate above 768 kHz", riff(fmt(PCM, 1, 768_001, 2, 16), data(SAMPLES)), "768001 Hz"),
                Arguments.of("sample rate below 1 kHz", riff(fmt(PCM, 1, 999, 2, 16), data(SAMPLES)), "999 Hz (supported: 1000 to 768000 Hz)"),
                Arguments.of("absurd block align", riff(fmt(PCM, 1, 16000, 60000, 16), data(SAMPLES)), "block align is 60000"),
                Arguments.of("zero block align", riff(fmt(PCM, 1, 16000, 0, 16), data(SAMPLES)), "block align is 0"),
                Arguments.of("bits mismatch block align", riff(fmt(PCM, 2, 16000, 2, 16), data(SAMPLES)), "need 4"),
                Arguments.of("12-bit PCM", riff(fmt(PCM, 1, 16000, 2, 12), data(SAMPLES)), "12-bit PCM"),
                Arguments.of("zero bits", riff(fmt(PCM, 1, 16000, 2, 0), data(SAMPLES)), "0-bit PCM"),
                Arguments.of("16-bit float", riff(fmt(FLOAT, 1, 16000, 16), data(SAMPLES)), "16-bit IEEE float"),
                Arguments.of("ADPCM", riff(fmt(2, 1, 16000, 16), data(SAMPLES)), "MS ADPCM"),
                Arguments.of("mu-law", riff(fmt(7, 1, 8000, 8), data(SAMPLES)), "0x0007"),
                Arguments.of("MP3 in WAV", riff(fmt(0x55, 1, 8000, 16), data(SAMPLES)), "MP3"),
                Arguments.of("extensible too short", riff(fmt(EXTENSIBLE, 1, 16000, 16), data(SAMPLES)), "too short for its sub-format"),
                Arguments.of("extensible unknown GUID", extensibleBadGuid, "unknown sub-format GUID"),
                Arguments.of("extensible ADPCM sub-format", riff(fmtExtensible(1, 16000, 16, 16, 2), data(SAMPLES)), "0x0002"),
                Arguments.of("extensible valid bits above container", riff(fmtExtensible(1, 16000, 16, 24, PCM), data(SAMPLES)), "24 valid bits"),
                Arguments.of("chunk header cut at end", concat(riffWithSize(4 + 24 + 4, fmt(PCM, 1, 16000, 16)), ascii("data")), "truncated chunk header"),
                Arguments.of("only a RIFF size", concat(ascii("RIFF"), le32(4), ascii("WAVE")), "no 'fmt '"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void isRefusedWithAClearMessage(String name, byte[] wav, String expected) {
        AudioFormatException e = assertThrows(AudioFormatException.class, () -> WavCodec.decode(wav));
        assertTrue(e.getMessage().toLowerCase(Locale.ROOT).contains(expected.toLowerCase(Locale.ROOT)),
                name + ": message was: " + e.getMessage());
        AudioFormatException viaStream = assertThrows(AudioFormatException.class,
                () -> WavCodec.read(new ByteArrayInputStream(wav), 1 << 20));
        assertEquals(e.getMessage(), viaStream.getMessage());
    }

    @Test
    void theValidTemplateDecodes() {
        // Guards the cases above: they fail because of what was broken, not because the base is.
        assertEquals(4, WavCodec.decode(GOOD).length());
    }
}
