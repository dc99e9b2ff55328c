package dev.ttsqueue.inference.f5.internal;

import java.util.SplittableRandom;

/**
 * The starting noise of the flow, drawn in Java so a job's seed reproduces its audio (the export's
 * preprocess graph draws its own noise, which no seed reaches). Standard normal values by the
 * Box-Muller transform over {@link SplittableRandom}, whose sequence is fixed by its specification,
 * so the same seed gives the same noise on every JVM. Chunk {@code k} of a job uses the stream
 * seeded with {@code seed + k * 0x9E3779B97F4A7C15L}, so chunks differ but each is reproducible on its own.
 */
public final class GaussianNoise {
    private static final long CHUNK_STRIDE = 0x9E3779B97F4A7C15L;

    private GaussianNoise() {
    }

    /** Fills {@code out} with N(0, 1) values for chunk {@code chunk} of a job seeded with {@code seed}. */
    public static void fill(float[] out, long seed, int chunk) {
        SplittableRandom random = new SplittableRandom(seed + chunk * CHUNK_STRIDE);
        int i = 0;
        while (i < out.length) {
            double u1 = random.nextDouble();
            double u2 = random.nextDouble();
            // 1 - u1 lies in (0, 1], so the logarithm is finite
            double radius = Math.sqrt(-2.0 * Math.log(1.0 - u1));
            double angle = 2.0 * Math.PI * u2;
            out[i++] = (float) (radius * Math.cos(angle));
            if (i < out.length) {
                out[i++] = (float) (radius * Math.sin(angle));
            }
        }
    }
}
