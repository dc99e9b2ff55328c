package dev.ttsqueue.inference.whisper.internal;

/**
 * Whisper's log-mel front end ({@code whisper/audio.py}): 16 kHz audio, zero-padded or cut to a
 * 30 s window; a 400-point STFT every 160 samples with a periodic Hann window and reflection at the
 * edges ({@code torch.stft(center=True)}), the last frame dropped, giving 3000 frames; power
 * spectrum; Slaney-style mel filters with Slaney area normalisation ({@code librosa.filters.mel},
 * as Whisper's {@code mel_filters.npz} holds); {@code log10} of at least 1e-10; values raised to no
 * less than 8 below the maximum; then {@code (x + 4) / 4}.
 *
 * <p>The 400-point transform is computed directly from cosine and sine tables (400 is not a power
 * of two), skipping frames that see only the zero padding: their power is exactly 0. A 12 s
 * reference costs about 1200 frames of work, well under the encoder's time.
 */
public final class LogMelSpectrogram {
    public static final int SAMPLE_RATE = 16_000;
    public static final int N_FFT = 400;
    public static final int HOP = 160;
    public static final int CHUNK_SECONDS = 30;
    public static final int N_SAMPLES = SAMPLE_RATE * CHUNK_SECONDS;
    public static final int N_FRAMES = N_SAMPLES / HOP;
    private static final int BINS = N_FFT / 2 + 1;

    private final int nMels;
    private final float[][] filters;
    private final double[] window = new double[N_FFT];
    private final double[][] cos = new double[BINS][N_FFT];
    private final double[][] sin = new double[BINS][N_FFT];

    public LogMelSpectrogram(int nMels) {
        if (nMels < 1) {
            throw new IllegalArgumentException("mel bins must be positive: " + nMels);
        }
        this.nMels = nMels;
        this.filters = melFilters(SAMPLE_RATE, N_FFT, nMels);
        for (int n = 0; n < N_FFT; n++) {
            window[n] = 0.5 - 0.5 * Math.cos(2 * Math.PI * n / N_FFT);
        }
        for (int k = 0; k < BINS; k++) {
            for (int n = 0; n < N_FFT; n++) {
                // (k * n) mod N keeps the angle small, so the tables are exact to the last bits
                double angle = 2 * Math.PI * ((long) k * n % N_FFT) / N_FFT;
                cos[k][n] = Math.cos(angle);
                sin[k][n] = Math.sin(angle);
            }
        }
    }

    public int melBins() {
        return nMels;
    }

    /**
     * The features for {@code samples} (16 kHz mono; only the first 30 s are used), laid out
     * {@code [mel][frame]}: {@code nMels * 3000} values, as the encoder's {@code input_features}
     * {@code [1, nMels, 3000]} expects.
     */
    public float[] compute(float[] samples) {
        int used = Math.min(samples.length, N_SAMPLES);
        double[] padded = new double[N_SAMPLES + N_FFT];
        int half = N_FFT / 2;
        for (int i = 0; i < used; i++) {
            padded[half + i] = samples[i];
        }
        // reflect padding at the start ("reflect" excludes the edge sample itself); the end of the
        // 30 s window is zeros after pad_or_trim, so its reflection is zeros too unless the audio fills it
        for (int i = 1; i <= half; i++) {
            padded[half - i] = i < N_SAMPLES ? valueAt(samples, used, i) : 0;
            padded[half + N_SAMPLES - 1 + i] = valueAt(samples, used, N_SAMPLES - 1 - i);
        }
        // frames whose window lies wholly past the audio (and its reflection) see only zeros
        int lastFrameWithAudio = Math.min(N_FRAMES - 1, (used + half + N_FFT) / HOP + 1);
        double[] power = new double[BINS];
        double[] frame = new double[N_FFT];
        double[] mel = new double[nMels * N_FRAMES];
        double max = Double.NEGATIVE_INFINITY;
        for (int t = 0; t < N_FRAMES; t++) {
            boolean silent = t > lastFrameWithAudio;
            if (!silent) {
                int start = t * HOP;
                for (int n = 0; n < N_FFT; n++) {
                    frame[n] = padded[start + n] * window[n];
                }
                for (int k = 0; k < BINS; k++) {
                    double re = 0;
                    double im = 0;
                    double[] c = cos[k];
                    double[] s = sin[k];
                    for (int n = 0; n < N_FFT; n++) {
                        re += frame[n] * c[n];
                        im -= frame[n] * s[n];
                    }
                    power[k] = re * re + im * im;
                }
            }
            for (int m = 0; m < nMels; m++) {
                double e = 0;
                if (!silent) {
                    float[] f = filters[m];
                    for (int k = 0; k < BINS; k++) {
                        e += f[k] * power[k];
                    }
                }
                double log = Math.log10(Math.max(e, 1e-10));
                mel[m * N_FRAMES + t] = log;
                max = Math.max(max, log);
            }
        }
        float[] out = new float[mel.length];
        double floor = max - 8.0;
        for (int i = 0; i < mel.length; i++) {
            out[i] = (float) ((Math.max(mel[i], floor) + 4.0) / 4.0);
        }
        return out;
    }

    private static double valueAt(float[] samples, int used, int i) {
        return i >= 0 && i < used ? samples[i] : 0;
    }

    /**
     * {@code librosa.filters.mel(sr, n_fft, n_mels)} with its defaults: Slaney's mel scale (linear
     * below 1 kHz, logarithmic above), {@code fmin = 0}, {@code fmax = sr / 2}, and each triangle
     * scaled by {@code 2 / (upper - lower edge)} so it has unit area.
     */
    static float[][] melFilters(int sampleRate, int nFft, int nMels) {
        int bins = nFft / 2 + 1;
        double[] fftFreqs = new double[bins];
        for (int k = 0; k < bins; k++) {
            fftFreqs[k] = (double) k * sampleRate / nFft;
        }
        double minMel = hzToMel(0);
        double maxMel = hzToMel(sampleRate / 2.0);
        double[] hz = new double[nMels + 2];
        for (int i = 0; i < hz.length; i++) {
            hz[i] = melToHz(minMel + (maxMel - minMel) * i / (nMels + 1));
        }
        float[][] weights = new float[nMels][bins];
        for (int m = 0; m < nMels; m++) {
            double lowerWidth = hz[m + 1] - hz[m];
            double upperWidth = hz[m + 2] - hz[m + 1];
            double norm = 2.0 / (hz[m + 2] - hz[m]);
            for (int k = 0; k < bins; k++) {
                double lower = (fftFreqs[k] - hz[m]) / lowerWidth;
                double upper = (hz[m + 2] - fftFreqs[k]) / upperWidth;
                weights[m][k] = (float) (Math.max(0, Math.min(lower, upper)) * norm);
            }
        }
        return weights;
    }

    private static final double F_SP = 200.0 / 3;
    private static final double MIN_LOG_HZ = 1000.0;
    private static final double MIN_LOG_MEL = MIN_LOG_HZ / F_SP;
    private static final double LOG_STEP = Math.log(6.4) / 27.0;

    static double hzToMel(double hz) {
        return hz < MIN_LOG_HZ ? hz / F_SP : MIN_LOG_MEL + Math.log(hz / MIN_LOG_HZ) / LOG_STEP;
    }

    static double melToHz(double mel) {
        return mel < MIN_LOG_MEL ? mel * F_SP : MIN_LOG_HZ * Math.exp(LOG_STEP * (mel - MIN_LOG_MEL));
    }
}
