package dev.ttsqueue.server.internal;

import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.spi.BackendInfo;
import dev.ttsqueue.spi.SynthesisContext;
import dev.ttsqueue.spi.SynthesisRequest;
import dev.ttsqueue.spi.TtsBackend;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The server's {@code --backend synthetic}, for tests of the server itself (restart and crash
 * tests of the packaged launcher): no model, no speech. A job takes one progress step of
 * {@value #STEP_MILLIS} ms per word of its text, so a test picks how long a job runs by its
 * length, and produces a sine tone of 0.1 s per word whose pitch follows the seed. Cancellation
 * is checked before every step, and each word's share of the tone is handed over as its step
 * ends (so audio streams). Never the default; the server warns when it is chosen.
 * Stateless and thread-safe.
 */
public final class SyntheticToneBackend implements TtsBackend {
    public static final String NAME = "synthetic";
    public static final int SAMPLE_RATE = 24_000;
    static final long STEP_MILLIS = 20;
    private static final double SECONDS_PER_WORD = 0.1;

    @Override
    public BackendInfo info() {
        return new BackendInfo(NAME, SAMPLE_RATE, false, false, Set.of(), 32, 0, 1, "CPU");
    }

    /**
     * @throws dev.ttsqueue.JobCancelledException when cancelled between steps
     * @throws InterruptedException when the worker thread is interrupted
     */
    @Override
    public AudioClip synthesize(SynthesisRequest request, SynthesisContext ctx) throws InterruptedException {
        int words = words(request.text());
        double speed = request.settings() == null ? 1.0 : request.settings().speed();
        int n = (int) Math.round(words * SECONDS_PER_WORD * SAMPLE_RATE / (speed > 0 ? speed : 1.0));
        float[] pcm = new float[n];
        double freq = 200 + Math.floorMod(request.seed(), 300);
        for (int i = 0; i < n; i++) {
            pcm[i] = (float) (0.3 * Math.sin(2 * Math.PI * freq * i / SAMPLE_RATE));
        }
        ctx.reportProgress(0, words);
        for (int i = 1; i <= words; i++) {
            ctx.throwIfCancelled();
            TimeUnit.MILLISECONDS.sleep(STEP_MILLIS); // stands in for a model step
            // Each word's share of the tone is handed over as it is "made": the shares are the result.
            ctx.audioReady(new AudioClip(Arrays.copyOfRange(pcm, (int) ((long) n * (i - 1) / words), (int) ((long) n * i / words)),
                    SAMPLE_RATE));
            ctx.reportProgress(i, words);
        }
        return new AudioClip(pcm, SAMPLE_RATE);
    }

    /** Whitespace-separated words, at least one (the queue refuses blank texts before they get here). */
    static int words(String text) {
        String t = text == null ? "" : text.strip();
        return t.isEmpty() ? 1 : t.split("\\s+").length;
    }
}
