package dev.ttsqueue.inference.f5.internal;

import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.audio.Resampler;

/**
 * A reference voice ready for {@code F5_Preprocess}: 24 kHz mono int16, clipped as upstream, and
 * raised to RMS 0.1 when quieter (upstream's {@code target_rms}); {@link #outputGain()} scales the
 * generated audio back down by the same factor.
 *
 * @param pcm int16 samples at 24 kHz
 * @param outputGain factor for the generated samples (1 unless the reference was raised)
 */
public record PreparedReference(short[] pcm, double outputGain) {
    public static final int SAMPLE_RATE = 24_000;
    static final double TARGET_RMS = 0.1;

    public double seconds() {
        return pcm.length / (double) SAMPLE_RATE;
    }

    /**
     * @throws IllegalArgumentException when the clip is silent or empty once cleaned up
     */
    public static PreparedReference of(AudioClip clip) {
        AudioClip at24k = clip.sampleRate() == SAMPLE_RATE ? clip : Resampler.resample(clip, SAMPLE_RATE);
        float[] s = ReferenceClipper.clip(at24k.samples());
        double sum = 0;
        for (float v : s) {
            sum += (double) v * v;
        }
        double rms = s.length == 0 ? 0 : Math.sqrt(sum / s.length);
        if (!(rms > 0)) {
            throw new IllegalArgumentException("The reference audio is silent: F5-TTS needs a voice to clone");
        }
        double gain = rms < TARGET_RMS ? TARGET_RMS / rms : 1.0;
        short[] pcm = new short[s.length];
        for (int i = 0; i < s.length; i++) {
            long v = Math.round(s[i] * gain * 32768.0);
            pcm[i] = (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, v));
        }
        return new PreparedReference(pcm, 1.0 / gain);
    }
}
