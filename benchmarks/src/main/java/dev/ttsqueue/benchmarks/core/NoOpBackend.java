package dev.ttsqueue.benchmarks.core;

import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.spi.BackendInfo;
import dev.ttsqueue.spi.SynthesisContext;
import dev.ttsqueue.spi.SynthesisRequest;
import dev.ttsqueue.spi.TtsBackend;
import java.util.Set;

/** A backend that does nothing and returns an empty clip: measures the queue, not a model. */
public final class NoOpBackend implements TtsBackend {
    private static final float[] EMPTY = new float[0];

    @Override
    public BackendInfo info() {
        return new BackendInfo("no-op", 24_000, true, false, Set.of(), 32, 0, 1, "CPU");
    }

    @Override
    public AudioClip synthesize(SynthesisRequest request, SynthesisContext ctx) {
        return new AudioClip(EMPTY, 24_000);
    }
}
