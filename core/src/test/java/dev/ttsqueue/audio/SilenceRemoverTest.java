package dev.ttsqueue.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Expected lengths are worked out by hand from pydub's algorithm. Most clips run at 1000 Hz so one
 * sample is one millisecond.
 */
class SilenceRemoverTest {

    /** Builds a clip from (kind, milliseconds) pairs: 't' = tone at -6 dBFS, 's' = digital silence. */
    private static AudioClip clip(int rate, Object... parts) {
        float[] out = new float[0];
        for (int i = 0; i < parts.length; i += 2) {
            char kind = (Character) parts[i];
            int n = (int) ((long) (Integer) parts[i + 1] * rate / 1000);
            float[] piece = new float[n];
            if (kind == 't') {
                for (int k = 0; k < n; k++) {
                    piece[k] = k % 2 == 0 ? 0.5f : -0.5f;
                }
            }
            out = concat(out, piece);
        }
        return new AudioClip(out, rate);
    }

    private static float[] concat(float[] a, float[] b) {
        float[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    @Test
    void longPauseIsCutToHalfASecondEachSide() {
        AudioClip in = clip(1000, 't', 1000, 's', 3000, 't', 1000);
        AudioClip out = SilenceRemover.removeSilence(in);
        assertEquals(clip(1000, 't', 1000, 's', 1000, 't', 1000), out);
    }

    @Test
    void pauseOfOneAndAHalfSecondsBecomesOneSecond() {
        AudioClip out = SilenceRemover.removeSilence(clip(1000, 't', 1000, 's', 1500, 't', 1000));
        assertEquals(clip(1000, 't', 1000, 's', 1000, 't', 1000), out);
    }

    @Test
    void pauseShorterThanOneSecondIsKept() {
        AudioClip in = clip(1000, 't', 1000, 's', 990, 't', 1000);
        assertSame(in, SilenceRemover.removeSilence(in));
    }

    @Test
    void leadingAndTrailingSilenceAreCutToHalfASecond() {
        AudioClip out = SilenceRemover.removeSilence(clip(1000, 's', 2000, 't', 1000, 's', 2500));
        assertEquals(clip(1000, 's', 500, 't', 1000, 's', 500), out);
    }

    @Test
    void allSilenceComesBackEmptyAsUpstream() {
        AudioClip out = SilenceRemover.removeSilence(clip(24000, 's', 3000));
        assertEquals(0, out.length());
        assertEquals(24000, out.sampleRate());
    }

    @Test
    void clipShorterThanTheMinimumSilenceIsUnchanged() {
        AudioClip in = clip(1000, 's', 999);
        assertSame(in, SilenceRemover.removeSilence(in));
        AudioClip empty = new AudioClip(new float[0], 24000);
        assertSame(empty, SilenceRemover.removeSilence(empty));
    }

    @Test
    void lastWindowEndingAtTheClipEndIsTested() {
        // Window starts 0, 10, ..., 1000 all touch the tone; only the extra window at 1005 is
        // silent, and pydub tests it. It makes [1005, 2005] silent; the clip is cut at 1505.
        AudioClip out = SilenceRemover.removeSilence(clip(1000, 't', 1005, 's', 1000));
        assertEquals(clip(1000, 't', 1005, 's', 500), out);
    }

    @Test
    void levelAboveTheThresholdIsNotSilence() {
        float[] quiet = new float[4000];
        for (int i = 0; i < quiet.length; i++) {
            quiet[i] = i < 1000 || i >= 3000 ? 0.5f : 0.01f; // -40 dBFS in the middle
        }
        AudioClip in = new AudioClip(quiet, 1000);
        assertSame(in, SilenceRemover.removeSilence(in));
        for (int i = 1000; i < 3000; i++) {
            quiet[i] = 0.001f; // -60 dBFS: silence
        }
        assertEquals(3000, SilenceRemover.removeSilence(new AudioClip(quiet, 1000)).length());
    }

    @Test
    void realRateMapsMillisecondsToSamples() {
        AudioClip out = SilenceRemover.removeSilence(clip(24000, 't', 700, 's', 2000, 't', 300));
        assertEquals(clip(24000, 't', 700, 's', 1000, 't', 300), out);
    }

    @Test
    void overlappingKeptSilenceMeetsAtTheMidpoint() {
        // Silent range [1000, 2200]; pieces widened by 700 ms overlap over [1500, 1700] and meet at
        // 1600, so nothing is lost.
        AudioClip in = clip(1000, 't', 1000, 's', 1200, 't', 1000);
        assertEquals(in, SilenceRemover.removeSilence(in, 1000, -50, 700, 10));
    }

    @Test
    void parametersAreHonoured() {
        AudioClip in = clip(1000, 't', 500, 's', 400, 't', 500);
        AudioClip out = SilenceRemover.removeSilence(in, 300, -50, 100, 10);
        assertEquals(clip(1000, 't', 500, 's', 200, 't', 500), out);
        // At -3 dBFS the -6 dBFS tone counts as silence too: everything is silent.
        assertEquals(0, SilenceRemover.removeSilence(in, 300, -3, 0, 10).length());
    }

    @Test
    void rejectsBadParameters() {
        AudioClip in = clip(1000, 't', 10);
        assertThrows(IllegalArgumentException.class, () -> SilenceRemover.removeSilence(in, 0, -50, 500, 10));
        assertThrows(IllegalArgumentException.class, () -> SilenceRemover.removeSilence(in, 1000, -50, -1, 10));
        assertThrows(IllegalArgumentException.class, () -> SilenceRemover.removeSilence(in, 1000, -50, 500, 0));
        assertThrows(IllegalArgumentException.class, () -> SilenceRemover.removeSilence(in, 1000, Double.NaN, 500, 10));
    }
}
