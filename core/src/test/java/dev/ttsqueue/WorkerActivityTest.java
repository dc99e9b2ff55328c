package dev.ttsqueue;

import static dev.ttsqueue.QueueFixture.WAIT_SECONDS;
import static dev.ttsqueue.QueueFixture.await;
import static dev.ttsqueue.QueueFixture.upload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.testing.SyntheticBackend;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WorkerActivityTest {
    @Test
    void eachWorkerShowsTheJobItRunsAndIdleWorkersShowNone() throws Exception {
        SyntheticBackend backend = SyntheticBackend.builder().steps(2).gated().build();
        try (TtsJobQueue queue = TtsJobQueue.builder().backend(backend).workers(3).build()) {
            assertEquals(List.of(new WorkerActivity("ttsq-worker-0", List.of()), new WorkerActivity("ttsq-worker-1", List.of()),
                    new WorkerActivity("ttsq-worker-2", List.of())), queue.workerActivity());
            String ref = upload(queue);
            JobHandle a = queue.submit(JobRequest.ttsGenerate(ref, "first"));
            JobHandle b = queue.submit(JobRequest.ttsGenerate(ref, "second"));
            assertTrue(backend.awaitStepsEntered(2, WAIT_SECONDS, TimeUnit.SECONDS));

            List<WorkerActivity> busy = queue.workerActivity().stream().filter(w -> !w.isIdle()).toList();
            assertEquals(2, busy.size(), queue.workerActivity()::toString);
            assertEquals(List.of(a.id(), b.id()).stream().sorted().toList(),
                    busy.stream().flatMap(w -> w.runningJobs().stream()).sorted().toList());
            busy.forEach(w -> assertEquals(1, w.runningJobs().size(), w::toString));
            assertEquals(3, queue.workerActivity().size());

            backend.releaseAll();
            await(a);
            await(b);
            queue.close(); // joins the workers: a worker lets go of its job just after the job's future completes
            assertTrue(queue.workerActivity().stream().allMatch(WorkerActivity::isIdle), queue.workerActivity()::toString);
        }
    }
}
