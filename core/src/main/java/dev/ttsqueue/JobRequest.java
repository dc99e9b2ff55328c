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
 * @param tenant who the job is for, for fair sharing between tenants (see {@link FairShare});
 *     {@link #ANONYMOUS_TENANT} when not set. Null means anonymous; otherwise 1 to 64 letters,
 *     digits, {@code . _ -}
 */
public record JobRequest(
        JobType type,
        String audioFileId,
        String voiceName,
        String refText,
        String text,
        InferenceSettings settings,
        int priority,
        String tenant) {

    /** The tenant of every job that names none: jobs of users who do not use tenants. */
    public static final String ANONYMOUS_TENANT = "";

    /** Longest tenant name. */
    public static final int MAX_TENANT_LENGTH = 64;

    /**
     * @throws InvalidRequestException when {@code tenant} is not a valid tenant name
     */
    public JobRequest {
        Objects.requireNonNull(type, "type");
        tenant = checkTenant(tenant);
        refText = refText == null ? "" : refText;
        text = text == null ? "" : text;
        settings = settings == null ? InferenceSettings.defaults() : settings;
    }

    /** A request of the {@link #ANONYMOUS_TENANT}. */
    public JobRequest(JobType type, String audioFileId, String voiceName, String refText, String text,
            InferenceSettings settings, int priority) {
        this(type, audioFileId, voiceName, refText, text, settings, priority, ANONYMOUS_TENANT);
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
        return new JobRequest(type, audioFileId, voiceName, refText, text, value, priority, tenant);
    }

    public JobRequest withPriority(int value) {
        return new JobRequest(type, audioFileId, voiceName, refText, text, settings, value, tenant);
    }

    public JobRequest withRefText(String value) {
        return new JobRequest(type, audioFileId, voiceName, value, text, settings, priority, tenant);
    }

    /**
     * The same request for {@code value}'s tenant.
     *
     * @param value 1 to 64 letters, digits, {@code . _ -}; null or empty for the {@link #ANONYMOUS_TENANT}
     * @throws InvalidRequestException for any other name
     */
    public JobRequest withTenant(String value) {
        return new JobRequest(type, audioFileId, voiceName, refText, text, settings, priority, value);
    }

    /** Same as {@link #withSettings}. */
    public JobRequest settings(InferenceSettings value) {
        return withSettings(value);
    }

    /** Same as {@link #withPriority}. */
    public JobRequest priority(int value) {
        return withPriority(value);
    }

    /** Same as {@link #withTenant}. */
    public JobRequest tenant(String value) {
        return withTenant(value);
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
     * Checks a tenant name: null or empty is the {@link #ANONYMOUS_TENANT}; any other must be 1 to
     * {@value #MAX_TENANT_LENGTH} ASCII letters, digits, {@code .}, {@code _} or {@code -}, so that it
     * is safe in a file, a database column, a Redis key and a metrics label.
     *
     * @return the tenant, {@link #ANONYMOUS_TENANT} for null
     * @throws InvalidRequestException for any other name, saying what is wrong
     */
    public static String checkTenant(String tenant) {
        if (tenant == null || tenant.isEmpty()) {
            return ANONYMOUS_TENANT;
        }
        if (tenant.length() > MAX_TENANT_LENGTH) {
            throw new InvalidRequestException("Tenant name is " + tenant.length() + " characters long; at most "
                    + MAX_TENANT_LENGTH + " are allowed");
        }
        for (int i = 0; i < tenant.length(); i++) {
            char c = tenant.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-';
            if (!ok) {
                throw new InvalidRequestException("Tenant name may hold only letters, digits, '.', '_' and '-': "
                        + "character " + (i + 1) + " of '" + printable(tenant) + "' is not one");
            }
        }
        return tenant;
    }

    /** The name with control characters shown as '?', for an error message. */
    private static String printable(String s) {
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> out.appendCodePoint(Character.isISOControl(cp) ? '?' : cp));
        return out.toString();
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
