package dev.ttsqueue.spi;

import java.util.Set;

/**
 * What a backend is and can do. The queue uses it to refuse, at submit time, requests the backend
 * cannot serve (an NFE step it lacks, a text too long).
 *
 * @param name short name shown in results, health and metrics (e.g. {@code f5-tts-onnx})
 * @param sampleRate sample rate of the audio it produces
 * @param clonesVoices whether the reference audio shapes the voice; when false the reference is
 *     accepted and ignored, and every result says so
 * @param needsReferenceText whether an empty reference transcript must be filled (by the voice
 *     bank or a {@link Transcriber}) before synthesis
 * @param supportedNfeSteps NFE steps it can run; empty means any value in range
 * @param defaultNfeStep the NFE step it runs best
 * @param maxTextLength longest text (characters) accepted; 0 = no limit
 * @param maxBatchSize how many requests {@link TtsBackend#synthesizeBatch} takes at once; 1 = no batching
 * @param device where it runs, in words (e.g. {@code CUDA:0}, {@code CPU})
 */
public record BackendInfo(
        String name,
        int sampleRate,
        boolean clonesVoices,
        boolean needsReferenceText,
        Set<Integer> supportedNfeSteps,
        int defaultNfeStep,
        int maxTextLength,
        int maxBatchSize,
        String device) {

    public BackendInfo {
        supportedNfeSteps = Set.copyOf(supportedNfeSteps);
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException("maxBatchSize must be at least 1");
        }
    }
}
