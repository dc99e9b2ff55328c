package dev.ttsqueue.audio;

import java.util.Objects;

/**
 * Band-limited sample-rate conversion between any two integer rates: a Kaiser-windowed sinc low-pass
 * (cut-off at 92% of the lower Nyquist frequency, 32 zero crossings each side, beta 8.6, about
 * 85 dB stop-band) evaluated at each output instant. When the reduced rate ratio has a small
 * numerator the filter is tabulated exactly per phase (polyphase); otherwise it is tabulated at
 * 1024 points per sample and interpolated linearly (same pass-band and stop-band in the tests,
 * but several times slower per output sample).
 * Samples outside the clip count as zero.
 */
public final class Resampler {
    private static final double ROLLOFF = 0.92;
    private static final int ZERO_CROSSINGS = 32;
    private static final double BETA = 8.6;
    /** Largest number of exact phases tabulated; beyond it the kernel is interpolated. */
    private static final int MAX_PHASES = 4096;
    /** Kernel table resolution for the interpolated path, in points per input sample. */
    private static final int OVERSAMPLE = 1024;

    private Resampler() {
    }

    /**
     * Converts {@code clip} to {@code targetRate}. The output has {@code ceil(length * target / source)}
     * samples. The same rate returns {@code clip} itself.
     *
     * @throws IllegalArgumentException when {@code targetRate} is not positive
     * @throws NullPointerException when {@code clip} is null
     */
    public static AudioClip resample(AudioClip clip, int targetRate) {
        Objects.requireNonNull(clip, "clip");
        if (targetRate <= 0) {
            throw new IllegalArgumentException("targetRate must be positive: " + targetRate);
        }
        int sourceRate = clip.sampleRate();
        if (sourceRate == targetRate) {
            return clip;
        }
        int g = gcd(sourceRate, targetRate);
        int up = targetRate / g;   // output samples per period
        int down = sourceRate / g; // input samples per period
        long outLength = ((long) clip.length() * up + down - 1) / down;
        if (outLength > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("Resampled clip would be too long: " + outLength + " samples");
        }
        // Cut-off in cycles per input sample.
        double cutoff = ROLLOFF * 0.5 * Math.min(sourceRate, targetRate) / sourceRate;
        double halfWidth = ZERO_CROSSINGS / (2 * cutoff); // kernel half-length in input samples
        int taps = 2 * (int) Math.ceil(halfWidth);
        float[] out = new float[(int) outLength];
        if (up <= MAX_PHASES) {
            polyphase(clip.samples(), out, up, down, cutoff, halfWidth, taps);
        } else {
            interpolated(clip.samples(), out, up, down, cutoff, halfWidth, taps);
        }
        return new AudioClip(out, targetRate);
    }

    private static void polyphase(float[] in, float[] out, int up, int down, double cutoff, double halfWidth, int taps) {
        int k0 = taps / 2 - 1; // tap j sits at input offset j - k0 from the base sample
        float[][] table = new float[up][taps];
        for (int phase = 0; phase < up; phase++) {
            double frac = phase / (double) up;
            double sum = 0;
            for (int j = 0; j < taps; j++) {
                double v = kernel(j - k0 - frac, cutoff, halfWidth);
                table[phase][j] = (float) v;
                sum += v;
            }
            // Unit gain at DC for every phase, so a constant stays exactly constant.
            for (int j = 0; j < taps; j++) {
                table[phase][j] = (float) (table[phase][j] / sum);
            }
        }
        for (int n = 0; n < out.length; n++) {
            long pos = (long) n * down;
            int base = (int) (pos / up);
            float[] h = table[(int) (pos % up)];
            out[n] = (float) convolve(in, base - k0, h, taps);
        }
    }

    private static void interpolated(float[] in, float[] out, int up, int down, double cutoff, double halfWidth, int taps) {
        int k0 = taps / 2 - 1;
        // kernel(t) tabulated for t in [-(k0 + 1), taps - k0] at OVERSAMPLE points per sample.
        double origin = k0 + 1;
        int points = (taps + 1) * OVERSAMPLE + 2;
        double[] table = new double[points];
        for (int i = 0; i < points; i++) {
            table[i] = kernel(i / (double) OVERSAMPLE - origin, cutoff, halfWidth);
        }
        double[] h = new double[taps];
        for (int n = 0; n < out.length; n++) {
            long pos = (long) n * down;
            int base = (int) (pos / up);
            double frac = (pos % up) / (double) up;
            double sum = 0;
            for (int j = 0; j < taps; j++) {
                double x = (j - k0 - frac + origin) * OVERSAMPLE;
                int i = (int) x;
                double w = x - i;
                h[j] = table[i] + w * (table[i + 1] - table[i]);
                sum += h[j];
            }
            double acc = 0;
            int start = base - k0;
            for (int j = Math.max(0, -start), end = Math.min(taps, in.length - start); j < end; j++) {
                acc += in[start + j] * h[j];
            }
            out[n] = (float) (acc / sum);
        }
    }

    private static double convolve(float[] in, int start, float[] h, int taps) {
        double acc = 0;
        int from = Math.max(0, -start);
        int to = Math.min(taps, in.length - start);
        for (int j = from; j < to; j++) {
            acc += in[start + j] * h[j];
        }
        return acc;
    }

    /** Windowed sinc at {@code t} input samples from the output instant. */
    private static double kernel(double t, double cutoff, double halfWidth) {
        if (Math.abs(t) >= halfWidth) {
            return 0;
        }
        double x = 2 * cutoff * t;
        double sinc = x == 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
        double r = t / halfWidth;
        return 2 * cutoff * sinc * besselI0(BETA * Math.sqrt(1 - r * r)) / besselI0(BETA);
    }

    /** Modified Bessel function of the first kind, order 0 (power series; converges fast for beta < 20). */
    private static double besselI0(double x) {
        double sum = 1;
        double term = 1;
        double half = x / 2;
        for (int k = 1; k < 64; k++) {
            term *= (half / k) * (half / k);
            sum += term;
            if (term < sum * 1e-17) {
                break;
            }
        }
        return sum;
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }
}
