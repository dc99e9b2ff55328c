package dev.ttsqueue.inference.whisper;

import java.util.List;

/**
 * What {@link WhisperTranscriber} heard in a clip.
 *
 * @param text the transcript, trimmed; empty when the decoder ended at once
 * @param language the language code used: the configured one, or the one detected
 * @param tokens the decoded token ids, without the forced start tokens and end-of-text
 */
public record Transcript(String text, String language, List<Integer> tokens) {
    public Transcript {
        tokens = List.copyOf(tokens);
    }
}
