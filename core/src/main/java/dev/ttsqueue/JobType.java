package dev.ttsqueue;

import java.util.Locale;

/** What a job asks for; all three resolve to the same synthesis call. */
public enum JobType {
    /** Speak with a reference clip uploaded earlier ({@code audio_file_id}). */
    TTS_GENERATE,
    /** Speak with a named voice from the voice bank. */
    TTS_PERMANENT,
    /** Speak with an uploaded clip in one step. */
    VOICE_CLONING;

    /** The name used on the wire: {@code tts_generate}, {@code tts_permanent}, {@code voice_cloning}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a wire name (any case).
     *
     * @throws InvalidRequestException for an unknown name
     */
    public static JobType fromWireName(String name) {
        if (name != null) {
            for (JobType t : values()) {
                if (t.wireName().equalsIgnoreCase(name.trim())) {
                    return t;
                }
            }
        }
        throw new InvalidRequestException("Invalid job_type: " + name
                + ". Must be one of: tts_generate, tts_permanent, voice_cloning");
    }
}
