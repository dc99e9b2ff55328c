package dev.ttsqueue.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.ttsqueue.JobEvent;
import dev.ttsqueue.JobProgress;
import dev.ttsqueue.JobRequest;
import dev.ttsqueue.JobSnapshot;
import dev.ttsqueue.JobStatus;
import dev.ttsqueue.JobType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class EventBacklogTest {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    private static JobEvent event(String job, JobEvent.Kind kind, int stepsDone) {
        JobStatus status = switch (kind) {
            case QUEUED -> JobStatus.QUEUED;
            case STARTED, PROGRESS -> JobStatus.PROCESSING;
            case COMPLETED -> JobStatus.COMPLETED;
            case FAILED -> JobStatus.FAILED;
            case CANCELLED -> JobStatus.CANCELLED;
        };
        double percent = stepsDone * 10.0;
        JobSnapshot s = new JobSnapshot(job, JobType.TTS_GENERATE, status, 0, T0, null, null, percent, null, 0, null, null, 0,
                JobRequest.ttsGenerate("ref", "text"));
        JobProgress p = kind == JobEvent.Kind.PROGRESS ? new JobProgress(job, stepsDone, 10, percent, null) : null;
        return new JobEvent(kind, s, p);
    }

    private static List<JobEvent> drain(EventBacklog backlog) throws InterruptedException {
        List<JobEvent> out = new ArrayList<>();
        for (JobEvent e = backlog.poll(0, TimeUnit.SECONDS); e != null; e = backlog.poll(0, TimeUnit.SECONDS)) {
            out.add(e);
        }
        return out;
    }

    @Test
    void aWaitingProgressEventIsReplacedInItsPlaceAndOtherEventsQueue() throws Exception {
        EventBacklog backlog = new EventBacklog(10);
        JobEvent aStarted = event("a", JobEvent.Kind.STARTED, 0);
        JobEvent a1 = event("a", JobEvent.Kind.PROGRESS, 1);
        JobEvent bQueued = event("b", JobEvent.Kind.QUEUED, 0);
        JobEvent a2 = event("a", JobEvent.Kind.PROGRESS, 2);
        JobEvent a3 = event("a", JobEvent.Kind.PROGRESS, 3);
        JobEvent aDone = event("a", JobEvent.Kind.COMPLETED, 10);
        for (JobEvent e : List.of(aStarted, a1, bQueued, a2, a3, aDone)) {
            backlog.offer(e);
        }
        assertEquals(List.of(aStarted, a3, bQueued, aDone), drain(backlog));
        assertEquals(EventBacklog.End.NONE, backlog.end());

        // Once taken, a progress event is not replaced any more: the next one queues anew.
        backlog.offer(event("c", JobEvent.Kind.PROGRESS, 1));
        JobEvent c1 = backlog.poll(0, TimeUnit.SECONDS);
        JobEvent c2 = event("c", JobEvent.Kind.PROGRESS, 2);
        backlog.offer(c2);
        assertEquals(1, c1.progress().stepsDone());
        assertEquals(List.of(c2), drain(backlog));
    }

    @Test
    void progressOfManyJobsCountsOncePerJob() throws Exception {
        EventBacklog backlog = new EventBacklog(3);
        for (int step = 1; step <= 100; step++) {
            for (String job : List.of("a", "b", "c")) {
                backlog.offer(event(job, JobEvent.Kind.PROGRESS, step));
            }
        }
        assertEquals(EventBacklog.End.NONE, backlog.end(), "a thousand reports of three jobs fit in three places");
        List<JobEvent> out = drain(backlog);
        assertEquals(List.of("a", "b", "c"), out.stream().map(JobEvent::jobId).toList());
        out.forEach(e -> assertEquals(100, e.progress().stepsDone()));
    }

    @Test
    void aBacklogBeyondCapacityOverflowsDropsWhatWaitsAndTakesNothingMore() throws Exception {
        EventBacklog backlog = new EventBacklog(2);
        backlog.offer(event("a", JobEvent.Kind.QUEUED, 0));
        backlog.offer(event("b", JobEvent.Kind.QUEUED, 0));
        assertEquals(EventBacklog.End.NONE, backlog.end());
        backlog.offer(event("c", JobEvent.Kind.QUEUED, 0));
        assertEquals(EventBacklog.End.OVERFLOWED, backlog.end());
        assertEquals(0, backlog.size());
        backlog.offer(event("d", JobEvent.Kind.QUEUED, 0));
        assertNull(backlog.poll(0, TimeUnit.SECONDS));
        assertEquals(0, backlog.size());
        backlog.stop();
        assertEquals(EventBacklog.End.OVERFLOWED, backlog.end(), "the first reason stays");
    }

    @Test
    void pollWaitsForAnEventAndStopWakesItAtOnce() throws Exception {
        EventBacklog backlog = new EventBacklog(4);
        assertNull(backlog.poll(1, TimeUnit.MILLISECONDS), "nothing came: the heartbeat's turn");
        assertEquals(EventBacklog.End.NONE, backlog.end());

        CountDownLatch polling = new CountDownLatch(1);
        AtomicReference<Object> got = new AtomicReference<>("nothing yet");
        Thread reader = new Thread(() -> {
            try {
                polling.countDown();
                got.set(backlog.poll(1, TimeUnit.HOURS));
            } catch (InterruptedException e) {
                got.set(e);
            }
        });
        reader.start();
        polling.await();
        JobEvent queued = event("a", JobEvent.Kind.QUEUED, 0);
        backlog.offer(queued);
        reader.join(TimeUnit.SECONDS.toMillis(30));
        assertSame(queued, got.get());

        Thread stopped = new Thread(() -> {
            try {
                got.set(backlog.poll(1, TimeUnit.HOURS));
            } catch (InterruptedException e) {
                got.set(e);
            }
        });
        stopped.start();
        backlog.stop();
        stopped.join(TimeUnit.SECONDS.toMillis(30));
        assertEquals(false, stopped.isAlive(), "stop wakes a waiting poll");
        assertNull(got.get());
        assertEquals(EventBacklog.End.STOPPED, backlog.end());
        backlog.offer(event("b", JobEvent.Kind.QUEUED, 0));
        assertEquals(0, backlog.size());
    }
}
