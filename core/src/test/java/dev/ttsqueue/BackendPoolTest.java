package dev.ttsqueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.spi.AudioKind;
import dev.ttsqueue.spi.ModelState;
import dev.ttsqueue.testing.SyntheticBackend;
import dev.ttsqueue.spi.BackendInfo;
import dev.ttsqueue.spi.SynthesisContext;
import dev.ttsqueue.spi.SynthesisRequest;
import dev.ttsqueue.spi.TtsBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
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

    /** An instance that says its texts into a shared list and warms up with "warm". */
    private record Saying(List<String> said) implements TtsBackend {
        @Override
        public BackendInfo info() {
            return new BackendInfo("saying", 24_000, false, false, Set.of(), 32, 0, 1, "CPU");
        }

        @Override
        public List<SynthesisRequest> warmUpRequests() {
            return List.of(new SynthesisRequest(null, "", "warm", InferenceSettings.defaults(), 0));
        }

        @Override
        public AudioClip synthesize(SynthesisRequest request, SynthesisContext ctx) {
            said.add(request.text());
            return new AudioClip(new float[240], 24_000);
        }
    }

    @Test
    void eachWorkerWarmsUpThroughThePoolBeforeItsFirstJob() throws Exception {
        List<String> said = new CopyOnWriteArrayList<>();
        BackendPool pool = new BackendPool(List.of(new Saying(said), new Saying(said)));
        assertEquals(List.of("warm"), pool.warmUpRequests().stream().map(SynthesisRequest::text).toList());
        try (TtsJobQueue q = TtsJobQueue.builder().backend(pool).workers(pool.size()).warmUp(Duration.ofNanos(1)).build()) {
            String ref = q.audioStore().save(AudioKind.UPLOAD, new AudioClip(new float[2400], 24_000)).id();
            JobHandle first = q.submit(JobRequest.voiceCloning(ref, "job"));
            first.result().get(30, TimeUnit.SECONDS);
            assertEquals("warm", said.get(0), "a warm-up before the first job: " + said);
            assertTrue(said.indexOf("job") > 0, said.toString());
            // The other worker warms up on its own, whether or not a job waits for it.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (said.stream().filter("warm"::equals).count() < 2) {
                assertTrue(System.nanoTime() < deadline, "one warm-up request per worker: " + said);
                Thread.onSpinWait();
            }
        }
        assertEquals(2, said.stream().filter("warm"::equals).count(), "and no more: " + said);
    }
}
