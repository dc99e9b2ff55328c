package dev.ttsqueue.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.InferenceSettings;
import dev.ttsqueue.JobCancelledException;
import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.server.internal.SyntheticToneBackend;
import dev.ttsqueue.spi.SynthesisContext;
import dev.ttsqueue.spi.SynthesisRequest;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SyntheticToneBackendTest {
    /** Records progress; cancelled once {@code cancelAfter} steps were reported. */
    private static final class Context implements SynthesisContext {
        final List<String> progress = new CopyOnWriteArrayList<>();
        final int cancelAfter;

        Context(int cancelAfter) {
            this.cancelAfter = cancelAfter;
        }

        @Override
        public String jobId() {
            return "job1";
        }


        @Override
        public void reportProgress(int stepsDone, int stepsTotal) {
            progress.add(stepsDone + "/" + stepsTotal);
        }

        @Override
        public boolean isCancelled() {
            return progress.size() > cancelAfter;
        }
    }

    private static SynthesisRequest request(String text, double speed) {
        return new SynthesisRequest(null, "", text, InferenceSettings.defaults().withSpeed(speed), 7);
    }

    @Test
    void oneStepPerWordAndATenthOfASecondOfToneEach() throws Exception {
        SyntheticToneBackend backend = new SyntheticToneBackend();
        Context ctx = new Context(Integer.MAX_VALUE);
        long t0 = System.nanoTime();
        AudioClip clip = backend.synthesize(request("  three short\twords ", 1.0), ctx);
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

        assertEquals(List.of("0/3", "1/3", "2/3", "3/3"), ctx.progress);
        assertEquals(24_000, clip.sampleRate());
        assertEquals(7_200, clip.samples().length);
        assertTrue(elapsedMs >= 60, "20 ms of work per word, took " + elapsedMs + " ms");
        float peak = 0;
        for (float s : clip.samples()) {
            peak = Math.max(peak, Math.abs(s));
        }
        assertTrue(peak > 0.2f && peak <= 0.3f, "an audible tone, not silence: " + peak);
        assertEquals(3_600, backend.synthesize(request("three short words", 2.0), new Context(Integer.MAX_VALUE)).samples().length);
        assertEquals("synthetic", backend.info().name());
    }

    @Test
    void cancellationStopsBetweenSteps() {
        Context ctx = new Context(2);
        assertThrows(JobCancelledException.class, () -> new SyntheticToneBackend().synthesize(request("a b c d e f", 1.0), ctx));
        assertEquals(List.of("0/6", "1/6", "2/6"), ctx.progress);
    }
}
