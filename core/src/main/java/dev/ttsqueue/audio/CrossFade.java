package dev.ttsqueue.audio;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Joins generated chunks the way upstream F5-TTS does: each next clip overlaps the end of what was
 * joined so far by {@code n = min(floor(seconds * rate), joinedLength, nextLength)} samples, faded
 * linearly (fade-out {@code 1 - i/(n-1)}, fade-in {@code i/(n-1)}, i.e. numpy {@code linspace}
 * with both ends included) and added. The result is {@code n} samples shorter per join than plain
 * concatenation.
 */
public final class CrossFade {
    private CrossFade() {
    }

    /**
     * Joins {@code clips} in order.
     *
     * @param crossFadeSeconds overlap length; 0 or less (or NaN) concatenates plainly
     * @return a new clip; a single clip is returned as is
     * @throws IllegalArgumentException when {@code clips} is empty or the clips' sample rates differ
     * @throws NullPointerException when {@code clips} or one of them is null
     */
    public static AudioClip join(List<AudioClip> clips, double crossFadeSeconds) {
        Objects.requireNonNull(clips, "clips");
        if (clips.isEmpty()) {
            throw new IllegalArgumentException("Nothing to join: no clips");
        }
        int rate = Objects.requireNonNull(clips.get(0), "clip 0").sampleRate();
        long total = 0;
        for (int i = 0; i < clips.size(); i++) {
            AudioClip c = Objects.requireNonNull(clips.get(i), "clip " + i);
            if (c.sampleRate() != rate) {
                throw new IllegalArgumentException("Cannot join clips of different sample rates: clip " + i + " is "
                        + c.sampleRate() + " Hz, clip 0 is " + rate + " Hz");
            }
            total += c.length();
        }
        if (clips.size() == 1) {
            return clips.get(0);
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("Joined clip would be too long: " + total + " samples");
        }
        // Upstream: int(cross_fade_duration * target_sample_rate).
        long wanted = crossFadeSeconds > 0 ? (long) (crossFadeSeconds * rate) : 0;
        float[] out = new float[(int) total];
        float[] first = clips.get(0).samples();
        System.arraycopy(first, 0, out, 0, first.length);
        int length = first.length;
        for (int c = 1; c < clips.size(); c++) {
            float[] next = clips.get(c).samples();
            int n = (int) Math.min(wanted, Math.min(length, next.length));
            int start = length - n;
            for (int i = 0; i < n; i++) {
                double fadeIn = n == 1 ? 0 : i / (double) (n - 1);
                out[start + i] = (float) (out[start + i] * (1 - fadeIn) + next[i] * fadeIn);
            }
            System.arraycopy(next, n, out, length, next.length - n);
            length += next.length - n;
        }
        return length == out.length ? new AudioClip(out, rate) : new AudioClip(Arrays.copyOf(out, length), rate);
    }

    /**
     * {@link #join} a clip at a time, handing out each part of the result as soon as no later clip
     * can change it: everything but the last {@code crossFadeSeconds} of what was added so far.
     * The parts {@link #add} and {@link #finish} return, in order, are exactly {@code join} of all
     * the clips. Not thread-safe.
     */
    public static final class Joiner {
        private final int rate;
        private final int wanted;
        /** The end of the result so far that the next clip may still blend into. */
        private float[] held = new float[0];
        private long length;

        /**
         * @param sampleRate the rate every clip must have
         * @param crossFadeSeconds overlap length, as for {@link #join}
         */
        public Joiner(int sampleRate, double crossFadeSeconds) {
            this.rate = sampleRate;
            long w = crossFadeSeconds > 0 ? (long) (crossFadeSeconds * sampleRate) : 0;
            this.wanted = (int) Math.min(w, Integer.MAX_VALUE - 8);
        }

        /**
         * Adds the next clip; returns the part of the result that is final now (perhaps empty).
         *
         * @throws IllegalArgumentException when the clip's rate differs
         */
        public AudioClip add(AudioClip clip) {
            Objects.requireNonNull(clip, "clip");
            if (clip.sampleRate() != rate) {
                throw new IllegalArgumentException("Cannot join clips of different sample rates: " + clip.sampleRate()
                        + " Hz after " + rate + " Hz");
            }
            float[] next = clip.samples();
            // As join(): the overlap is at most the cross-fade, the result so far and the new clip.
            int n = (int) Math.min(wanted, Math.min(length, next.length));
            int keep = held.length - n;
            float[] tail = new float[keep + next.length];
            System.arraycopy(held, 0, tail, 0, keep);
            for (int i = 0; i < n; i++) {
                double fadeIn = n == 1 ? 0 : i / (double) (n - 1);
                tail[keep + i] = (float) (held[keep + i] * (1 - fadeIn) + next[i] * fadeIn);
            }
            System.arraycopy(next, n, tail, keep + n, next.length - n);
            length += next.length - n;
            // Hold back what the next clip may blend into; the rest is final.
            int hold = (int) Math.min(wanted, tail.length);
            held = Arrays.copyOfRange(tail, tail.length - hold, tail.length);
            return new AudioClip(Arrays.copyOf(tail, tail.length - hold), rate);
        }

        /** The rest of the result, once no clip follows. */
        public AudioClip finish() {
            AudioClip rest = new AudioClip(held, rate);
            held = new float[0];
            return rest;
        }
    }
}
