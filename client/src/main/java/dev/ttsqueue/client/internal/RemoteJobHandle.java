package dev.ttsqueue.client.internal;

import dev.ttsqueue.JobEvent;
import dev.ttsqueue.JobHandle;
import dev.ttsqueue.JobProgress;
import dev.ttsqueue.JobRequest;
import dev.ttsqueue.JobSnapshot;
import dev.ttsqueue.SynthesisResult;
import dev.ttsqueue.audio.AudioClip;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A job on the server. Its event stream opens on the first call of {@link #result()} or
 * {@link #onProgress}, not before, so that submitting many jobs does not open a connection for
 * each one nobody follows.
 */
public final class RemoteJobHandle implements JobHandle {
    private final String id;
    private final JobRequest request;
    private final JobSnapshot accepted;
    private final JobTrackers trackers;
    private final Function<String, JobSnapshot> status;
    private final Predicate<String> cancel;
    private final Function<String, Flow.Publisher<AudioClip>> audio;
    private CompletableFuture<SynthesisResult> result;

    /**
     * @param request what was submitted; null for a handle of a job found by id
     * @param accepted the job as it was when it was queued, or first asked for
     */
    public RemoteJobHandle(String id, JobRequest request, JobSnapshot accepted, JobTrackers trackers,
            Function<String, JobSnapshot> status, Predicate<String> cancel, Function<String, Flow.Publisher<AudioClip>> audio) {
        this.id = id;
        this.request = request;
        this.accepted = accepted;
        this.trackers = trackers;
        this.status = status;
        this.cancel = cancel;
        this.audio = audio;
    }

    /** The job's audio from its stream on the server ({@code GET /jobs/{id}/audio-stream}); one stream per subscriber. */
    @Override
    public Flow.Publisher<AudioClip> audio() {
        return audio.apply(id);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public synchronized CompletableFuture<SynthesisResult> result() {
        if (result == null) {
            result = trackers.result(id, request);
        }
        return result;
    }

    @Override
    public JobHandle onProgress(Consumer<JobProgress> listener) {
        Objects.requireNonNull(listener, "listener");
        synchronized (this) {
            if (result != null && result.isDone()) {
                return this; // the job is over: nothing more will come
            }
        }
        trackers.listenToEnd(id, request, e -> {
            if (e.kind() == JobEvent.Kind.PROGRESS && e.progress() != null) {
                listener.accept(e.progress());
            }
        });
        return this;
    }

    @Override
    public JobSnapshot snapshot() {
        JobSnapshot s = status.apply(id);
        return request == null ? s : new JobSnapshot(s.id(), s.type(), s.status(), s.priority(), s.createdAt(), s.startedAt(),
                s.completedAt(), s.progress(), s.estimatedCompletion(), s.queuePosition(), s.error(), s.result(), s.attempts(), request);
    }

    @Override
    public JobSnapshot accepted() {
        return accepted;
    }

    @Override
    public boolean cancel() {
        return cancel.test(id);
    }

    @Override
    public String toString() {
        return "RemoteJobHandle[" + id + "]";
    }
}
