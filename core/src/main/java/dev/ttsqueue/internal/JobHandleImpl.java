package dev.ttsqueue.internal;

import dev.ttsqueue.JobEvent;
import dev.ttsqueue.JobHandle;
import dev.ttsqueue.JobProgress;
import dev.ttsqueue.JobSnapshot;
import dev.ttsqueue.JobStatus;
import dev.ttsqueue.SynthesisResult;
import dev.ttsqueue.spi.JobRecord;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/** A job's future plus per-job listener registration. */
final class JobHandleImpl implements JobHandle {
    private final QueueEngine engine;
    private final String id;
    private final CompletableFuture<SynthesisResult> result = new CompletableFuture<>();
    private volatile JobSnapshot accepted;

    JobHandleImpl(QueueEngine engine, String id) {
        this.engine = engine;
        this.id = id;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public CompletableFuture<SynthesisResult> result() {
        return result;
    }

    @Override
    public JobHandle onProgress(Consumer<JobProgress> listener) {
        if (!result.isDone()) {
            engine.addListener(id, e -> {
                if (e.kind() == JobEvent.Kind.PROGRESS) {
                    listener.accept(e.progress());
                }
            });
        }
        return this;
    }

    @Override
    public JobSnapshot snapshot() {
        return engine.status(id);
    }

    @Override
    public JobSnapshot accepted() {
        JobSnapshot s = accepted;
        if (s == null) {
            s = snapshot();
            accepted = s;
        }
        return s;
    }

    void accepted(JobSnapshot snapshot) {
        accepted = snapshot;
    }

    @Override
    public boolean cancel() {
        return engine.cancel(id);
    }

    void finish(JobRecord r) {
        if (r.status() == JobStatus.COMPLETED) {
            result.complete(r.result());
        } else {
            result.completeExceptionally(Notifier.failureOf(r));
        }
    }

    void abandon(Throwable reason) {
        result.completeExceptionally(reason);
    }

    @Override
    public String toString() {
        return "JobHandle[" + id + "]";
    }
}
