package dev.ttsqueue.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.JobEvent;
import dev.ttsqueue.JobProgress;
import dev.ttsqueue.JobRequest;
import dev.ttsqueue.JobSnapshot;
import dev.ttsqueue.JobStatus;
import dev.ttsqueue.JobType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A listener that cannot keep up costs bounded memory, and loses only progress events. */
class EventBusTest {
    private static final long WAIT_SECONDS = 30;
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private final EventBus bus = new EventBus(5);

    @AfterEach
    void close() {
        bus.close();
    }

    private static JobEvent event(JobEvent.Kind kind, int step) {
        JobStatus status = switch (kind) {
            case QUEUED -> JobStatus.QUEUED;
            case STARTED, PROGRESS -> JobStatus.PROCESSING;
            case COMPLETED -> JobStatus.COMPLETED;
            case FAILED -> JobStatus.FAILED;
            case CANCELLED -> JobStatus.CANCELLED;
        };
        JobSnapshot s = new JobSnapshot("job-1", JobType.TTS_PERMANENT, status, 0, T0, T0, null, step, null, 0, null, null, 1,
                JobRequest.ttsPermanent("narrator", "hello"));
        return new JobEvent(kind, s, kind == JobEvent.Kind.PROGRESS ? new JobProgress("job-1", step, 1000, step / 10.0, null) : null);
    }

    private void drain() throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        bus.run(done::countDown);
        assertTrue(done.await(WAIT_SECONDS, TimeUnit.SECONDS));
    }

    @Test
    void progressBeyondTheLimitIsDroppedWhileOtherEventsAlwaysGetThrough() throws Exception {
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<JobEvent> seen = new CopyOnWriteArrayList<>();
        bus.add("job-1", e -> {
            seen.add(e);
            if (e.kind() == JobEvent.Kind.STARTED) {
                blocked.countDown();
                try {
                    release.await(WAIT_SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        bus.publish(event(JobEvent.Kind.STARTED, 0));
        assertTrue(blocked.await(WAIT_SECONDS, TimeUnit.SECONDS), "the listener is stuck in STARTED");

        List<Boolean> accepted = new ArrayList<>();
        for (int step = 1; step <= 20; step++) {
            JobEvent e = event(JobEvent.Kind.PROGRESS, step);
            accepted.add(bus.publishProgress(() -> e));
            assertTrue(bus.pendingProgressEvents() <= 5, "never more than the limit waits");
        }
        bus.publish(event(JobEvent.Kind.COMPLETED, 20));
        assertEquals(15, bus.droppedProgressEvents());
        assertEquals(List.of(true, true, true, true, true), accepted.subList(0, 5));
        assertFalse(accepted.subList(5, 20).contains(true));

        release.countDown();
        drain();
        List<String> order = seen.stream().map(e -> e.kind() + (e.progress() == null ? "" : " " + e.progress().stepsDone())).toList();
        assertEquals(List.of("STARTED", "PROGRESS 1", "PROGRESS 2", "PROGRESS 3", "PROGRESS 4", "PROGRESS 5", "COMPLETED"), order,
                "the first five progress events and the terminal one, in order");
        assertEquals(0, bus.pendingProgressEvents());
    }

    @Test
    void progressFlowsAgainOnceTheBacklogIsGone() throws Exception {
        List<JobEvent> seen = new CopyOnWriteArrayList<>();
        bus.add(null, seen::add);
        for (int round = 0; round < 3; round++) {
            for (int step = 1; step <= 5; step++) {
                JobEvent e = event(JobEvent.Kind.PROGRESS, step);
                bus.publishProgress(() -> e);
            }
            drain();
        }
        assertEquals(15, seen.size(), "a listener that keeps up loses nothing");
        assertEquals(0, bus.droppedProgressEvents());
        assertEquals(0, bus.pendingProgressEvents());
    }

    @Test
    void aProgressEventDecidedAwayOnTheEventThreadStillFreesItsPlace() throws Exception {
        for (int i = 0; i < 20; i++) {
            bus.publishProgress(() -> null);
            drain();
        }
        assertEquals(0, bus.pendingProgressEvents());
        assertEquals(0, bus.droppedProgressEvents());
    }
}
