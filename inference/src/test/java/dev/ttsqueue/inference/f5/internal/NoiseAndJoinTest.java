package dev.ttsqueue.inference.f5.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ttsqueue.inference.f5.F5ModelException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class NoiseAndJoinTest {
    @Test
    void noiseIsStandardNormalAndFollowsSeedAndChunk() {
        float[] a = new float[100_001];
        float[] b = new float[100_001];
        float[] c = new float[100_001];
        GaussianNoise.fill(a, 42, 0);
        GaussianNoise.fill(b, 42, 0);
        GaussianNoise.fill(c, 42, 1);
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, c));
        double sum = 0;
        double sq = 0;
        for (float v : a) {
            sum += v;
            sq += v * v;
        }
        double mean = sum / a.length;
        assertEquals(0, mean, 0.02);
        assertEquals(1, sq / a.length - mean * mean, 0.02);
    }

    @Test
    void joinOverlapsLinearly() {
        float[] a = {1, 1, 1, 1};
        float[] b = {0, 0, 0, 0, 0};
        // 3 samples at 1 Hz... n = min(3, 4, 5) = 3: fade-out 1, 0.5, 0
        assertArrayEquals(new float[] {1, 1, 0.5f, 0, 0, 0}, ChunkJoiner.join(List.of(a, b), 3.0, 1), 1e-6f);
    }

    @Test
    void joinWithoutFadeConcatenates() {
        assertArrayEquals(new float[] {1, 2, 3}, ChunkJoiner.join(List.of(new float[] {1}, new float[] {2, 3}), 0.0, 24_000));
    }

    @Test
    void fadeIsLimitedByTheShorterPart() {
        float[] out = ChunkJoiner.join(List.of(new float[] {1, 1}, new float[] {0, 0, 0, 0, 0, 0}), 10.0, 1);
        assertArrayEquals(new float[] {1, 0, 0, 0, 0, 0}, out, 1e-6f);
    }

    @Test
    void vocabularyIdsAreLineNumbers() {
        Vocabulary v = Vocabulary.parse(" \na\r\nb\na\n", "test");
        assertEquals(0, v.id(" "));
        assertEquals(3, v.id("a"));
        assertEquals(2, v.id("b"));
        assertEquals(0, v.id("zzz"));
        assertThrows(F5ModelException.class, () -> Vocabulary.parse("", "empty"));
    }
}
