package dev.ttsqueue;

import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.spi.AudioKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Small helpers shared by the queue tests. */
final class QueueFixture {
    static final long WAIT_SECONDS = 30;

    private QueueFixture() {
    }

    /** Uploads a short reference clip and returns its id. */
    static String upload(TtsJobQueue queue) {
        try {
            float[] pcm = new float[2400];
            for (int i = 0; i < pcm.length; i++) {
                pcm[i] = (float) (0.3 * Math.sin(i * 0.05));
            }
            return queue.audioStore().save(AudioKind.UPLOAD, new AudioClip(pcm, 24_000)).id();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static SynthesisResult await(JobHandle h) throws Exception {
        return h.result().get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    /** The exception a job's future completed with. */
    static Throwable failure(JobHandle h) throws InterruptedException, TimeoutException {
        try {
            h.result().get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("job " + h.id() + " completed normally");
    }
}
