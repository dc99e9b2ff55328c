package dev.ttsqueue.spi;

import dev.ttsqueue.InferenceSettings;
import dev.ttsqueue.audio.AudioClip;

/**
 * One synthesis, fully resolved: the reference audio is loaded, the seed drawn.
 *
 * @param referenceAudio the voice to clone; null when the job has none (backends that do not clone)
 * @param refText transcript of the reference (may be empty when the backend does not need it)
 * @param text what to say
 * @param settings validated settings; their seed is this request's {@code seed}, never "random"
 * @param seed the seed to use, drawn already when the job asked for a random one; the same seed and
 *     inputs give the same audio on the same device. The one place a backend reads its seed.
 */
public record SynthesisRequest(AudioClip referenceAudio, String refText, String text, InferenceSettings settings, long seed) {

    public SynthesisRequest {
        // One seed, wherever a backend looks: the settings say the drawn one, not "random".
        if (settings != null && (settings.randomizeSeed() || settings.seed() != seed)) {
            settings = settings.withSeed(seed);
        }
    }
}
