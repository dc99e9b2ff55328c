package dev.ttsqueue.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.JobEvent;
import dev.ttsqueue.JobProgress;
import dev.ttsqueue.JobRequest;
import dev.ttsqueue.JobSnapshot;
import dev.ttsqueue.JobStatus;
import dev.ttsqueue.JobType;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A listener that cannot keep up costs bounded memory: progress events of a job are merged while they wait, nothing else is. */
class EventBusTest {
    private static final long WAIT_SECONDS = 30;
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private final EventBus bus = new EventBus();

    @AfterEach
    void close() {
        bus.close();
    }

    private static JobEvent event(String jobId, JobEvent.Kind kind, int step) {
        JobStatus status = switch (kind) {
            case QUEUED -> JobStatus.QUEUED;
            case STARTED, PROGRESS -> JobStatus.PROCESSING;
            case COMPLETED -> JobStatus.COMPLETED;
            case FAILED -> JobStatus.FAILED;
            case CANCELLED -> JobStatus.CANCELLED;
        };
        JobSnapshot s = new JobSnapshot(jobId, JobType.TTS_PERMANENT, status, 0, T0, T0, null, step, null, 0, null, null, 1,
                JobRequest.ttsPermanent("narrator", "hello"));
        return new JobEvent(kind, s, kind == JobEvent.Kind.PROGRESS ? new JobProgress(jobId, step, 1000, step / 10.0, null) : null);
    }

    private void drain() throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        bus.run(done::countDown);
        assertTrue(done.await(WAIT_SECONDS, TimeUnit.SECONDS));
    }

    @Test
    void progressOfAJobWaitingForTheEventThreadIsReplacedByTheNewestWhileOtherEventsAllGetThrough() throws Exception {
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
        bus.publish(event("job-1", JobEvent.Kind.STARTED, 0));
        assertTrue(blocked.await(WAIT_SECONDS, TimeUnit.SECONDS), "the listener is stuck in STARTED");

        for (int step = 1; step <= 20; step++) {
            JobEvent e = event("job-1", JobEvent.Kind.PROGRESS, step);
            bus.publishProgress("job-1", () -> e);
            assertEquals(1, bus.pendingProgressEvents(), "one waiting progress event per job, however many reports");
        }
        bus.publish(event("job-1", JobEvent.Kind.COMPLETED, 20));
        assertEquals(19, bus.coalescedProgressEvents());

        release.countDown();
        drain();
        assertEquals(List.of("STARTED", "PROGRESS 20", "COMPLETED"), kinds(seen), "the newest progress, before the end");
        assertEquals(0, bus.pendingProgressEvents());
    }

    @Test
    void eachJobKeepsItsOwnNewestProgressInTheOrderItFirstWaited() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<JobEvent> seen = new CopyOnWriteArrayList<>();
        bus.add(null, seen::add);
        bus.run(() -> {
            try {
                release.await(WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        });
        for (int step = 1; step <= 3; step++) {
            JobEvent a = event("job-a", JobEvent.Kind.PROGRESS, step);
            JobEvent b = event("job-b", JobEvent.Kind.PROGRESS, 10 + step);
            bus.publishProgress("job-a", () -> a);
            bus.publishProgress("job-b", () -> b);
        }
        assertEquals(2, bus.pendingProgressEvents());
        release.countDown();
        drain();
        assertEquals(List.of("job-a PROGRESS 3", "job-b PROGRESS 13"),
                seen.stream().map(e -> e.jobId() + " " + e.kind() + " " + e.progress().stepsDone()).toList());
    }

    @Test
    void aListenerThatKeepsUpSeesEveryReport() throws Exception {
        List<JobEvent> seen = new CopyOnWriteArrayList<>();
        bus.add(null, seen::add);
        for (int step = 1; step <= 15; step++) {
            JobEvent e = event("job-1", JobEvent.Kind.PROGRESS, step);
            bus.publishProgress("job-1", () -> e);
            drain();
        }
        assertEquals(15, seen.size(), "a listener that keeps up loses nothing");
        assertEquals(0, bus.coalescedProgressEvents());
        assertEquals(0, bus.pendingProgressEvents());
    }

    @Test
    void aProgressEventDecidedAwayOnTheEventThreadStillFreesItsPlace() throws Exception {
        List<JobEvent> seen = new CopyOnWriteArrayList<>();
        bus.add(null, seen::add);
        bus.publishProgress("job-1", () -> null);
        drain();
        assertEquals(0, bus.pendingProgressEvents());
        JobEvent e = event("job-1", JobEvent.Kind.PROGRESS, 2);
        bus.publishProgress("job-1", () -> e);
        drain();
        assertEquals(List.of("PROGRESS 2"), kinds(seen));
    }

    private static List<String> kinds(List<JobEvent> events) {
        return events.stream().map(e -> e.kind() + (e.progress() == null ? "" : " " + e.progress().stepsDone())).toList();
    }
}
