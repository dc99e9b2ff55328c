package dev.ttsqueue.audio;

import java.util.Objects;

/**
 * Mono PCM audio as floats in [-1, 1] with its sample rate.
 *
 * <p>The array is not copied (clips can be tens of megabytes); treat it as read-only once a clip
 * is built. {@code equals} compares the array contents.
 *
 * @param samples mono samples, nominally in [-1, 1]
 * @param sampleRate samples per second, positive
 */
public record AudioClip(float[] samples, int sampleRate) {

    public AudioClip {
        Objects.requireNonNull(samples, "samples");
        if (sampleRate <= 0) {
            throw new IllegalArgumentException("sampleRate must be positive: " + sampleRate);
        }
    }

    /** An empty clip at the given rate. */
    public static AudioClip silence(int sampleRate, int length) {
        return new AudioClip(new float[length], sampleRate);
    }

    public int length() {
        return samples.length;
    }

    public double durationSeconds() {
        return samples.length / (double) sampleRate;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AudioClip c && c.sampleRate == sampleRate && java.util.Arrays.equals(c.samples, samples);
    }

    @Override
    public int hashCode() {
        return 31 * java.util.Arrays.hashCode(samples) + sampleRate;
    }

    @Override
    public String toString() {
        return "AudioClip[" + samples.length + " samples @ " + sampleRate + " Hz]";
    }
}
