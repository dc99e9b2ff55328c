package dev.ttsqueue.inference.f5.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ttsqueue.inference.f5.F5ModelException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class NoiseAndVocabularyTest {
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
    void vocabularyIdsAreLineNumbers() {
        Vocabulary v = Vocabulary.parse(" \na\r\nb\na\n", "test");
        assertEquals(0, v.id(" "));
        assertEquals(3, v.id("a"));
        assertEquals(2, v.id("b"));
        assertEquals(0, v.id("zzz"));
        assertThrows(F5ModelException.class, () -> Vocabulary.parse("", "empty"));
    }
}
