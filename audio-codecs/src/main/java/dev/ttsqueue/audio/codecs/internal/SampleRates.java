package dev.ttsqueue.audio.codecs.internal;

import dev.ttsqueue.audio.AudioFormatException;

/** The sample rates accepted, the same for every format (and as the core's WAV reader accepts). */
public final class SampleRates {
    /** Below this no speech is left, and resampling to the model's rate would multiply the sample count absurdly. */
    public static final int MIN = 1_000;
    public static final int MAX = 768_000;

    private SampleRates() {
    }

    /** @throws AudioFormatException naming {@code format} when {@code rate} is outside {@link #MIN}..{@link #MAX} */
    public static int check(String format, long rate) {
        if (rate < MIN || rate > MAX) {
            throw new AudioFormatException("Unsupported " + format + " file: sample rate " + rate + " Hz (supported: "
                    + MIN + " to " + MAX + " Hz)");
        }
        return (int) rate;
    }
}
