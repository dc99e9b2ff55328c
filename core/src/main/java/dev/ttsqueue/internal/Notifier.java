package dev.ttsqueue.internal;

import dev.ttsqueue.JobCancelledException;
import dev.ttsqueue.JobEvent;
import dev.ttsqueue.JobFailedException;
import dev.ttsqueue.JobProgress;
import dev.ttsqueue.JobStatus;
import dev.ttsqueue.QueueClosedException;
import dev.ttsqueue.spi.JobRecord;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tells whoever waits on a job what happened to it: job listeners (an event with a snapshot, built
 * only when someone listens to that job), metrics listeners, audio feeds, and the result futures
 * of jobs submitted in this process.
 */
final class Notifier {
    private final EventBus events;
    private final MetricsListeners metrics;
    private final Snapshots snapshots;
    private final JobAudio audio;
    /** Futures of jobs not yet finished, by id; removed at the terminal event so finished jobs cost no heap here. */
    private final Map<String, JobHandleImpl> handles = new ConcurrentHashMap<>();

    Notifier(EventBus events, MetricsListeners metrics, Snapshots snapshots, JobAudio audio) {
        this.events = events;
        this.metrics = metrics;
        this.snapshots = snapshots;
        this.audio = audio;
    }

    JobAudio audio() {
        return audio;
    }

    EventBus events() {
        return events;
    }


    MetricsListeners metrics() {
        return metrics;
    }

    /** The handle of a job submitted or followed here that has not finished, or null. */
    JobHandleImpl handle(String jobId) {
        return handles.get(jobId);
    }

    void track(JobHandleImpl handle) {
        handles.put(handle.id(), handle);
    }

    /** Tracks {@code handle} unless one is tracked for its job already; returns the tracked one. */
    JobHandleImpl trackIfAbsent(JobHandleImpl handle) {
        JobHandleImpl raced = handles.putIfAbsent(handle.id(), handle);
        return raced != null ? raced : handle;
    }

    void untrack(String jobId) {
        handles.remove(jobId);
    }

    void untrack(JobHandleImpl handle) {
        handles.remove(handle.id(), handle);
    }

    /** Publishes an event of {@code record} to its listeners, if it has any. */
    void publish(JobEvent.Kind kind, JobRecord record, JobProgress progress) {
        if (events.hasListeners(record.id())) {
            events.publish(new JobEvent(kind, snapshots.of(record), progress));
        }
    }

    /** A worker took a job. */
    void started(JobRecord claimed) {
        metrics.jobStarted(claimed);
        publish(JobEvent.Kind.STARTED, claimed, null);
    }

    /** A job reached a terminal state: tell listeners, then complete its future (on the event thread, in that order). */
    void finished(JobRecord record, JobEvent.Kind kind) {
        audio.jobEnded(record);
        metrics.jobFinished(record);
        publish(kind, record, null);
        JobHandleImpl h = handles.remove(record.id());
        if (h != null) {
            events.run(() -> h.finish(record));
        }
    }

    /**
     * A job ended in another process: its terminal event for listeners here, then its result
     * future, as {@link #finished} does, but no metrics (the process that ran it counts it).
     */
    void endedElsewhere(JobRecord record, JobEvent.Kind kind) {
        audio.jobEnded(record);
        publish(kind, record, null);
        JobHandleImpl h = handles.remove(record.id());
        if (h != null) {
            events.run(() -> h.finish(record));
        }
    }

    /** True when something here waits for this job's end: a result future or a listener. */
    boolean awaits(String jobId) {
        return handles.containsKey(jobId) || events.hasListeners(jobId);
    }

    /** The jobs something here waits for (futures and per-job listeners), a copy. */
    Set<String> awaitedJobs() {
        Set<String> ids = new HashSet<>(handles.keySet());
        ids.addAll(events.listenedJobs());
        return ids;
    }

    /** The queue closed: every future still waiting here fails with {@link QueueClosedException}. */
    void abandonAll() {
        for (JobHandleImpl h : List.copyOf(handles.values())) {
            handles.remove(h.id());
            events.run(() -> h.abandon(new QueueClosedException("The queue was closed before job " + h.id() + " finished")));
        }
    }

    static Throwable failureOf(JobRecord r) {
        return failureOf(r.id(), r.status(), r.error());
    }

    /** What a future or a feed of a job that ended without a result fails with. */
    static Throwable failureOf(String jobId, JobStatus status, String error) {
        return switch (status) {
            case FAILED -> new JobFailedException(jobId, error);
            case CANCELLED -> new JobCancelledException(jobId);
            default -> new IllegalStateException("job " + jobId + " is " + status);
        };
    }
}
