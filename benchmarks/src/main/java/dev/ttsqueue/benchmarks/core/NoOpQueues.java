package dev.ttsqueue.benchmarks.core;

import dev.ttsqueue.TtsJobQueue;
import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.spi.AudioKind;
import java.io.IOException;

/** The queue every core benchmark measures: no-op backend, outputs discarded, no queue limit. */
final class NoOpQueues {
    private NoOpQueues() {
    }

    static TtsJobQueue start() {
        return TtsJobQueue.builder().backend(new NoOpBackend()).audioStore(new DiscardingAudioStore()).maxQueueSize(0).build();
    }

    /** Uploads a 10 ms reference clip and returns its id. */
    static String reference(TtsJobQueue queue) throws IOException {
        return queue.audioStore().save(AudioKind.UPLOAD, new AudioClip(new float[240], 24_000)).id();
    }
}
