package dev.ttsqueue.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class CrossFadeTest {

    private static AudioClip constant(float value, int length, int rate) {
        float[] s = new float[length];
        Arrays.fill(s, value);
        return new AudioClip(s, rate);
    }

    @Test
    void overlapIsLinearFadeOutPlusFadeIn() {
        // 0.5 s at 10 Hz = 5 samples of overlap; fade-in 0, .25, .5, .75, 1.
        AudioClip a = constant(1f, 8, 10);
        AudioClip b = constant(-1f, 6, 10);
        AudioClip joined = CrossFade.join(List.of(a, b), 0.5);
        assertEquals(8 + 6 - 5, joined.length());
        assertArrayEquals(new float[] {1, 1, 1, 1, 0.5f, 0, -0.5f, -1, -1}, joined.samples(), 1e-6f);
    }

    @Test
    void overlapIsCappedByTheShorterClip() {
        AudioClip a = constant(1f, 10, 100);
        AudioClip b = constant(0f, 3, 100);
        AudioClip joined = CrossFade.join(List.of(a, b), 1.0);
        assertEquals(10, joined.length());
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1, 1, 1, 0.5f, 0}, joined.samples(), 1e-6f);
    }

    @Test
    void overlapIsCappedByWhatWasJoinedSoFar() {
        AudioClip a = constant(1f, 2, 100);
        AudioClip b = constant(1f, 50, 100);
        assertEquals(50, CrossFade.join(List.of(a, b), 0.3).length());
    }

    @Test
    void samplesAreTruncatedNotRounded() {
        // 0.149 s at 100 Hz = 14.9 samples: upstream int() makes it 14.
        AudioClip a = constant(1f, 30, 100);
        assertEquals(60 - 14, CrossFade.join(List.of(a, a), 0.149).length());
    }

    @Test
    void singleSampleOverlapKeepsTheNextClip() {
        // numpy linspace(1, 0, 1) = [1] and linspace(0, 1, 1) = [0]: the first clip's sample stays.
        AudioClip a = constant(0.25f, 3, 10);
        AudioClip b = constant(-1f, 3, 10);
        assertArrayEquals(new float[] {0.25f, 0.25f, 0.25f, -1, -1}, CrossFade.join(List.of(a, b), 0.1).samples(), 0f);
    }

    @Test
    void zeroOrNegativeSecondsConcatenate() {
        AudioClip a = new AudioClip(new float[] {1, 2}, 24000);
        AudioClip b = new AudioClip(new float[] {3}, 24000);
        AudioClip c = new AudioClip(new float[] {4, 5}, 24000);
        float[] expected = {1, 2, 3, 4, 5};
        assertArrayEquals(expected, CrossFade.join(List.of(a, b, c), 0).samples());
        assertArrayEquals(expected, CrossFade.join(List.of(a, b, c), -1).samples());
        assertArrayEquals(expected, CrossFade.join(List.of(a, b, c), Double.NaN).samples());
    }

    @Test
    void threeClipsChainTheOverlap() {
        int rate = 24000;
        List<AudioClip> clips = List.of(constant(0.1f, 24000, rate), constant(0.2f, 12000, rate), constant(0.3f, 24000, rate));
        AudioClip joined = CrossFade.join(clips, 0.15);
        assertEquals(60000 - 2 * 3600, joined.length());
        assertEquals(0.1f, joined.samples()[0], 1e-7);
        assertEquals(0.2f, joined.samples()[24000], 1e-7);
        assertEquals(0.3f, joined.samples()[joined.length() - 1], 1e-7);
        // Midway through the first overlap the two levels are mixed half and half.
        assertEquals(0.15f, joined.samples()[24000 - 3600 + 1800], 1e-4);
        assertEquals(rate, joined.sampleRate());
    }

    @Test
    void emptyClipsAreAllowed() {
        AudioClip a = constant(1f, 4, 10);
        AudioClip empty = new AudioClip(new float[0], 10);
        assertEquals(4, CrossFade.join(List.of(empty, a, empty), 0.2).length());
    }

    @Test
    void singleClipIsReturnedAsIs() {
        AudioClip a = constant(1f, 4, 10);
        assertSame(a, CrossFade.join(List.of(a), 0.2));
    }

    @Test
    void refusesMixedRatesAndEmptyLists() {
        AudioClip a = constant(1f, 4, 24000);
        AudioClip b = constant(1f, 4, 16000);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CrossFade.join(List.of(a, b), 0.1));
        assertEquals("Cannot join clips of different sample rates: clip 1 is 16000 Hz, clip 0 is 24000 Hz", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CrossFade.join(List.of(a, b), 0));
        assertThrows(IllegalArgumentException.class, () -> CrossFade.join(List.of(), 0.1));
    }

    @Test
    void aJoinerHandsOutExactlyWhatJoinGivesAPartAtATime() {
        java.util.Random random = new java.util.Random(14);
        for (int round = 0; round < 200; round++) {
            int clips = 1 + random.nextInt(6);
            double fade = random.nextInt(4) == 0 ? 0 : random.nextDouble() * 0.02;
            java.util.List<AudioClip> parts = new java.util.ArrayList<>();
            for (int c = 0; c < clips; c++) {
                float[] samples = new float[random.nextInt(4) == 0 ? random.nextInt(5) : random.nextInt(900)];
                for (int i = 0; i < samples.length; i++) {
                    samples[i] = random.nextFloat() * 2 - 1;
                }
                parts.add(new AudioClip(samples, 16_000));
            }
            CrossFade.Joiner joiner = new CrossFade.Joiner(16_000, fade);
            java.util.List<Float> streamed = new java.util.ArrayList<>();
            for (AudioClip part : parts) {
                for (float f : joiner.add(part).samples()) {
                    streamed.add(f);
                }
            }
            for (float f : joiner.finish().samples()) {
                streamed.add(f);
            }
            float[] joined = CrossFade.join(parts, fade).samples();
            assertEquals(joined.length, streamed.size(), "round " + round);
            for (int i = 0; i < joined.length; i++) {
                assertEquals(joined[i], streamed.get(i), 0f, "round " + round + ", sample " + i);
            }
        }
    }

    @Test
    void aJoinerHoldsBackOnlyTheCrossFade() {
        CrossFade.Joiner joiner = new CrossFade.Joiner(1_000, 0.1);
        assertEquals(900, joiner.add(new AudioClip(new float[1_000], 1_000)).length(), "all but the 100 samples the next clip fades into");
        assertEquals(1_900, joiner.add(new AudioClip(new float[2_000], 1_000)).length());
        assertEquals(100, joiner.finish().length());
        assertThrows(IllegalArgumentException.class, () -> joiner.add(new AudioClip(new float[10], 8_000)));
    }
}
