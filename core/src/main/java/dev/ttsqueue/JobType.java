package dev.ttsqueue;

import java.util.Locale;

/** What a job asks for; all three resolve to the same synthesis call. */
public enum JobType {
    /** Speak with a reference clip uploaded earlier (its {@code audioFileId}). */
    TTS_GENERATE,
    /** Speak with a named voice from the voice bank. */
    TTS_PERMANENT,
    /** Speak with an uploaded clip in one step. */
    VOICE_CLONING;

    /** The name used on the wire: {@code tts_generate}, {@code tts_permanent}, {@code voice_cloning}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
