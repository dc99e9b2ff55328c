package dev.ttsqueue.internal;

import dev.ttsqueue.InferenceSettings;
import dev.ttsqueue.JobEvent;
import dev.ttsqueue.JobHandle;
import dev.ttsqueue.JobListener;
import dev.ttsqueue.JobNotFoundException;
import dev.ttsqueue.JobPage;
import dev.ttsqueue.JobRequest;
import dev.ttsqueue.JobSnapshot;
import dev.ttsqueue.JobStatus;
import dev.ttsqueue.QueueClosedException;
import dev.ttsqueue.QueueConfig;
import dev.ttsqueue.QueueFullException;
import dev.ttsqueue.QueueMetricsListener;
import dev.ttsqueue.QueueStatus;
import dev.ttsqueue.Subscription;
import dev.ttsqueue.WorkerActivity;
import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.spi.BackendInfo;
import dev.ttsqueue.spi.CancelOutcome;
import dev.ttsqueue.spi.Identifiers;
import dev.ttsqueue.spi.JobChangeFeed;
import dev.ttsqueue.spi.JobRecord;
import dev.ttsqueue.spi.JobStore;
import dev.ttsqueue.spi.TenantCounts;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The machinery behind {@link dev.ttsqueue.TtsJobQueue}: submission, queries, cancel and close,
 * with its parts wired together here: workers ({@link Worker}), what runs on a timer
 * ({@link Maintenance}), snapshots and ETAs ({@link Snapshots}), events, metrics and futures
 * ({@link Notifier}), the wake-up signal ({@link WakeSignal}). All job state lives in the
 * {@link JobStore}; the engine keeps only what belongs to this process (result futures of jobs
 * submitted here, jobs running here).
 */
public final class QueueEngine {
    private static final Logger log = LoggerFactory.getLogger(QueueEngine.class);

    /**
     * How long after a job was told to stop (cancelled, timed out, lease lost) a backend call that
     * has not returned counts as stuck: its worker is lost to the queue until the call returns.
     */
    public static final Duration STUCK_AFTER = Duration.ofSeconds(60);

