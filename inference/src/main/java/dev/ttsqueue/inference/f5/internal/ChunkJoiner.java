package dev.ttsqueue.inference.f5.internal;

import java.util.List;

/**
 * Joins chunk audio as upstream does: {@code n = min(round-down(seconds * rate), len(a), len(b))}
 * samples overlap, the earlier one fading out linearly from 1 to 0 and the later one in from 0 to
 * 1 over the same n points ({@code numpy.linspace}); {@code n <= 0} is plain concatenation.
 */
public final class ChunkJoiner {
    private ChunkJoiner() {
    }

    public static float[] join(List<float[]> parts, double crossFadeSeconds, int sampleRate) {
        if (parts.isEmpty()) {
            return new float[0];
        }
        float[] acc = parts.get(0);
        int wanted = (int) (crossFadeSeconds * sampleRate);
        for (int k = 1; k < parts.size(); k++) {
            float[] next = parts.get(k);
            int n = Math.min(wanted, Math.min(acc.length, next.length));
            if (n <= 0) {
                n = 0;
            }
            float[] out = new float[acc.length + next.length - n];
            System.arraycopy(acc, 0, out, 0, acc.length - n);
            int base = acc.length - n;
            for (int i = 0; i < n; i++) {
                double fadeIn = n == 1 ? 0.0 : i / (double) (n - 1);
                out[base + i] = (float) (acc[base + i] * (1.0 - fadeIn) + next[i] * fadeIn);
            }
            System.arraycopy(next, n, out, acc.length, next.length - n);
            acc = out;
        }
        return acc;
    }
}
