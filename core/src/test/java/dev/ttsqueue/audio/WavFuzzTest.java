package dev.ttsqueue.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random damage to valid files (fixed seeds, so failures reproduce): decoding either succeeds with
 * a bounded result or throws {@link AudioFormatException}; anything else is a bug.
 */
class WavFuzzTest {
    private static final int ROUNDS = 20_000;

    @Test
    void mutatedFilesOnlyEverFailWithAudioFormatException() {
        byte[][] seeds = seeds();
        SplittableRandom random = new SplittableRandom(0x5EED_CAFEL);
        int decoded = 0;
        int refused = 0;
        for (int round = 0; round < ROUNDS; round++) {
            byte[] base = seeds[random.nextInt(seeds.length)];
            byte[] wav = mutate(base, random);
            try {
                AudioClip clip = WavCodec.decode(wav);
                // Output can never exceed one sample per input byte.
                assertTrue(clip.length() <= wav.length, "round " + round + ": " + clip.length() + " samples from " + wav.length + " bytes");
                decoded++;
            } catch (AudioFormatException expected) {
                refused++;
            } catch (RuntimeException | Error e) {
                fail("round " + round + " threw " + e + " for " + Arrays.toString(wav), e);
            }
        }
        // The mutations must exercise both outcomes, or this test proves little.
        assertTrue(decoded > ROUNDS / 20, "decoded " + decoded);
        assertTrue(refused > ROUNDS / 20, "refused " + refused);
    }

    @Test
    void probeAgreesWithDecodeOnMutatedFiles(@TempDir Path dir) throws IOException {
        byte[][] seeds = seeds();
        SplittableRandom random = new SplittableRandom(0xF11EL);
        Path file = dir.resolve("fuzz.wav");
        for (int round = 0; round < 1000; round++) {
            byte[] wav = mutate(seeds[random.nextInt(seeds.length)], random);
            Files.write(file, wav);
            String decodeError = null;
            AudioClip clip = null;
            try {
                clip = WavCodec.decode(wav);
            } catch (AudioFormatException e) {
                decodeError = e.getMessage();
            }
            try {
                WavInfo info = WavCodec.probe(file);
                assertEquals(null, decodeError, "round " + round + ": probe accepted what decode refused");
                assertEquals(clip.length(), info.frames(), "round " + round);
                assertEquals(clip.sampleRate(), info.sampleRate(), "round " + round);
            } catch (AudioFormatException e) {
                assertEquals(decodeError, e.getMessage(), "round " + round);
            }
        }
    }

    private static byte[][] seeds() {
        float[] s = new float[40];
        for (int i = 0; i < s.length; i++) {
            s[i] = (float) Math.sin(i * 0.3) * 0.5f;
        }
        AudioClip clip = new AudioClip(s, 16000);
        byte[] stereo = WavBytes.riff(WavBytes.fmt(WavBytes.PCM, 2, 44100, 16), WavBytes.chunk("LIST", new byte[5]),
                WavBytes.data(WavBytes.pcm16(1, 2, 3, 4, 5, 6)));
        byte[] extensible = WavBytes.riff(WavBytes.fmtExtensible(2, 48000, 32, 32, WavBytes.FLOAT),
                WavBytes.data(WavBytes.float32(0.1f, 0.2f, 0.3f, 0.4f)));
        return new byte[][] {
            WavCodec.encode(clip, WavFormat.PCM_16), WavCodec.encode(clip, WavFormat.PCM_U8), WavCodec.encode(clip, WavFormat.PCM_24),
            WavCodec.encode(clip, WavFormat.FLOAT_32), stereo, extensible};
    }

    private static byte[] mutate(byte[] base, SplittableRandom r) {
        byte[] b = base.clone();
        int edits = 1 + r.nextInt(4);
        for (int e = 0; e < edits; e++) {
            switch (r.nextInt(6)) {
                case 0 -> b[r.nextInt(b.length)] = (byte) r.nextInt(256); // any byte
                case 1 -> { // a header field to an extreme value
                    int at = r.nextInt(Math.min(b.length, 64) - 3);
                    int v = switch (r.nextInt(4)) {
                        case 0 -> 0;
                        case 1 -> -1;
                        case 2 -> Integer.MAX_VALUE;
                        default -> r.nextInt();
                    };
                    b[at] = (byte) v;
                    b[at + 1] = (byte) (v >> 8);
                    b[at + 2] = (byte) (v >> 16);
                    b[at + 3] = (byte) (v >> 24);
                }
                case 2 -> b = Arrays.copyOf(b, r.nextInt(b.length + 1)); // truncate
                case 3 -> { // append junk
                    byte[] junk = new byte[r.nextInt(20)];
                    r.nextBytes(junk);
                    byte[] longer = Arrays.copyOf(b, b.length + junk.length);
                    System.arraycopy(junk, 0, longer, b.length, junk.length);
                    b = longer;
                }
                case 4 -> { // flip one bit in the header
                    int at = r.nextInt(Math.min(b.length, 80));
                    b[at] ^= (byte) (1 << r.nextInt(8));
                }
                default -> { // delete a run of bytes
                    int from = r.nextInt(b.length);
                    int len = r.nextInt(Math.min(8, b.length - from) + 1);
                    byte[] shorter = new byte[b.length - len];
                    System.arraycopy(b, 0, shorter, 0, from);
                    System.arraycopy(b, from + len, shorter, from, b.length - from - len);
                    b = shorter;
                }
            }
            if (b.length < 4) {
                break;
            }
        }
        return b;
    }
}