    /** Exclusive stores with a running queue: a second queue on one would take the first one's jobs. */
    private static final Set<JobStore> EXCLUSIVE_IN_USE = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));

    private final QueueConfig cfg;
    private final JobStore store;
    private final Clock clock;
    private final BackendInfo backendInfo;
    private final ReferenceResolver references;
    private final SpeedEstimator speed = new SpeedEstimator();
    private final RunningJobs running = new RunningJobs();
    private final WakeSignal wake = new WakeSignal();
    private final EventBus events = new EventBus();
    private final MetricsListeners metrics = new MetricsListeners();
    private final Snapshots snapshots;
    private final JobAudio audio;
    private final Notifier notifier;
    private final JobPages pages;
    private final QueueReports reports;
    private final SubmitLimits limits;
    private final Subscriptions subscriptions;
    private final Maintenance maintenance;
    private final List<Worker> workers = new ArrayList<>();
    private volatile boolean accepting = true;
    /** The subscription to other processes' changes, for a shared store that offers them; else null. */
    private AutoCloseable remoteChanges;

    private QueueEngine(QueueConfig cfg) {
        this.cfg = cfg;
        this.store = cfg.store();
        this.clock = cfg.clock();
        this.backendInfo = cfg.backend().info();
        this.references = new ReferenceResolver(cfg.audioStore(), cfg.voiceBank(), cfg.transcriber(), backendInfo);
        this.snapshots = new Snapshots(store, clock, speed, running, cfg.workers());
        this.audio = new JobAudio(cfg.audioStore(), this::addListener);
        this.notifier = new Notifier(events, metrics, snapshots, audio);
        this.pages = new JobPages(store, clock, snapshots);
        this.limits = new SubmitLimits(backendInfo, cfg.maxTextLength());
        this.reports = new QueueReports(store, clock, running, cfg.workers());
        this.subscriptions = new Subscriptions(store, events, snapshots);
        this.maintenance = new Maintenance(cfg, running, notifier, wake);
        cfg.listeners().forEach(l -> events.add(null, l));
        cfg.metricsListeners().forEach(metrics::add);
    }

    /**
     * Starts a queue: recovers what a dead process left in the store, then starts the timer and
     * the workers.
     *
     * @throws IllegalStateException when {@code cfg}'s store is exclusive and already serves a queue
     */
    public static QueueEngine start(QueueConfig cfg) {
        if (cfg.store().exclusive() && !EXCLUSIVE_IN_USE.add(cfg.store())) {
            throw new IllegalStateException("Job store " + cfg.store().describe() + " is exclusive and already serves a running "
                    + "queue; give each queue its own store");
        }
        try {
            QueueEngine engine = new QueueEngine(cfg);
            // Before recovery and the first claim, so that no change of another process is missed.
            Optional<JobChangeFeed> feed = cfg.store().changeFeed();
            if (feed.isPresent()) {
                engine.remoteChanges = feed.get().subscribe(
                        new RemoteChanges(cfg.store(), engine.running, engine.notifier, engine.wake));
            }
            try {
                engine.maintenance.start();
            } catch (RuntimeException | Error e) {
                if (engine.remoteChanges != null) {
                    closeQuietly("change feed subscription", engine.remoteChanges);
                }
                throw e;
            }
            JobRuntime runtime = new JobRuntime(cfg.store(), cfg.clock(), engine.speed, engine.snapshots, engine.notifier,
                    cfg.jobTimeout(), cfg.leaseDuration());
            WorkerSetup setup = new WorkerSetup(runtime, cfg.backend(), engine.backendInfo, cfg.audioStore(), engine.references,
                    engine.running, engine.wake, cfg.maintenanceInterval(), () -> engine.accepting, cfg.warmUp());
            for (int i = 0; i < cfg.workers(); i++) {
                Worker w = new Worker(i, setup);
                engine.workers.add(w);
                w.start();
            }
            log.info("TTS queue started: backend {} on {}, {} worker(s), store {}", engine.backendInfo.name(),
                    engine.backendInfo.device(), cfg.workers(), cfg.store().describe());
            return engine;
        } catch (RuntimeException | Error e) {
            EXCLUSIVE_IN_USE.remove(cfg.store());
            throw e;
        }
    }

    public QueueConfig config() {
        return cfg;
    }

    /** The event bus (for tests: whether listener lists are dropped). */
    EventBus events() {
        return events;
    }

    // ---- submission -------------------------------------------------------------------------

    public JobHandle submit(JobRequest request) {
        if (!accepting) {
            throw new QueueClosedException("The queue is closed and takes no more jobs");
        }
        request.validate();
        limits.check(request);
        // One clock read per submit: the reference's expiry is judged at the job's creation time.
        Instant now = clock.instant();
        references.check(request, now);
        long seed = request.settings().needsRandomSeed()
                ? Math.floorMod(cfg.seedSource().getAsLong(), InferenceSettings.MAX_SEED + 1)
                : request.settings().seed();
        String id = Identifiers.newId();
        JobHandleImpl handle = new JobHandleImpl(this, id);
        notifier.track(handle);
        if (!accepting) {
            // close() began after the check above: it may already have settled the futures it
            // knew of, and this one would never complete. Once registered while still open, the
            // handle is close()'s to settle (it reads the map long after clearing the flag).
            notifier.untrack(id);
            throw new QueueClosedException("The queue is closed and takes no more jobs");
        }
        JobRecord record = JobRecord.newQueued(id, request, seed, now, cfg.fairShare().weightOf(request.tenant()));
        CompletableFuture<Optional<JobRecord>> outcome = events.hasListeners(id) ? new CompletableFuture<>() : null;
        if (outcome != null) {
            // Placed in the event order before the job can be claimed, so QUEUED always precedes
            // STARTED; the event thread waits the few microseconds until the store took or refused it.
            events.publishLazily(() -> outcome.join().map(r -> new JobEvent(JobEvent.Kind.QUEUED, snapshots.of(r), null)).orElse(null));
        }
        Optional<JobRecord> stored = Optional.empty();
        try {
            stored = store.enqueue(record, cfg.maxQueueSize());
        } catch (RuntimeException e) {
            notifier.untrack(id);
            throw e;
        } finally {
            if (outcome != null) {
                outcome.complete(stored);
            }
        }
        if (stored.isEmpty()) {
            notifier.untrack(id);
            metrics.jobRejected(request.type());
            throw new QueueFullException(cfg.maxQueueSize(), retryAfter());
        }
        wake.signal();
        metrics.jobSubmitted(request.type(), request.priority());
        handle.accepted(snapshots.of(stored.get(), now));
        return handle;
    }

    /** Until the running job nearest its end finishes (a queue slot frees then), at least 1 s; 5 s when unknown. */
    private Duration retryAfter() {
        double soonest = running.soonestEnd(clock.instant());
        if (Double.isNaN(soonest)) {
            return Duration.ofSeconds(5);
        }
        return Duration.ofMillis(Math.max(1_000, (long) Math.ceil(soonest * 1000)));
    }

    // ---- queries ----------------------------------------------------------------------------

    public JobSnapshot status(String jobId) {
        return snapshots.of(record(jobId));
    }

    private JobRecord record(String jobId) {
        if (!Identifiers.isSafe(jobId)) {
            throw new JobNotFoundException(jobId);
        }
        return store.get(jobId).orElseThrow(() -> new JobNotFoundException(jobId));
    }

    public JobHandle handle(String jobId) {
        JobHandleImpl h = notifier.handle(jobId);
        if (h != null) {
            return h;
        }
        JobRecord r = record(jobId);
        JobHandleImpl made = new JobHandleImpl(this, jobId);
        if (r.status().isTerminal()) {
            made.finish(r);
            return made;
        }
        JobHandleImpl result = notifier.trackIfAbsent(made);
        if (!accepting) {
            // close() settles only the handles it finds; nothing here would ever finish this one.
            notifier.untrack(result);
            result.abandon(new QueueClosedException("The queue is closed; job " + jobId + " will not run here"));
            return result;
        }
        // It may have finished between the read and the registration.
        JobRecord again = record(jobId);
        if (again.status().isTerminal()) {
            notifier.untrack(jobId);
            result.finish(again);
        }
        return result;
    }

    /** The job's audio as it is made; see {@link JobHandle#audio()}. */
    public Flow.Publisher<AudioClip> audio(String jobId) {
        return audio.follow(record(jobId));
    }

    public TenantCounts tenantCounts(String tenant) {
        return reports.tenantCounts(tenant);
    }

    public QueueStatus queueStatus() {
        return reports.queueStatus();
    }

    /** Jobs per state, every state present: the store's counters, nothing listed. */
    public Map<JobStatus, Long> jobCounts() {
        return reports.jobCounts();
    }

    /** Workers of this process whose backend call has not returned {@link #STUCK_AFTER} after their job was told to stop. */
    public int stuckWorkers() {
        return reports.stuckWorkers();
    }

    /** This process's workers, in order, each with the jobs it runs now: O(workers + running jobs). */
    public List<WorkerActivity> workerActivity() {
        return reports.workerActivity(workers);
    }

    /**
     * One page of jobs, newest first.
     *
     * @param cursor null for the first page, else the {@link JobPage#nextCursor()} of the previous one
     */
    public JobPage list(JobStatus status, int limit, String cursor) {
        return pages.page(status, limit, cursor);
    }

    public Subscription addMetricsListener(QueueMetricsListener listener) {
        return metrics.add(listener);
    }

    public Subscription addListener(String jobId, JobListener listener) {
        return subscriptions.add(jobId, listener);
    }

    public BackendInfo backendInfo() {
        return backendInfo;
    }

    /** The effective text limit (0 = none): the smaller of the configured one and the backend's. */
    public int maxTextLength() {
        return limits.maxTextLength();
    }

    public boolean isOpen() {
        return accepting;
    }

    // ---- cancel and cleanup ------------------------------------------------------------------

    public boolean cancel(String jobId) {
        if (!Identifiers.isSafe(jobId)) {
            throw new JobNotFoundException(jobId);
        }
        CancelOutcome outcome = store.requestCancel(jobId, clock.instant());
        switch (outcome) {
            case NOT_FOUND -> throw new JobNotFoundException(jobId);
            case ALREADY_FINISHED -> {
                return false;
            }
            case CANCELLED -> {
                store.get(jobId).ifPresent(r -> notifier.finished(r, JobEvent.Kind.CANCELLED));
                return true;
            }
            case CANCEL_REQUESTED -> {
                RunningJob rj = running.get(jobId);
                if (rj != null) {
                    rj.requestCancel();
                }
                return true;
            }
            default -> throw new IllegalStateException(outcome.name());
        }
    }

    public int cleanup(Duration maxAge) {
        return maintenance.cleanup(maxAge);
    }

    // ---- shutdown ----------------------------------------------------------------------------

    public void close() {
        synchronized (this) {
            // The first call owns the whole shutdown; checking a flag it clears only near the end
            // let a concurrent second call close the backend and the stores a second time.
            if (!accepting) {
                return;
            }
            accepting = false;
        }
        wake.signal();
        long deadline = System.nanoTime() + cfg.closeGracePeriod().toNanos();
        for (Worker w : workers) {
            w.joinUntil(deadline);
        }
        if (!running.isEmpty()) {
            log.warn("closing: stopping {} running job(s) after the {} grace period; they go back to the queue",
                    running.size(), cfg.closeGracePeriod());
            running.all().forEach(RunningJob::stopForClose);
        }
        for (Worker w : workers) {
            w.joinUntil(System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
            if (w.isAlive()) {
                log.warn("worker {} did not stop within 10 s of being told to; its backend call is stuck", w.getName());
            }
        }
        maintenance.close();
        if (remoteChanges != null) {
            closeQuietly("change feed subscription", remoteChanges);
        }
        audio.close();
        notifier.abandonAll();
        events.close();
        closeQuietly("backend", cfg.backend());
        if (cfg.transcriber() instanceof AutoCloseable transcriber) {
            closeQuietly("transcriber", transcriber);
        }
        closeQuietly("job store", store);
        EXCLUSIVE_IN_USE.remove(store);
        closeQuietly("audio store", cfg.audioStore());
    }

    private static void closeQuietly(String what, AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            log.warn("closing the {} failed: {}", what, e.toString());
        }
    }
}
