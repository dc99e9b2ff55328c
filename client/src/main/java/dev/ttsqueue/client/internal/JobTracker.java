package dev.ttsqueue.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ttsqueue.JobCancelledException;
import dev.ttsqueue.JobEvent;
import dev.ttsqueue.JobFailedException;
import dev.ttsqueue.JobListener;
import dev.ttsqueue.JobProgress;
import dev.ttsqueue.JobRequest;
import dev.ttsqueue.JobSnapshot;
import dev.ttsqueue.JobStatus;
import dev.ttsqueue.SynthesisResult;
import dev.ttsqueue.TtsQueueException;
import dev.ttsqueue.client.ServerResponseException;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows one job through its event stream: turns the server's events into {@link JobEvent}s for
 * the job's listeners and completes its result future at the terminal event. Everything it does
 * for listeners and the future happens on the client's event thread, in the order the events
 * arrived.
 *
 * <p>A stream reopened after a break starts with the job as it stands, which may repeat what was
 * already told; such a first event is passed on only when it says something new: a job queued
 * again (the server restarted and runs it again), a job that started while nobody listened, or
 * the end.
 */
final class JobTracker implements JobStream.Listener {
    private static final Logger log = LoggerFactory.getLogger(JobTracker.class);

    private final String jobId;
    private final JobRequest request;
    private final RemoteApi api;
    private final Executor events;
    private final Runnable onFinished;
    private final CompletableFuture<SynthesisResult> result = new CompletableFuture<>();
    private final List<JobListener> listeners = new CopyOnWriteArrayList<>();
    private JobStream stream;
    private volatile boolean finished;
    /** Touched on the event thread only. */
    private JobStatus lastStatus;

    /**
     * @param request what was submitted, put in snapshots; null when not known here
     * @param onFinished called once when the job ended or its stream was given up
     */
    JobTracker(String jobId, JobRequest request, RemoteApi api, Executor events, Runnable onFinished) {
        this.jobId = jobId;
        this.request = request;
        this.api = api;
        this.events = events;
        this.onFinished = onFinished;
    }

    void attach(JobStream s) {
        this.stream = s;
    }

    String jobId() {
        return jobId;
    }

    CompletableFuture<SynthesisResult> result() {
        return result;
    }

    boolean isFinished() {
        return finished;
    }

    void addListener(JobListener l) {
        listeners.add(l);
    }

    void removeListener(JobListener l) {
        listeners.remove(l);
    }

    void start() {
        stream.start();
    }

    /** Stops following the job without completing its future (nobody waits for it any more). */
    void detach() {
        finished = true;
        stream.stop();
    }

    @Override
    public void onEvent(SseEvent event) {
        runOnEventThread(() -> handle(event));
    }

    @Override
    public void onEnd(TtsQueueException why) {
        runOnEventThread(() -> finish(null, why));
    }

    /** Completes the future with {@code why} on the event thread, as when the client closes. */
    void abandon(TtsQueueException why) {
        stream.stop();
        runOnEventThread(() -> finish(null, why));
    }

    private void runOnEventThread(Runnable r) {
        try {
            events.execute(r);
        } catch (RejectedExecutionException closed) {
            log.debug("event for job {} after the client closed; dropped", jobId);
        }
    }

    private void handle(SseEvent e) {
        if (finished) {
            return;
        }
        JobSnapshot snapshot;
        JobProgress progress;
        try {
            JsonNode data = api.mapper().readTree(e.data());
            snapshot = WireJson.snapshot(data, request);
            progress = data.has("steps_done") ? new JobProgress(jobId, data.path("steps_done").asInt(),
                    data.path("steps_total").asInt(), snapshot.progress(), snapshot.estimatedCompletion()) : null;
        } catch (IOException | MalformedAnswerException ex) {
            stream.stop();
            finish(null, new ServerResponseException(200, "unreadable '" + e.name() + "' event for job " + jobId + ": " + ex.getMessage()));
            return;
        }
        JobEvent.Kind kind = kind(e.name(), snapshot.status(), progress != null);
        if (kind == null) {
            return;
        }
        lastStatus = snapshot.status();
        JobEvent event = new JobEvent(kind, snapshot, kind == JobEvent.Kind.PROGRESS ? progress : null);
        if (kind.isTerminal()) {
            finish(event, null);
        } else {
            deliver(event);
        }
    }

    /**
     * The event to pass on for a server event, or null for one that only repeats what was told.
     * The server names a stream's first event after the job's state ({@code queued}; {@code
     * progress} without step counts for a running job; the terminal name for a finished one).
     */
    private JobEvent.Kind kind(String name, JobStatus status, boolean hasSteps) {
        if (status.isTerminal()) {
            return switch (status) {
                case COMPLETED -> JobEvent.Kind.COMPLETED;
                case FAILED -> JobEvent.Kind.FAILED;
                default -> JobEvent.Kind.CANCELLED;
            };
        }
        if (status == JobStatus.QUEUED) {
            return lastStatus == JobStatus.QUEUED ? null : JobEvent.Kind.QUEUED;
        }
        if ("started".equals(name)) {
            return JobEvent.Kind.STARTED;
        }
        if (hasSteps) {
            return JobEvent.Kind.PROGRESS;
        }
        // A stream's first event for a running job: news only if it was not known to run.
        return lastStatus == JobStatus.PROCESSING ? null : JobEvent.Kind.STARTED;
    }

    private void deliver(JobEvent event) {
        for (JobListener l : listeners) {
            try {
                l.onEvent(event);
            } catch (RuntimeException ex) {
                log.warn("a listener of job {} threw on {}; the others still run", jobId, event.kind(), ex);
            }
        }
    }

    /** Runs on the event thread. {@code terminal} is the job's last event; {@code why}, when not null, why it cannot be followed. */
    private void finish(JobEvent terminal, TtsQueueException why) {
        if (finished && (why == null || result.isDone())) {
            return;
        }
        finished = true;
        stream.stop();
        try {
            onFinished.run();
        } finally {
            if (terminal != null) {
                deliver(terminal);
                listeners.clear();
                JobSnapshot s = terminal.snapshot();
                switch (terminal.kind()) {
                    case COMPLETED -> result.complete(s.result());
                    case FAILED -> result.completeExceptionally(new JobFailedException(jobId, s.error() == null ? "failed" : s.error()));
                    default -> result.completeExceptionally(new JobCancelledException(jobId));
                }
            } else {
                listeners.clear();
                result.completeExceptionally(why);
            }
        }
    }
}
