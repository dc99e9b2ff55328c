package dev.ttsqueue.audio.codecs;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.audio.AudioDecoder;
import dev.ttsqueue.audio.AudioFormatException;
import dev.ttsqueue.audio.DecodeLimits;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Damaged versions of real files (fixed seeds, so any failure reproduces): each decoder, called
 * directly, either returns a clip within the limits or throws {@link AudioFormatException}. Any
 * other exception, an error, or a decode that does not end (the whole run has a deadline, and the
 * round it stopped in is reported) is a bug.
 */
class DecoderMutationTest {
    private static final int ROUNDS = 2_500;
    private static final DecodeLimits LIMITS = DecodeLimits.of(Duration.ofSeconds(20));

    @Test
    void mp3() {
        run(new Mp3Decoder(), 0x3A3L, "ref-mono-24k.mp3", "ref-stereo-44k.mp3", "ref-id3v2.mp3");
    }

    @Test
    void flac() {
        run(new FlacDecoder(), 0xF1ACL, "ref-mono-24k.flac", "ref-stereo-44k-24bit.flac");
    }

    @Test
    void oggVorbis() {
        run(new OggVorbisDecoder(), 0x0660L, "ref-mono-24k.ogg", "ref-stereo-44k.ogg");
    }

    private static void run(AudioDecoder decoder, long seed, String... files) {
        byte[][] seeds = Arrays.stream(files).map(Fixtures::bytes).toArray(byte[][]::new);
        AtomicInteger round = new AtomicInteger();
        int[] outcomes = new int[2];
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            SplittableRandom random = new SplittableRandom(seed);
            for (; round.get() < ROUNDS; round.incrementAndGet()) {
                byte[] input = mutate(seeds[random.nextInt(seeds.length)], random);
                try {
                    AudioClip clip = decoder.decode(input, LIMITS);
                    assertTrue(clip.length() <= LIMITS.maxFrames(clip.sampleRate()), "round " + round + ": past the limit");
                    for (float s : clip.samples()) {
                        assertTrue(Float.isFinite(s), "round " + round + ": sample " + s);
                    }
                    outcomes[0]++;
                } catch (AudioFormatException expected) {
                    assertTrue(expected.getMessage().contains(decoder.formatName()) || expected.getMessage().contains("Ogg"),
                            "round " + round + ": the message does not name the format: " + expected.getMessage());
                    outcomes[1]++;
                } catch (RuntimeException | Error e) {
                    fail("round " + round + " threw " + e + " for " + HexFormat.of().formatHex(input), e);
                }
            }
        }, () -> decoder.formatName() + " decoding did not end, in round " + round.get());
        // Both outcomes must occur, or the mutations prove little.
        assertTrue(outcomes[0] > ROUNDS / 100, decoder.formatName() + " decoded " + outcomes[0]);
        assertTrue(outcomes[1] > ROUNDS / 20, decoder.formatName() + " refused " + outcomes[1]);
    }

    /** One to four edits, each a kind of damage files really suffer (cut transfers, bit rot, bad concatenation). */
    static byte[] mutate(byte[] base, SplittableRandom r) {
        byte[] b = base.clone();
        int edits = 1 + r.nextInt(4);
        for (int e = 0; e < edits && b.length > 8; e++) {
            switch (r.nextInt(8)) {
                case 0 -> b[r.nextInt(b.length)] = (byte) r.nextInt(256); // any byte anywhere
                case 1 -> { // a header field to an extreme value, near the start where the headers are
                    int at = r.nextInt(Math.min(b.length, 128) - 3);
                    int v = switch (r.nextInt(4)) {
                        case 0 -> 0;
                        case 1 -> -1;
                        case 2 -> Integer.MAX_VALUE;
                        default -> r.nextInt();
                    };
                    for (int i = 0; i < 4; i++) {
                        b[at + i] = (byte) (v >> (8 * i));
                    }
                }
                case 2 -> b = Arrays.copyOf(b, r.nextInt(b.length + 1)); // truncate
                case 3 -> { // append junk
                    byte[] junk = new byte[r.nextInt(200)];
                    r.nextBytes(junk);
                    byte[] longer = Arrays.copyOf(b, b.length + junk.length);
                    System.arraycopy(junk, 0, longer, b.length, junk.length);
                    b = longer;
                }
                case 4 -> { // flip one bit in the first 4 KiB (headers, first frames and pages)
                    int at = r.nextInt(Math.min(b.length, 4096));
                    b[at] ^= (byte) (1 << r.nextInt(8));
                }
                case 5 -> { // flip one bit anywhere
                    int at = r.nextInt(b.length);
                    b[at] ^= (byte) (1 << r.nextInt(8));
                }
                case 6 -> { // delete a run of bytes
                    int from = r.nextInt(b.length);
                    int to = Math.min(b.length, from + 1 + r.nextInt(64));
                    byte[] shorter = new byte[b.length - (to - from)];
                    System.arraycopy(b, 0, shorter, 0, from);
                    System.arraycopy(b, to, shorter, from, b.length - to);
                    b = shorter;
                }
                default -> { // repeat a run of bytes (a duplicated frame or page piece)
                    int from = r.nextInt(b.length);
                    int len = Math.min(b.length - from, 1 + r.nextInt(512));
                    byte[] longer = new byte[b.length + len];
                    System.arraycopy(b, 0, longer, 0, from + len);
                    System.arraycopy(b, from, longer, from + len, b.length - from);
                    b = longer;
                }
            }
        }
        return b;
    }
}
