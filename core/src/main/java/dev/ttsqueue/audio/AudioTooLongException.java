package dev.ttsqueue.audio;

/**
 * Audio longer than the {@link DecodeLimits} allow, found before it was decoded whole. An
 * {@link AudioFormatException} so that callers refusing bad uploads refuse this one too; the
 * message says the limit.
 */
public class AudioTooLongException extends AudioFormatException {
    private static final long serialVersionUID = 1L;

    public AudioTooLongException(String format, DecodeLimits limits, int sampleRate) {
        super(message(format, limits, sampleRate));
    }

    private static String message(String format, DecodeLimits limits, int sampleRate) {
        long seconds = limits.maxDuration().toSeconds();
        long frames = limits.maxFrames(sampleRate);
        if (frames < limits.maxDuration().toMillis() * (long) sampleRate / 1000) {
            // The sample limit binds: say so, or "over 300 s" would puzzle someone holding a 90 s file.
            return format + " audio is too long: at " + sampleRate + " Hz at most " + (frames / sampleRate)
                    + " s are accepted (" + seconds + " s at " + DecodeLimits.FULL_DURATION_RATE + " Hz or less)";
        }
        return format + " audio is too long: at most " + seconds + " s are accepted";
    }
}
