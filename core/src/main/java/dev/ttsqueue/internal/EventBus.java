package dev.ttsqueue.internal;

import dev.ttsqueue.JobEvent;
import dev.ttsqueue.JobListener;
import dev.ttsqueue.Subscription;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers job events to listeners on one thread ({@code ttsq-events}), so events of a job arrive
 * in order and no listener ever runs on a worker. A listener that throws is logged and skipped.
 */
final class EventBus implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventBus.class);

    private final ExecutorService executor;
    private final List<JobListener> global = new CopyOnWriteArrayList<>();
    private final Map<String, List<JobListener>> perJob = new ConcurrentHashMap<>();
    /**
     * The newest progress event of each job that waits for the event thread. A job has at most one
     * progress task queued: a newer report replaces the waiting one's content instead of queuing
     * another, so the event thread's backlog is bounded by the running jobs, not by their steps.
     */
    private final Map<String, PendingProgress> pendingProgress = new ConcurrentHashMap<>();
    private final AtomicLong coalescedProgress = new AtomicLong();

    /** A waiting progress event; {@code event} is replaced while it waits. */
    private static final class PendingProgress {
        volatile Supplier<JobEvent> event;

        PendingProgress(Supplier<JobEvent> event) {
            this.event = event;
        }
    }

    EventBus() {
        executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "ttsq-events");
            t.setDaemon(true);
            return t;
        });
    }

    Subscription add(String jobId, JobListener listener) {
        if (jobId == null) {
            global.add(listener);
            return () -> global.remove(listener);
        }
        perJob.computeIfAbsent(jobId, k -> new CopyOnWriteArrayList<>()).add(listener);
        return () -> perJob.computeIfPresent(jobId, (k, list) -> {
            list.remove(listener);
            return list.isEmpty() ? null : list;
        });
    }

    /** True when someone listens to this job (cheap: lets callers skip building events). */
    boolean hasListeners(String jobId) {
        // isEmpty first: with no per-job listeners at all (the usual case) the id is never hashed.
        return !global.isEmpty() || (!perJob.isEmpty() && perJob.containsKey(jobId));
    }

    void publish(JobEvent event) {
        publishLazily(() -> event);
    }

    /**
     * Queues a progress event of {@code jobId}, or, when one of that job is still waiting for the
     * event thread, puts this one in its place: listeners that keep up see every report, slower
     * ones the newest. Progress reports carry the whole state (steps, percent, ETA), so nothing a
     * replaced one said is lost. The event keeps the place in the order of the report it replaced,
     * which is still after every event of the job published before it. {@code supplier} may decide,
     * on the event thread, that there is nothing to deliver (null).
     */
    void publishProgress(String jobId, Supplier<JobEvent> supplier) {
        boolean[] queuedNew = {false};
        pendingProgress.compute(jobId, (id, waiting) -> {
            if (waiting == null) {
                queuedNew[0] = true;
                return new PendingProgress(supplier);
            }
            waiting.event = supplier;
            return waiting;
        });
        if (!queuedNew[0]) {
            coalescedProgress.incrementAndGet();
            return;
        }
        publishLazily(() -> {
            // Removed before it is read: a report arriving from now on queues a task of its own.
            PendingProgress p = pendingProgress.remove(jobId);
            return p == null ? null : p.event.get();
        });
    }

    /** Progress events replaced by newer ones before the event thread got to them. */
    long coalescedProgressEvents() {
        return coalescedProgress.get();
    }

    /** Jobs with a progress event waiting for the event thread. */
    int pendingProgressEvents() {
        return pendingProgress.size();
    }

    /**
     * Queues an event whose content is decided on the event thread, after everything published
     * before it; {@code null} from the supplier means "nothing to deliver". Lets a caller fix an
     * event's place in the order before the state it describes exists.
     */
    void publishLazily(Supplier<JobEvent> supplier) {
        run(() -> {
            JobEvent event = supplier.get();
            if (event == null) {
                return;
            }
            deliver(global, event);
            List<JobListener> forJob = perJob.get(event.jobId());
            if (forJob != null) {
                deliver(forJob, event);
                if (event.kind().isTerminal()) {
                    perJob.remove(event.jobId());
                }
            }
        });
    }

    /**
     * Ends the per-job listeners of a job that gets no (further) terminal event in this process:
     * after everything already queued, its listeners get {@code terminal} (unless null) and are
     * dropped. A terminal event published earlier already dropped them, so nobody sees two.
     */
    void endJob(String jobId, JobEvent terminal) {
        run(() -> {
            List<JobListener> forJob = perJob.remove(jobId);
            if (forJob != null && terminal != null) {
                deliver(forJob, terminal);
            }
        });
    }

    /** The ids of the jobs that have per-job listeners now (a copy). */
    Set<String> listenedJobs() {
        return Set.copyOf(perJob.keySet());
    }

    /** Jobs with per-job listeners (for tests: it must not grow with finished jobs). */
    int jobsWithListeners() {
        return perJob.size();
    }

    /** Runs {@code task} on the event thread, after everything published before it. */
    void run(Runnable task) {
        try {
            executor.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.warn("event task failed", e);
                }
            });
        } catch (RejectedExecutionException closed) {
            task.run();
        }
    }

    private static void deliver(List<JobListener> listeners, JobEvent event) {
        for (JobListener l : listeners) {
            try {
                l.onEvent(event);
            } catch (RuntimeException | Error e) {
                // Any Error too (an assertion in a listener, say): otherwise the listeners after it
                // miss the event and a terminal event would leave the job's listener list behind.
                log.warn("listener {} failed on {} of job {}", l, event.kind(), event.jobId(), e);
            }
        }
    }

    /** Delivers what is pending (bounded wait), then stops the thread. */
    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                log.warn("event listeners still busy after 10 s; dropping pending events");
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            executor.shutdownNow();
        }
    }
}
