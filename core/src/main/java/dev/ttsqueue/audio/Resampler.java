package dev.ttsqueue.audio;

/** PENDING: replaced by the audio work. */
public final class Resampler {
    private Resampler() {
    }

    public static AudioClip resample(AudioClip clip, int targetRate) {
        throw new UnsupportedOperationException("pending");
    }
}
