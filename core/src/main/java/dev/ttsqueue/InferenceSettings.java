package dev.ttsqueue;

/**
 * How one job is synthesised. Immutable; the {@code withX} methods return copies.
 *
 * <p>Ranges (checked by {@link #validate()}, with the messages the REST API returns):
 * speed 0.3–2.0, NFE steps 4–64, cross-fade 0.0–1.0 seconds. A seed outside
 * {@code 0..2^31-1}, or {@code randomizeSeed = true}, means "draw a random seed"; the seed used is
 * reported in the result.
 *
 * @param randomizeSeed draw a fresh seed for this job (default true)
 * @param seed the seed to use when {@code randomizeSeed} is false (default 0)
 * @param removeSilence cut long silences out of the output (default false)
 * @param speed speaking rate, 1.0 = reference pace (default 1.0)
 * @param nfeStep number of flow-matching function evaluations (default 32)
 * @param crossFadeDuration seconds of cross-fade between text chunks (default 0.15)
 */
public record InferenceSettings(
        boolean randomizeSeed,
        long seed,
        boolean removeSilence,
        double speed,
        int nfeStep,
        double crossFadeDuration) {

    public static final double MIN_SPEED = 0.3;
    public static final double MAX_SPEED = 2.0;
    public static final int MIN_NFE_STEP = 4;
    public static final int MAX_NFE_STEP = 64;
    public static final double MIN_CROSS_FADE = 0.0;
    public static final double MAX_CROSS_FADE = 1.0;
    public static final long MAX_SEED = Integer.MAX_VALUE;

    private static final InferenceSettings DEFAULTS = new InferenceSettings(true, 0, false, 1.0, 32, 0.15);

    /** The defaults of the old F5-TTS server. */
    public static InferenceSettings defaults() {
        return DEFAULTS;
    }

    public InferenceSettings withRandomizeSeed(boolean value) {
        return new InferenceSettings(value, seed, removeSilence, speed, nfeStep, crossFadeDuration);
    }

    /** A fixed seed; also turns {@code randomizeSeed} off. */
    public InferenceSettings withSeed(long value) {
        return new InferenceSettings(false, value, removeSilence, speed, nfeStep, crossFadeDuration);
    }

    public InferenceSettings withRemoveSilence(boolean value) {
        return new InferenceSettings(randomizeSeed, seed, value, speed, nfeStep, crossFadeDuration);
    }

    public InferenceSettings withSpeed(double value) {
        return new InferenceSettings(randomizeSeed, seed, removeSilence, value, nfeStep, crossFadeDuration);
    }

    public InferenceSettings withNfeStep(int value) {
        return new InferenceSettings(randomizeSeed, seed, removeSilence, speed, value, crossFadeDuration);
    }

    public InferenceSettings withCrossFadeDuration(double value) {
        return new InferenceSettings(randomizeSeed, seed, removeSilence, speed, nfeStep, value);
    }

    /**
     * Checks the ranges.
     *
     * @return this
     * @throws InvalidRequestException naming the first value out of range
     */
    public InferenceSettings validate() {
        if (!(speed >= MIN_SPEED && speed <= MAX_SPEED)) {
            throw new InvalidRequestException("Speed must be between 0.3 and 2.0");
        }
        if (nfeStep < MIN_NFE_STEP || nfeStep > MAX_NFE_STEP) {
            throw new InvalidRequestException("NFE steps must be between 4 and 64");
        }
        if (!(crossFadeDuration >= MIN_CROSS_FADE && crossFadeDuration <= MAX_CROSS_FADE)) {
            throw new InvalidRequestException("Cross-fade duration must be between 0.0 and 1.0");
        }
        return this;
    }

    /** True when a job with these settings must draw its own seed. */
    public boolean needsRandomSeed() {
        return randomizeSeed || seed < 0 || seed > MAX_SEED;
    }
}
