package dev.ttsqueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.spi.AudioKind;
import dev.ttsqueue.spi.ModelState;
import dev.ttsqueue.testing.SyntheticBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BackendPoolTest {
    @Test
    void eachRunningJobHoldsItsOwnInstance() throws Exception {
        SyntheticBackend a = SyntheticBackend.builder().gated().build();
        SyntheticBackend b = SyntheticBackend.builder().gated().build();
        BackendPool pool = new BackendPool(List.of(a, b));
        assertEquals("CPU, CPU", pool.info().device());
        try (TtsJobQueue q = TtsJobQueue.builder().backend(pool).workers(pool.size()).build()) {
            String ref = q.audioStore().save(AudioKind.UPLOAD, new AudioClip(new float[2400], 24_000)).id();
            List<JobHandle> jobs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                jobs.add(q.submit(JobRequest.voiceCloning(ref, "job " + i)));
            }
            // Two jobs run at once, one on each instance.
            assertTrue(a.awaitStepsEntered(1, 10, TimeUnit.SECONDS));
            assertTrue(b.awaitStepsEntered(1, 10, TimeUnit.SECONDS));
            a.releaseAll();
            b.releaseAll();
            for (JobHandle j : jobs) {
                j.result().get(30, TimeUnit.SECONDS);
            }
            assertEquals(1, a.maxConcurrent());
            assertEquals(1, b.maxConcurrent());
            assertEquals(4, a.order().size() + b.order().size());
        }
        assertTrue(a.isClosed() && b.isClosed(), "closing the queue closes every instance");
    }

    @Test
    void theModelIsLoadedOnlyWhereEveryInstanceHasIt() {
        SyntheticBackend a = SyntheticBackend.builder().build();
        SyntheticBackend b = SyntheticBackend.builder().build();
        BackendPool pool = new BackendPool(List.of(a, b));
        try (TtsJobQueue q = TtsJobQueue.builder().backend(pool).workers(pool.size()).build()) {
            assertEquals(ModelState.LOADED, q.modelState());
            b.reportModelState(new ModelState(true, false));
            assertEquals(new ModelState(true, false), q.modelState());
            a.reportModelState(new ModelState(false, true));
            assertEquals(ModelState.NOT_LOADED, q.modelState());
        }
        assertEquals(ModelState.NOT_LOADED, pool.modelState(), "closed instances hold no model");
    }
}
