package dev.ttsqueue.audio;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Shortens long pauses the way upstream F5-TTS does after generation: pydub's
 * {@code split_on_silence(min_silence_len=1000, silence_thresh=-50, keep_silence=500, seek_step=10)}
 * followed by concatenation of the pieces.
 *
 * <p>Exactly what happens (all positions in milliseconds, as pydub counts them; a millisecond
 * {@code m} starts at sample {@code floor(m * rate / 1000)}; the clip lasts
 * {@code round(length * 1000 / rate)} ms):
 * <ol>
 *   <li>A window of {@code minSilenceMs} starts at 0, {@code seekStepMs}, 2·{@code seekStepMs}, ...
 *       and also at exactly {@code length - minSilenceMs}; it is silent when the RMS of all its
 *       samples is at or below {@code 10^(thresholdDbfs / 20)} (full scale = 1.0).</li>
 *   <li>Silent windows whose starts are one step apart, or overlap, merge into one silent range
 *       {@code [first start, last start + minSilenceMs]}.</li>
 *   <li>The gaps between silent ranges are the non-silent pieces; each is widened by
 *       {@code keepSilenceMs} on both sides. Where two widened pieces overlap, both end at the
 *       midpoint (integer division) of the overlap. Pieces are cut at the clip's ends.</li>
 *   <li>The pieces are joined back to back.</li>
 * </ol>
 * Consequences, as upstream: a clip shorter than {@code minSilenceMs} is returned unchanged, and a
 * clip that is silent throughout comes back empty. The only difference from pydub is that pydub
 * compares an integer (truncated) RMS of 16-bit samples, this the exact RMS: levels within 0.1 dB
 * of the threshold may be judged differently.
 */
public final class SilenceRemover {
    /** Upstream: shortest pause that is shortened. */
    public static final int MIN_SILENCE_MS = 1000;
    /** Upstream: RMS level at or below which a window is silent. */
    public static final double THRESHOLD_DBFS = -50;
    /** Upstream: silence kept on each side of a non-silent piece. */
    public static final int KEEP_SILENCE_MS = 500;
    /** Upstream: distance between tested windows. */
    public static final int SEEK_STEP_MS = 10;

    private SilenceRemover() {
    }

    /**
     * Upstream F5-TTS silence removal (silences of 1 s or more below -50 dBFS cut to 0.5 s each side).
     *
     * @throws NullPointerException when {@code clip} is null
     */
    public static AudioClip removeSilence(AudioClip clip) {
        return removeSilence(clip, MIN_SILENCE_MS, THRESHOLD_DBFS, KEEP_SILENCE_MS, SEEK_STEP_MS);
    }

    /**
     * Silence removal with explicit parameters (see the class comment for the exact rule).
     *
     * @param minSilenceMs shortest pause that is shortened, positive
     * @param thresholdDbfs RMS level at or below which a window counts as silent
     * @param keepSilenceMs silence kept on each side of every non-silent piece, not negative
     * @param seekStepMs distance between tested windows, positive
     * @throws IllegalArgumentException on a parameter out of range
     */
    public static AudioClip removeSilence(AudioClip clip, int minSilenceMs, double thresholdDbfs, int keepSilenceMs, int seekStepMs) {
        Objects.requireNonNull(clip, "clip");
        if (minSilenceMs <= 0 || seekStepMs <= 0 || keepSilenceMs < 0 || Double.isNaN(thresholdDbfs)) {
            throw new IllegalArgumentException("minSilenceMs and seekStepMs must be positive and keepSilenceMs not negative");
        }
        float[] s = clip.samples();
        int rate = clip.sampleRate();
        long lengthMs = Math.round(s.length * 1000.0 / rate);
        List<long[]> silent = silentRanges(clip, lengthMs, minSilenceMs, thresholdDbfs, seekStepMs);
        List<long[]> pieces = new ArrayList<>();
        if (silent.isEmpty()) {
            return clip;
        }
        if (silent.get(0)[0] == 0 && silent.get(0)[1] == lengthMs) {
            return new AudioClip(new float[0], rate);
        }
        long prevEnd = 0;
        for (long[] range : silent) {
            pieces.add(new long[] {prevEnd, range[0]});
            prevEnd = range[1];
        }
        if (prevEnd != lengthMs) {
            pieces.add(new long[] {prevEnd, lengthMs});
        }
        if (pieces.get(0)[0] == 0 && pieces.get(0)[1] == 0) {
            pieces.remove(0);
        }
        for (long[] p : pieces) {
            p[0] -= keepSilenceMs;
            p[1] += keepSilenceMs;
        }
        for (int i = 0; i + 1 < pieces.size(); i++) {
            long[] a = pieces.get(i);
            long[] b = pieces.get(i + 1);
            if (b[0] < a[1]) {
                a[1] = Math.floorDiv(a[1] + b[0], 2);
                b[0] = a[1];
            }
        }
        int total = 0;
        int[][] spans = new int[pieces.size()][];
        for (int i = 0; i < pieces.size(); i++) {
            int from = sampleAt(Math.max(0, pieces.get(i)[0]), rate, s.length);
            int to = sampleAt(Math.min(lengthMs, pieces.get(i)[1]), rate, s.length);
            spans[i] = new int[] {from, Math.max(from, to)};
            total += spans[i][1] - spans[i][0];
        }
        float[] out = new float[total];
        int at = 0;
        for (int[] span : spans) {
            System.arraycopy(s, span[0], out, at, span[1] - span[0]);
            at += span[1] - span[0];
        }
        return new AudioClip(out, rate);
    }

    /** pydub's detect_silence, with window energies from a prefix sum instead of re-reading each window. */
    private static List<long[]> silentRanges(AudioClip clip, long lengthMs, int minSilenceMs, double thresholdDbfs, int seekStepMs) {
        List<long[]> ranges = new ArrayList<>();
        if (lengthMs < minSilenceMs) {
            return ranges;
        }
        float[] s = clip.samples();
        int rate = clip.sampleRate();
        double[] energy = new double[s.length + 1];
        for (int i = 0; i < s.length; i++) {
            energy[i + 1] = energy[i] + (double) s[i] * s[i];
        }
        double threshold = Math.pow(10, thresholdDbfs / 20);
        long lastStart = lengthMs - minSilenceMs;
        long rangeStart = -1;
        long prev = -1;
        for (long start = 0; start <= lastStart; start = nextStart(start, seekStepMs, lastStart)) {
            int from = sampleAt(start, rate, s.length);
            int to = sampleAt(start + minSilenceMs, rate, s.length);
            double rms = to > from ? Math.sqrt(Math.max(0, energy[to] - energy[from]) / (to - from)) : 0;
            if (rms <= threshold) {
                if (rangeStart < 0) {
                    rangeStart = start;
                } else if (start != prev + seekStepMs && start > prev + minSilenceMs) {
                    ranges.add(new long[] {rangeStart, prev + minSilenceMs});
                    rangeStart = start;
                }
                prev = start;
            }
            if (start == lastStart) {
                break;
            }
        }
        if (rangeStart >= 0) {
            ranges.add(new long[] {rangeStart, prev + minSilenceMs});
        }
        return ranges;
    }

    private static long nextStart(long start, int step, long lastStart) {
        long next = start + step;
        // pydub also tests the window that ends exactly at the clip's end.
        return next > lastStart && start < lastStart ? lastStart : next;
    }

    private static int sampleAt(long ms, int rate, int length) {
        return (int) Math.min(length, ms * rate / 1000);
    }
}
