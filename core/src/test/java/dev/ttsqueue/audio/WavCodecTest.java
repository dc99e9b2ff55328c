package dev.ttsqueue.audio;

import static dev.ttsqueue.audio.WavBytes.FLOAT;
import static dev.ttsqueue.audio.WavBytes.PCM;
import static dev.ttsqueue.audio.WavBytes.chunk;
import static dev.ttsqueue.audio.WavBytes.chunkWithSize;
import static dev.ttsqueue.audio.WavBytes.concat;
import static dev.ttsqueue.audio.WavBytes.data;
import static dev.ttsqueue.audio.WavBytes.fmt;
import static dev.ttsqueue.audio.WavBytes.fmtExtensible;
import static dev.ttsqueue.audio.WavBytes.pcm16;
import static dev.ttsqueue.audio.WavBytes.riff;
import static dev.ttsqueue.audio.WavBytes.riffWithSize;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class WavCodecTest {

    /** Values every format represents exactly: multiples of 1/128 inside [-1, 1). */
    private static AudioClip exactClip(int rate) {
        float[] s = new float[300];
        for (int i = 0; i < s.length; i++) {
            s[i] = ((i * 37) % 256 - 128) / 128f;
        }
        return new AudioClip(s, rate);
    }

    @ParameterizedTest
    @EnumSource(WavFormat.class)
    void roundTripIsExactForRepresentableValues(WavFormat format) {
        AudioClip clip = exactClip(22050);
        byte[] wav = WavCodec.encode(clip, format);
        AudioClip back = WavCodec.decode(wav);
        assertEquals(clip, back);
    }

    @ParameterizedTest
    @EnumSource(WavFormat.class)
    void roundTripOfArbitraryValuesIsWithinOneQuantisationStep(WavFormat format) {
        float[] s = new float[1000];
        for (int i = 0; i < s.length; i++) {
            s[i] = (float) (0.9 * Math.sin(i * 0.0123) + 0.05 * Math.cos(i * 1.7));
        }
        AudioClip back = WavCodec.decode(WavCodec.encode(new AudioClip(s, 16000), format));
        double step = format == WavFormat.FLOAT_32 ? 0 : Math.pow(2, 1 - format.bitsPerSample());
        for (int i = 0; i < s.length; i++) {
            assertEquals(s[i], back.samples()[i], step / 2 + 1e-9, "sample " + i);
        }
        assertEquals(16000, back.sampleRate());
    }

    @ParameterizedTest
    @EnumSource(WavFormat.class)
    void headerIsCanonical(WavFormat format) {
        byte[] wav = WavCodec.encode(new AudioClip(new float[5], 24000), format);
        int width = format.bitsPerSample() / 8;
        assertEquals("RIFF", new String(wav, 0, 4, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(wav.length - 8, le32(wav, 4));
        assertEquals(format == WavFormat.FLOAT_32 ? 3 : 1, le16(wav, 20));
        assertEquals(1, le16(wav, 22));
        assertEquals(24000, le32(wav, 24));
        assertEquals(24000 * width, le32(wav, 28));
        assertEquals(width, le16(wav, 32));
        assertEquals(format.bitsPerSample(), le16(wav, 34));
        assertEquals(5 * width, le32(wav, wav.length - 5 * width - 4));
    }

    @ParameterizedTest
    @EnumSource(WavFormat.class)
    void outOfRangeSamplesAreClippedAndNanIsSilence(WavFormat format) {
        AudioClip clip = new AudioClip(new float[] {2.5f, -7f, Float.NaN, 1f, -1f}, 8000);
        float[] back = WavCodec.decode(WavCodec.encode(clip, format)).samples();
        double step = format == WavFormat.FLOAT_32 ? 0 : Math.pow(2, 1 - format.bitsPerSample());
        assertEquals(1.0, back[0], step + 1e-9);
        assertEquals(-1.0, back[1], 1e-9);
        assertEquals(0.0, back[2], 1e-9);
        assertEquals(1.0, back[3], step + 1e-9);
        assertEquals(-1.0, back[4], 1e-9);
    }

    @Test
    void pcm8IsUnsigned() {
        byte[] wav = riff(fmt(PCM, 1, 8000, 8), data(new byte[] {(byte) 128, 0, (byte) 255, 64}));
        assertArrayEquals(new float[] {0f, -1f, 127 / 128f, -0.5f}, WavCodec.decode(wav).samples());
    }

    @Test
    void pcm16SignedLittleEndian() {
        byte[] wav = WavBytes.mono16(16000, 0, 16384, -32768, 32767, -1);
        assertArrayEquals(new float[] {0f, 0.5f, -1f, 32767 / 32768f, -1 / 32768f}, WavCodec.decode(wav).samples());
    }

    @Test
    void pcm24SignExtends() {
        byte[] wav = riff(fmt(PCM, 1, 48000, 24), data(WavBytes.pcm24(0x400000, -0x800000, -1, 0x7FFFFF)));
        assertArrayEquals(new float[] {0.5f, -1f, -1f / 8388608, 0x7FFFFF / 8388608f}, WavCodec.decode(wav).samples());
    }

    @Test
    void pcm32Decodes() {
        byte[] wav = riff(fmt(PCM, 1, 48000, 32), data(WavBytes.pcm32(Integer.MIN_VALUE, 1 << 30, 0)));
        assertArrayEquals(new float[] {-1f, 0.5f, 0f}, WavCodec.decode(wav).samples());
    }

    @Test
    void float64Decodes() {
        byte[] wav = riff(fmt(FLOAT, 1, 44100, 64), data(WavBytes.float64(0.25, -0.75, 1.0)));
        AudioClip clip = WavCodec.decode(wav);
        assertArrayEquals(new float[] {0.25f, -0.75f, 1f}, clip.samples());
        assertEquals(44100, clip.sampleRate());
    }

    @Test
    void nonFiniteFloatsBecomeSilence() {
        byte[] wav = riff(fmt(FLOAT, 1, 44100, 32), data(WavBytes.float32(Float.NaN, Float.POSITIVE_INFINITY, 0.5f)));
        assertArrayEquals(new float[] {0f, 0f, 0.5f}, WavCodec.decode(wav).samples());
    }

    @Test
    void stereoIsAveragedToMono() {
        byte[] wav = riff(fmt(PCM, 2, 44100, 16), data(pcm16(16384, 0, -32768, -16384, 8192, 8192)));
        AudioClip clip = WavCodec.decode(wav);
        assertArrayEquals(new float[] {0.25f, -0.75f, 0.25f}, clip.samples());
        assertEquals(44100, clip.sampleRate());
    }

    @Test
    void stereoFloatIsAveragedToMono() {
        byte[] wav = riff(fmt(FLOAT, 2, 24000, 32), data(WavBytes.float32(1f, 0f, -0.5f, -0.25f)));
        assertArrayEquals(new float[] {0.5f, -0.375f}, WavCodec.decode(wav).samples());
    }

    @Test
    void sixChannelsAreAveraged() {
        byte[] wav = riff(fmt(PCM, 6, 48000, 16), data(pcm16(6000, 6000, 6000, 0, 0, 0, 600, 600, 600, 600, 600, 600)));
        AudioClip clip = WavCodec.decode(wav);
        assertEquals(2, clip.length());
        assertEquals(3000 / 32768.0, clip.samples()[0], 1e-7);
        assertEquals(600 / 32768.0, clip.samples()[1], 1e-7);
    }

    @Test
    void extensiblePcm16Stereo() {
        byte[] wav = riff(fmtExtensible(2, 48000, 16, 16, PCM), data(pcm16(16384, -16384, 8192, 8192)));
        assertArrayEquals(new float[] {0f, 0.25f}, WavCodec.decode(wav).samples());
    }

    @Test
    void extensible24BitsIn32BitContainer() {
        // 24 valid bits, left-justified in 32-bit words: read as 32-bit full scale.
        byte[] wav = riff(fmtExtensible(1, 96000, 32, 24, PCM), data(WavBytes.pcm32(0x40000000, 0xC0000000)));
        AudioClip clip = WavCodec.decode(wav);
        assertArrayEquals(new float[] {0.5f, -0.5f}, clip.samples());
        assertEquals(96000, clip.sampleRate());
    }

    @Test
    void extensibleFloatMono() {
        byte[] wav = riff(fmtExtensible(1, 24000, 32, 32, FLOAT), data(WavBytes.float32(0.125f, -0.5f)));
        assertArrayEquals(new float[] {0.125f, -0.5f}, WavCodec.decode(wav).samples());
    }

    @Test
    void extensible24BitStereo() {
        byte[] wav = riff(fmtExtensible(2, 44100, 24, 24, PCM), data(WavBytes.pcm24(0x400000, 0x200000)));
        assertArrayEquals(new float[] {0.375f}, WavCodec.decode(wav).samples());
    }

    @Test
    void unknownChunksAndOddPaddingAreSkipped() {
        byte[] list = chunk("LIST", WavBytes.ascii("INFOISFT"));
        byte[] odd = chunk("junk", new byte[] {1, 2, 3}); // 3 bytes + pad byte
        byte[] wav = riff(odd, fmt(PCM, 1, 16000, 16), list, chunk("fact", WavBytes.le32(2)), data(pcm16(100, -100)), odd);
        assertArrayEquals(new float[] {100 / 32768f, -100 / 32768f}, WavCodec.decode(wav).samples());
    }

    @Test
    void dataBeforeFmtIsAccepted() {
        byte[] wav = riff(data(pcm16(3276)), fmt(PCM, 1, 8000, 16));
        assertArrayEquals(new float[] {3276 / 32768f}, WavCodec.decode(wav).samples());
    }

    @Test
    void oddSizedEightBitDataIsPadded() {
        byte[] wav = riff(fmt(PCM, 1, 8000, 8), data(new byte[] {(byte) 192, (byte) 64, (byte) 128}), chunk("LIST", new byte[4]));
        assertArrayEquals(new float[] {0.5f, -0.5f, 0f}, WavCodec.decode(wav).samples());
    }

    @Test
    void streamingWriterSizesReadToEndOfFile() {
        byte[] samples = pcm16(1000, 2000, 3000);
        byte[] unknownBoth = riffWithSize(0xFFFFFFFFL, fmt(PCM, 1, 16000, 16), chunkWithSize("data", 0xFFFFFFFFL, samples));
        byte[] zeroBoth = riffWithSize(0, fmt(PCM, 1, 16000, 16), chunkWithSize("data", 0, samples));
        byte[] unknownData = riff(fmt(PCM, 1, 16000, 16), chunkWithSize("data", 0xFFFFFFFFL, samples));
        for (byte[] wav : new byte[][] {unknownBoth, zeroBoth, unknownData}) {
            assertEquals(3, WavCodec.decode(wav).length());
        }
    }

    @Test
    void zeroDataSizeWithRealRiffSizeIsAnEmptyClip() {
        byte[] wav = riff(fmt(PCM, 1, 16000, 16), chunkWithSize("data", 0, new byte[0]), chunk("LIST", new byte[8]));
        assertEquals(0, WavCodec.decode(wav).length());
    }

    @Test
    void riffSizeLargerThanFileIsTolerated() {
        byte[] wav = riffWithSize(1_000_000, fmt(PCM, 1, 16000, 16), data(pcm16(5, 6)));
        assertEquals(2, WavCodec.decode(wav).length());
    }

    @Test
    void trailingBytesAfterRiffAreIgnored() {
        byte[] wav = concat(WavBytes.mono16(16000, 7, 8), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
        assertEquals(2, WavCodec.decode(wav).length());
    }

    @Test
    void trailingPartialFrameIsDropped() {
        byte[] wav = riff(fmt(PCM, 2, 16000, 16), data(concat(pcm16(100, 100, 200), new byte[0])));
        assertArrayEquals(new float[] {100 / 32768f}, WavCodec.decode(wav).samples());
    }

    @Test
    void readStreamHonoursLimit() throws IOException {
        byte[] wav = WavBytes.mono16(16000, 1, 2, 3, 4);
        assertEquals(4, WavCodec.read(new ByteArrayInputStream(wav), wav.length).length());
        AudioFormatException e = assertThrows(AudioFormatException.class,
                () -> WavCodec.read(new ByteArrayInputStream(wav), wav.length - 1));
        assertTrue(e.getMessage().contains("limit"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> WavCodec.read(new ByteArrayInputStream(wav), -1));
    }

    @Test
    void readStreamDoesNotTrustHeaderForAllocation() {
        // Claims 4 GB of samples in a 60-byte stream: refused from the bytes present.
        byte[] wav = riffWithSize(0xFFFFFFF0L, fmt(PCM, 1, 16000, 16), chunkWithSize("data", 0xFFFFFFF0L, pcm16(1, 2, 3, 4, 5, 6, 7, 8)));
        AudioFormatException e = assertThrows(AudioFormatException.class,
                () -> WavCodec.read(new ByteArrayInputStream(wav), Long.MAX_VALUE));
        assertTrue(e.getMessage().contains("data"), e.getMessage());
    }

    @Test
    void writeToStreamMatchesEncode() throws IOException {
        AudioClip clip = exactClip(24000);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WavCodec.write(clip, WavFormat.PCM_16, out);
        assertArrayEquals(WavCodec.encode(clip, WavFormat.PCM_16), out.toByteArray());
    }

    @Test
    void longClipIsWrittenInPieces() throws IOException {
        float[] s = new float[50_001];
        for (int i = 0; i < s.length; i++) {
            s[i] = (i % 200 - 100) / 128f;
        }
        AudioClip clip = new AudioClip(s, 24000);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WavCodec.write(clip, WavFormat.PCM_24, out);
        assertEquals(clip, WavCodec.decode(out.toByteArray()));
    }

    @Test
    void fileRoundTrip(@TempDir Path dir) throws IOException {
        AudioClip clip = exactClip(44100);
        Path file = dir.resolve("x.wav");
        WavCodec.write(clip, WavFormat.FLOAT_32, file);
        assertEquals(clip, WavCodec.read(file));
        WavCodec.write(new AudioClip(new float[] {0.5f}, 8000), WavFormat.PCM_16, file);
        assertEquals(new AudioClip(new float[] {0.5f}, 8000), WavCodec.read(file));
    }

    @Test
    void probeReadsTheHeaderOnly(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("stereo.wav");
        byte[] list = chunk("LIST", new byte[9]);
        Files.write(file, riff(list, fmtExtensible(2, 48000, 24, 24, PCM), data(WavBytes.pcm24(1, 2, 3, 4, 5, 6)), list));
        WavInfo info = WavCodec.probe(file);
        assertEquals(new WavInfo(48000, 2, 24, false, 3), info);
        assertEquals(3 / 48000.0, info.durationSeconds(), 1e-12);
        Path encoded = dir.resolve("f.wav");
        WavCodec.write(new AudioClip(new float[24000], 24000), WavFormat.FLOAT_32, encoded);
        assertEquals(new WavInfo(24000, 1, 32, true, 24000), WavCodec.probe(encoded));
    }

    @Test
    void probeRefusesWhatDecodeRefuses(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bad.wav");
        Files.write(file, riff(fmt(PCM, 1, 16000, 16), chunkWithSize("data", 1_000_000, pcm16(1, 2))));
        AudioFormatException e = assertThrows(AudioFormatException.class, () -> WavCodec.probe(file));
        assertTrue(e.getMessage().contains("declares 1000000"), e.getMessage());
        Files.write(file, new byte[0]);
        assertThrows(AudioFormatException.class, () -> WavCodec.probe(file));
    }

    @Test
    void sampleRateLimitsAreInclusive() {
        assertEquals(1000, WavCodec.decode(WavBytes.mono16(1000, 1)).sampleRate());
        assertEquals(768_000, WavCodec.decode(WavBytes.mono16(768_000, 1)).sampleRate());
    }

    @Test
    void emptyClipRoundTrips() {
        AudioClip empty = new AudioClip(new float[0], 24000);
        assertEquals(empty, WavCodec.decode(WavCodec.encode(empty, WavFormat.PCM_16)));
    }

    private static int le16(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8;
    }

    private static long le32(byte[] b, int at) {
        return ((b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16 | (long) (b[at + 3] & 0xFF) << 24);
    }
}
