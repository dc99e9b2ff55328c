package dev.ttsqueue.audio.codecs.internal;

import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.audio.AudioTooLongException;
import dev.ttsqueue.audio.DecodeLimits;
import java.util.Arrays;

/**
 * Mono samples gathered block by block as a decoder produces them. The limit is checked before
 * each block is taken in, so the array never grows past {@link DecodeLimits#maxFrames}: a file
 * that decodes to more is refused at that block, whatever the rest of it holds.
 */
public final class MonoPcm {
    private static final int FIRST_CAPACITY = 1 << 16;

    private final String format;
    private final int sampleRate;
    private final DecodeLimits limits;
    private final long maxFrames;
    private float[] samples;
    private int length;

    public MonoPcm(String format, int sampleRate, DecodeLimits limits) {
        this.format = format;
        this.sampleRate = sampleRate;
        this.limits = limits;
        this.maxFrames = limits.maxFrames(sampleRate);
        this.samples = new float[(int) Math.min(FIRST_CAPACITY, maxFrames)];
    }

    /**
     * Makes room for {@code frames} more samples.
     *
     * @throws AudioTooLongException when they would pass the limit
     */
    public void reserve(int frames) {
        long needed = (long) length + frames;
        if (needed > maxFrames) {
            throw new AudioTooLongException(format, limits, sampleRate);
        }
        if (needed > samples.length) {
            long grown = Math.max(needed, Math.min(maxFrames, 2L * samples.length));
            samples = Arrays.copyOf(samples, (int) grown);
        }
    }

    /** Appends one sample; {@link #reserve} must have made room. Non-finite values become 0. */
    public void add(float sample) {
        samples[length++] = Float.isFinite(sample) ? sample : 0f;
    }

    public int length() {
        return length;
    }

    /** Largest number of samples this buffer can ever hold. */
    public long capacityLimit() {
        return maxFrames;
    }

    /** Current size of the backing array (for tests of the memory bound). */
    int allocated() {
        return samples.length;
    }

    public AudioClip toClip() {
        return new AudioClip(length == samples.length ? samples : Arrays.copyOf(samples, length), sampleRate);
    }
}
