package dev.ttsqueue.internal;

import dev.ttsqueue.FinishedJob;
import dev.ttsqueue.JobStatus;
import dev.ttsqueue.JobType;
import dev.ttsqueue.QueueMetricsListener;
import dev.ttsqueue.Subscription;
import dev.ttsqueue.spi.JobRecord;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The queue's {@link QueueMetricsListener}s, called in turn; one that throws is logged and skipped. */
final class MetricsListeners {
    private static final Logger log = LoggerFactory.getLogger(MetricsListeners.class);

    private final List<QueueMetricsListener> listeners = new CopyOnWriteArrayList<>();

    Subscription add(QueueMetricsListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    void jobSubmitted(JobType type, int priority) {
        each(l -> l.jobSubmitted(type, priority));
    }

    void jobRejected(JobType type) {
        each(l -> l.jobRejected(type));
    }

    void jobStarted(JobRecord claimed) {
        if (listeners.isEmpty()) {
            return;
        }
        Duration wait = Duration.between(claimed.createdAt(), claimed.startedAt());
        each(l -> l.jobStarted(claimed.type(), wait));
    }

    void jobFinished(JobRecord ended) {
        if (listeners.isEmpty()) {
            return;
        }
        Duration run = ended.startedAt() != null && ended.completedAt() != null
                ? Duration.between(ended.startedAt(), ended.completedAt()) : null;
        Duration wait = ended.startedAt() != null ? Duration.between(ended.createdAt(), ended.startedAt()) : null;
        double audio = ended.status() == JobStatus.COMPLETED && ended.result() != null ? ended.result().durationSeconds() : 0;
        String worker = Thread.currentThread() instanceof Worker w ? w.getName() : null;
        FinishedJob job = new FinishedJob(ended.id(), ended.type(), ended.status(), wait, run, audio, worker);
        each(l -> l.jobFinished(job));
    }

    void workerBusy(int worker) {
        each(l -> l.workerBusy(worker));
    }

    void workerIdle(int worker) {
        each(l -> l.workerIdle(worker));
    }

    private void each(Consumer<QueueMetricsListener> call) {
        for (QueueMetricsListener l : listeners) {
            try {
                call.accept(l);
            } catch (RuntimeException | Error e) {
                log.warn("metrics listener {} failed", l, e);
            }
        }
    }
}
