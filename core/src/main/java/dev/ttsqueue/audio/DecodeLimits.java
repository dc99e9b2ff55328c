package dev.ttsqueue.audio;

import java.time.Duration;
import java.util.Objects;

/**
 * How much decoded audio a decoder may produce from one file. Compressed formats expand: a few
 * kilobytes of FLAC or Ogg silence decode to hours of samples, so every {@link AudioDecoder}
 * refuses a file with {@link AudioTooLongException} as soon as it would pass these limits, before
 * decoding the rest, and memory stays bounded whatever the file claims.
 *
 * @param maxDuration longest decoded audio accepted
 * @param maxSamples most mono samples kept, whatever the sample rate: the memory bound (4 bytes a
 *     sample) for files at very high rates, where {@code maxDuration} alone would allow gigabytes
 */
public record DecodeLimits(Duration maxDuration, long maxSamples) {
    /** The default longest reference: generous, since voice cloning uses only its first seconds. */
    public static final Duration DEFAULT_MAX_DURATION = Duration.ofMinutes(5);
    /** Rate at which {@link #of(Duration)} allows the whole duration; higher rates get proportionally less. */
    public static final int FULL_DURATION_RATE = 48_000;

    public DecodeLimits {
        Objects.requireNonNull(maxDuration, "maxDuration");
        if (maxDuration.isNegative() || maxDuration.isZero()) {
            throw new IllegalArgumentException("maxDuration must be positive: " + maxDuration);
        }
        if (maxSamples <= 0) {
            throw new IllegalArgumentException("maxSamples must be positive: " + maxSamples);
        }
    }

    /** {@link #DEFAULT_MAX_DURATION}: 5 minutes, 14.4 million samples (58 MB of floats). */
    public static DecodeLimits defaults() {
        return of(DEFAULT_MAX_DURATION);
    }

    /** At most {@code maxDuration}, and at most that many seconds at {@value #FULL_DURATION_RATE} Hz of samples. */
    public static DecodeLimits of(Duration maxDuration) {
        Objects.requireNonNull(maxDuration, "maxDuration");
        long samples = Math.max(1, maxDuration.toMillis() * FULL_DURATION_RATE / 1000);
        return new DecodeLimits(maxDuration, samples);
    }

    /** Most mono samples accepted at {@code sampleRate}: the smaller of the duration and the sample limit. */
    public long maxFrames(int sampleRate) {
        if (sampleRate <= 0) {
            throw new IllegalArgumentException("sampleRate must be positive: " + sampleRate);
        }
        long byDuration = maxDuration.toMillis() * sampleRate / 1000;
        return Math.min(byDuration, maxSamples);
    }

    /**
     * Throws when {@code frames} at {@code sampleRate} are more than allowed.
     *
     * @throws AudioTooLongException naming {@code format}
     */
    public void check(String format, long frames, int sampleRate) {
        if (frames > maxFrames(sampleRate)) {
            throw new AudioTooLongException(format, this, sampleRate);
        }
    }
}
