package dev.ttsqueue.audio;

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
        return length == out.length ? new AudioClip(out, rate) : new AudioClip(java.util.Arrays.copyOf(out, length), rate);
    }
}
