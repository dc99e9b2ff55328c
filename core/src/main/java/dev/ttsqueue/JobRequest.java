package dev.ttsqueue;

import java.util.Objects;

/**
 * What a caller asks the queue to do. Immutable; build one with {@link #ttsGenerate},
 * {@link #ttsPermanent} or {@link #voiceCloning} and refine it with the {@code withX} methods
 * (aliases without the prefix read well in a chain: {@code .settings(s).priority(1)}).
 *
 * @param type what kind of job this is
 * @param audioFileId id of an uploaded reference clip in the {@link dev.ttsqueue.spi.AudioStore}
 *     ({@code TTS_GENERATE}, {@code VOICE_CLONING}); null for {@code TTS_PERMANENT}
 * @param voiceName name of a voice in the {@link dev.ttsqueue.spi.VoiceBank} ({@code TTS_PERMANENT})
 * @param refText transcript of the reference clip; empty means "use the voice bank's text, or
 *     transcribe"; never null
 * @param text the text to speak; never null
 * @param settings synthesis settings; never null
 * @param priority higher runs first; equal priorities run in submission order
 */
public record JobRequest(
        JobType type,
        String audioFileId,
        String voiceName,
        String refText,
        String text,
        InferenceSettings settings,
        int priority) {

    public JobRequest {
        Objects.requireNonNull(type, "type");
        refText = refText == null ? "" : refText;
        text = text == null ? "" : text;
        settings = settings == null ? InferenceSettings.defaults() : settings;
    }

    /** Speak {@code text} with the uploaded reference clip {@code audioFileId}. */
    public static JobRequest ttsGenerate(String audioFileId, String text) {
        return new JobRequest(JobType.TTS_GENERATE, audioFileId, null, "", text, null, 0);
    }

    /** Speak {@code text} with the named voice from the voice bank. */
    public static JobRequest ttsPermanent(String voiceName, String text) {
        return new JobRequest(JobType.TTS_PERMANENT, null, voiceName, "", text, null, 0);
    }

    /** Speak {@code text} cloning the uploaded clip {@code audioFileId}. */
    public static JobRequest voiceCloning(String audioFileId, String text) {
        return new JobRequest(JobType.VOICE_CLONING, audioFileId, null, "", text, null, 0);
    }

    public JobRequest withSettings(InferenceSettings value) {
        return new JobRequest(type, audioFileId, voiceName, refText, text, value, priority);
    }

    public JobRequest withPriority(int value) {
        return new JobRequest(type, audioFileId, voiceName, refText, text, settings, value);
    }

    public JobRequest withRefText(String value) {
        return new JobRequest(type, audioFileId, voiceName, value, text, settings, priority);
    }

    /** Same as {@link #withSettings}. */
    public JobRequest settings(InferenceSettings value) {
        return withSettings(value);
    }

    /** Same as {@link #withPriority}. */
    public JobRequest priority(int value) {
        return withPriority(value);
    }

    /** Same as {@link #withRefText}. */
    public JobRequest refText(String value) {
        return withRefText(value);
    }

    /**
     * Checks what can be checked without the stores: text present ({@link #hasSomethingToSay}), settings in range, the
     * reference named for the job type.
     *
     * @return this
     * @throws InvalidRequestException with a message a user can act on
     */
    public JobRequest validate() {
        if (!hasSomethingToSay(text)) {
            throw new InvalidRequestException("Text to generate cannot be empty");
        }
        settings.validate();
        switch (type) {
            case TTS_PERMANENT -> {
                if (voiceName == null || voiceName.isBlank()) {
                    throw new InvalidRequestException("A TTS_PERMANENT job needs a voiceName");
                }
            }
            case TTS_GENERATE -> {
                if (audioFileId == null || audioFileId.isBlank()) {
                    throw new InvalidRequestException("A TTS_GENERATE job needs an audioFileId");
                }
            }
            case VOICE_CLONING -> {
                if (audioFileId == null || audioFileId.isBlank()) {
                    throw new InvalidRequestException("A VOICE_CLONING job needs an audioFileId");
                }
            }
        }
        return this;
    }

    /**
     * Whether {@code text} holds anything to speak: a character that is not white space, a
     * control character (NUL included) or an invisible format character (zero-width space, byte
     * order mark). A text of only those would reach the model as nothing, so {@link #validate}
     * refuses it as empty, as the old server refused a text whose {@code strip()} was empty.
     *
     * @return false for null
     */
    public static boolean hasSomethingToSay(String text) {
        if (text == null) {
            return false;
        }
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int type = Character.getType(cp);
            boolean silent = Character.isWhitespace(cp) || Character.isSpaceChar(cp)
                    || type == Character.CONTROL || type == Character.FORMAT;
            if (!silent) {
                return true;
            }
            i += Character.charCount(cp);
        }
        return false;
    }
}
