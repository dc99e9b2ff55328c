package dev.ttsqueue.inference.f5.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Upstream's reference clean-up ({@code preprocess_ref_audio_text}) on 24 kHz mono samples, with
 * pydub's silence rules re-done at millisecond resolution:
 *
 * <ol>
 *   <li>split on silences of at least 1 s below -50 dBFS keeping 1 s around each piece, and keep
 *       whole pieces while the total stays within 12 s (a piece is dropped only once more than
 *       6 s are kept);</li>
 *   <li>if that is still over 12 s, the same with silences of 100 ms below -40 dBFS;</li>
 *   <li>if still over 12 s, cut at 12 s;</li>
 *   <li>trim leading and trailing silence below -42 dBFS (10 ms steps) and append 50 ms of silence.</li>
 * </ol>
 */
public final class ReferenceClipper {
    static final int RATE = 24_000;
    private static final int PER_MS = RATE / 1000;
    private static final int MAX_MS = 12_000;
    private static final int MIN_KEEP_MS = 6_000;

    private ReferenceClipper() {
    }

    public static float[] clip(float[] samples) {
        Analysis a = new Analysis(samples);
        float[] kept = keepWithinLimit(a, 1000, -50);
        if (ms(kept) > MAX_MS) {
            kept = keepWithinLimit(a, 100, -40);
        }
        if (ms(kept) > MAX_MS) {
            kept = Arrays.copyOf(kept, MAX_MS * PER_MS);
        }
        return trimEdgesAndPad(kept);
    }

    private static float[] keepWithinLimit(Analysis a, int minSilenceMs, double threshDb) {
        List<int[]> pieces = a.splitOnSilence(minSilenceMs, threshDb, 1000, 10);
        int totalMs = 0;
        List<int[]> kept = new ArrayList<>();
        for (int[] p : pieces) {
            int len = p[1] - p[0];
            if (totalMs > MIN_KEEP_MS && totalMs + len > MAX_MS) {
                break;
            }
            kept.add(p);
            totalMs += len;
        }
        float[] out = new float[totalMs * PER_MS];
        int pos = 0;
        for (int[] p : kept) {
            int from = p[0] * PER_MS;
            int to = Math.min(p[1] * PER_MS, a.samples.length);
            System.arraycopy(a.samples, from, out, pos, to - from);
            pos += to - from;
        }
        return pos == out.length ? out : Arrays.copyOf(out, pos);
    }

    private static float[] trimEdgesAndPad(float[] s) {
        Analysis a = new Analysis(s);
        int lenMs = a.lengthMs;
        int start = 0;
        while (start < lenMs && a.dbfs(start, start + 10) < -42) {
            start += 10;
        }
        int end = 0;
        while (end < lenMs - start && a.dbfs(lenMs - end - 10, lenMs - end) < -42) {
            end += 10;
        }
        int from = Math.min(start * PER_MS, s.length);
        int to = Math.max(from, end > 0 ? Math.min((lenMs - end) * PER_MS, s.length) : s.length);
        float[] out = new float[(to - from) + 50 * PER_MS];
        System.arraycopy(s, from, out, 0, to - from);
        return out;
    }

    private static int ms(float[] s) {
        return s.length / PER_MS;
    }

    /** Prefix sums of squares, so any window's RMS costs O(1). */
    private static final class Analysis {
        final float[] samples;
        final double[] prefix;
        final int lengthMs;

        Analysis(float[] samples) {
            this.samples = samples;
            this.prefix = new double[samples.length + 1];
            for (int i = 0; i < samples.length; i++) {
                prefix[i + 1] = prefix[i] + (double) samples[i] * samples[i];
            }
            this.lengthMs = samples.length / PER_MS;
        }

        /** Level of [fromMs, toMs) in dB relative to full scale; -infinity for silence or nothing. */
        double dbfs(int fromMs, int toMs) {
            int from = Math.max(0, Math.min(fromMs * PER_MS, samples.length));
            int to = Math.max(from, Math.min(toMs * PER_MS, samples.length));
            if (to == from) {
                return Double.NEGATIVE_INFINITY;
            }
            double rms = Math.sqrt(Math.max(0, prefix[to] - prefix[from]) / (to - from));
            return rms == 0 ? Double.NEGATIVE_INFINITY : 20 * Math.log10(rms);
        }

        /** pydub {@code split_on_silence}: pieces as [startMs, endMs). */
        List<int[]> splitOnSilence(int minSilenceMs, double threshDb, int keepMs, int seekMs) {
            List<int[]> nonSilent = detectNonSilent(minSilenceMs, threshDb, seekMs);
            List<int[]> ranges = new ArrayList<>();
            for (int[] r : nonSilent) {
                ranges.add(new int[] {r[0] - keepMs, r[1] + keepMs});
            }
            for (int i = 0; i + 1 < ranges.size(); i++) {
                int[] a = ranges.get(i);
                int[] b = ranges.get(i + 1);
                if (b[0] < a[1]) {
                    a[1] = Math.floorDiv(a[1] + b[0], 2);
                    b[0] = a[1];
                }
            }
            List<int[]> out = new ArrayList<>();
            for (int[] r : ranges) {
                out.add(new int[] {Math.max(r[0], 0), Math.min(r[1], lengthMs)});
            }
            return out;
        }

        private List<int[]> detectNonSilent(int minSilenceMs, double threshDb, int seekMs) {
            List<int[]> silent = detectSilence(minSilenceMs, threshDb, seekMs);
            List<int[]> out = new ArrayList<>();
            if (silent.isEmpty()) {
                out.add(new int[] {0, lengthMs});
                return out;
            }
            if (silent.get(0)[0] == 0 && silent.get(0)[1] == lengthMs) {
                return out;
            }
            int prevEnd = 0;
            int lastEnd = 0;
            for (int[] s : silent) {
                out.add(new int[] {prevEnd, s[0]});
                prevEnd = s[1];
                lastEnd = s[1];
            }
            if (lastEnd != lengthMs) {
                out.add(new int[] {prevEnd, lengthMs});
            }
            if (out.get(0)[0] == 0 && out.get(0)[1] == 0) {
                out.remove(0);
            }
            return out;
        }

        private List<int[]> detectSilence(int minSilenceMs, double threshDb, int seekMs) {
            List<int[]> ranges = new ArrayList<>();
            if (lengthMs < minSilenceMs) {
                return ranges;
            }
            int last = lengthMs - minSilenceMs;
            List<Integer> starts = new ArrayList<>();
            for (int i = 0; i <= last; i += seekMs) {
                if (dbfs(i, i + minSilenceMs) <= threshDb) {
                    starts.add(i);
                }
            }
            if (last % seekMs != 0 && dbfs(last, last + minSilenceMs) <= threshDb) {
                starts.add(last);
            }
            if (starts.isEmpty()) {
                return ranges;
            }
            int prev = starts.get(0);
            int rangeStart = prev;
            for (int k = 1; k < starts.size(); k++) {
                int s = starts.get(k);
                boolean continuous = s == prev + seekMs;
                boolean gap = s > prev + minSilenceMs;
                if (!continuous && gap) {
                    ranges.add(new int[] {rangeStart, prev + minSilenceMs});
                    rangeStart = s;
                }
                prev = s;
            }
            ranges.add(new int[] {rangeStart, prev + minSilenceMs});
            return ranges;
        }
    }
}
