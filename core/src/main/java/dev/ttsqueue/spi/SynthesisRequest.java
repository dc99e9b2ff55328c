package dev.ttsqueue.spi;

import dev.ttsqueue.InferenceSettings;
import dev.ttsqueue.audio.AudioClip;

/**
 * One synthesis, fully resolved: the reference audio is loaded, the seed drawn.
 *
 * @param referenceAudio the voice to clone; null when the job has none (backends that do not clone)
 * @param refText transcript of the reference (may be empty when the backend does not need it)
 * @param text what to say
 * @param settings validated settings
 * @param seed the seed to use; the same seed and inputs give the same audio on the same device
 */
public record SynthesisRequest(AudioClip referenceAudio, String refText, String text, InferenceSettings settings, long seed) {
}
