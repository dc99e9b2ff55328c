package dev.ttsqueue.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.audio.WavCodec;
import java.nio.file.Path;

/** Checks on the WAV files the examples write. */
final class Speech {
    private Speech() {
    }

    /** Asserts that {@code wav} holds at least {@code minSeconds} of sound, not silence. */
    static AudioClip assertSpoken(Path wav, double minSeconds) throws Exception {
        AudioClip clip = WavCodec.read(wav);
        double sum = 0;
        for (float s : clip.samples()) {
            sum += s * s;
        }
        double rms = Math.sqrt(sum / Math.max(1, clip.length()));
        assertTrue(clip.durationSeconds() >= minSeconds, wav + " too short: " + clip.durationSeconds() + " s");
        assertTrue(rms > 0.01, wav + " is silent: rms " + rms);
        return clip;
    }
}
