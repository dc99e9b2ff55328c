package dev.ttsqueue.inference.whisper.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The front end against values worked out by hand from Whisper's definition, not from this code.
 *
 * <p>A tone of amplitude A at 1000 Hz completes exactly 25 cycles in a 400-sample window at 16 kHz,
 * so the periodic Hann window (sum 200) puts |X| = A·200/2 = 100A in FFT bin 25 and A·200/4 = 50A
 * in bins 24 and 26, nothing elsewhere, whatever the phase. Slaney mel points over 0–8000 Hz are
 * spaced 45.2456 / 81 mel apart; filter 26 spans points 26–28 (968.22, 1005.65, 1045.02 Hz), the
 * only triangle covering 1000 Hz near its peak. Its weights at 960, 1000 and 1040 Hz, times the area
 * normalisation 2 / (1045.02 - 968.22), applied to powers 2500A², 10⁴A², 2500A², give 229.4387·A².
 * With A = 0.5: 57.3597, log10 = 1.758604, and (x + 4) / 4 = 1.439651. The same sum for 4000 Hz
 * peaks in filter 62.
 */
class LogMelSpectrogramTest {
    private final LogMelSpectrogram mel = new LogMelSpectrogram(80);

    private static float[] tone(double hz, double seconds) {
        float[] s = new float[(int) (seconds * 16_000)];
        for (int i = 0; i < s.length; i++) {
            s[i] = (float) (0.5 * Math.sin(2 * Math.PI * hz * i / 16_000));
        }
        return s;
    }

    private static int argmaxBin(float[] features, int frame) {
        int best = 0;
        for (int m = 1; m < 80; m++) {
            if (features[m * 3000 + frame] > features[best * 3000 + frame]) {
                best = m;
            }
        }
        return best;
    }

    @Test
    void aPureToneLandsInItsMelBinWithTheExpectedLevel() {
        float[] f = mel.compute(tone(1000, 2.0));
        assertEquals(80 * 3000, f.length);
        assertEquals(26, argmaxBin(f, 50));
        assertEquals(1.439651, f[26 * 3000 + 50], 1e-4);
        assertEquals(62, argmaxBin(mel.compute(tone(4000, 2.0)), 50));
    }

    @Test
    void valuesAreClampedToEightBelowTheMaximum() {
        float[] f = mel.compute(tone(1000, 2.0));
        // 2 s = 200 frames of tone; frame 2500 sees only the zero padding, raised to max - 8
        double floor = 1.439651 - 8.0 / 4;
        assertEquals(floor, f[10 * 3000 + 2500], 1e-4);
        assertEquals(floor, f[79 * 3000 + 2999], 1e-4);
    }

    @Test
    void silenceIsMinusOnePointFiveEverywhere() {
        // log10(1e-10) = -10 everywhere, so the max - 8 floor does nothing: (-10 + 4) / 4
        for (float v : mel.compute(new float[16_000])) {
            assertEquals(-1.5f, v);
        }
    }

    @Test
    void audioBeyondThirtySecondsIsIgnored() {
        float[] thirty = tone(1000, 30.0);
        float[] longer = tone(1000, 31.0);
        assertEquals(java.util.Arrays.hashCode(mel.compute(thirty)), java.util.Arrays.hashCode(mel.compute(longer)));
    }

    @Test
    void filtersFollowSlaneyNormalisation() {
        // each triangle has unit area in Hz: sum of weights times the 40 Hz bin spacing is about 1
        // for filters wide enough to be sampled well (above ~1 kHz the triangles span several bins)
        float[][] filters = LogMelSpectrogram.melFilters(16_000, 400, 80);
        double area = 0;
        for (float w : filters[60]) {
            area += w * 40.0;
        }
        assertEquals(1.0, area, 0.02);
    }
}
