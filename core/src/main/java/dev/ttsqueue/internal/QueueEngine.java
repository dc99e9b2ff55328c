package dev.ttsqueue.internal;

import dev.ttsqueue.InvalidRequestException;
import dev.ttsqueue.JobCancelledException;
import dev.ttsqueue.JobEvent;
import dev.ttsqueue.JobFailedException;
import dev.ttsqueue.JobHandle;
import dev.ttsqueue.JobListener;
import dev.ttsqueue.JobNotFoundException;
import dev.ttsqueue.JobRequest;
import dev.ttsqueue.JobSnapshot;
import dev.ttsqueue.JobStatus;
import dev.ttsqueue.QueueClosedException;
import dev.ttsqueue.QueueFullException;
import dev.ttsqueue.QueueMetricsListener;
import dev.ttsqueue.JobPage;
import dev.ttsqueue.QueueStatus;
import dev.ttsqueue.StoreUnavailableException;
import dev.ttsqueue.Subscription;
import dev.ttsqueue.SynthesisResult;
import dev.ttsqueue.spi.AudioStore;
import dev.ttsqueue.spi.BackendInfo;
import dev.ttsqueue.spi.CancelOutcome;
import dev.ttsqueue.spi.Identifiers;
import dev.ttsqueue.spi.JobChangeFeed;
import dev.ttsqueue.spi.JobRecord;
import dev.ttsqueue.spi.JobStore;
import dev.ttsqueue.spi.QueuePlace;
import dev.ttsqueue.spi.Transcriber;
import dev.ttsqueue.spi.TtsBackend;
import dev.ttsqueue.spi.VoiceBank;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The machinery behind {@link dev.ttsqueue.TtsJobQueue}: submission checks, workers, events,
 * leases, timeouts and retention. All job state lives in the {@link JobStore}; this class only
 * keeps what belongs to this process (result futures of jobs submitted here, jobs running here).
 */
public final class QueueEngine {
    private static final Logger log = LoggerFactory.getLogger(QueueEngine.class);

    /** Everything the builder collected. */
    public record Config(TtsBackend backend, JobStore store, AudioStore audioStore, VoiceBank voiceBank,
            Transcriber transcriber, int workers, int maxQueueSize, int maxTextLength, Duration jobTimeout,
            Duration leaseDuration, Duration maintenanceInterval, Duration closeGracePeriod, Duration retentionMaxAge,
            Duration retentionInterval, int maxAttempts, Clock clock, LongSupplier seedSource, List<JobListener> listeners,
            List<QueueMetricsListener> metricsListeners) {
    }

    /**
     * How long after a job was told to stop (cancelled, timed out, lease lost) a backend call that
     * has not returned counts as stuck: its worker is lost to the queue until the call returns.
     */
    public static final Duration STUCK_AFTER = Duration.ofSeconds(60);

    final Config cfg;
    final JobStore store;
    final Clock clock;
    final BackendInfo backendInfo;
    final EventBus events = new EventBus();
    final SpeedEstimator speed = new SpeedEstimator();
    final MetricsListeners metrics = new MetricsListeners();
    final ReferenceResolver references;
    /** Futures of jobs not yet finished, by id; removed at the terminal event so finished jobs cost no heap here. */
    final Map<String, JobHandleImpl> handles = new ConcurrentHashMap<>();
    /** Jobs running in this process, by id. */
    final Map<String, RunningJob> running = new ConcurrentHashMap<>();

    private final List<Worker> workers = new ArrayList<>();
    private final ScheduledExecutorService maintenance;
    private final ReentrantLock wakeLock = new ReentrantLock();
    private final Condition wake = wakeLock.newCondition();
    private final AtomicLong wakeVersion = new AtomicLong();
    private final AtomicInteger waiters = new AtomicInteger();
    private volatile boolean accepting = true;
    private Instant lastRetention;
    /** The subscription to other processes' changes, for a shared store that offers them; else null. */
    private AutoCloseable remoteChanges;

    private QueueEngine(Config cfg) {
        this.cfg = cfg;
        this.store = cfg.store();
        this.clock = cfg.clock();
        this.backendInfo = cfg.backend().info();
        this.references = new ReferenceResolver(cfg.audioStore(), cfg.voiceBank(), cfg.transcriber(), backendInfo);
        cfg.listeners().forEach(l -> events.add(null, l));
        cfg.metricsListeners().forEach(metrics::add);
        this.maintenance = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ttsq-maintenance");
            t.setDaemon(true);
            return t;
        });
    }

    /** Exclusive stores with a running queue: a second queue on one would take the first one's jobs. */
    private static final java.util.Set<JobStore> EXCLUSIVE_IN_USE =
            java.util.Collections.synchronizedSet(java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));

    public static QueueEngine start(Config cfg) {
        if (cfg.store().exclusive() && !EXCLUSIVE_IN_USE.add(cfg.store())) {
            throw new IllegalStateException("Job store " + cfg.store().describe() + " is exclusive and already serves a running "
                    + "queue; give each queue its own store");
        }
        try {
            return startOn(cfg);
        } catch (RuntimeException | Error e) {
            EXCLUSIVE_IN_USE.remove(cfg.store());
            throw e;
        }
    }

    private static QueueEngine startOn(Config cfg) {
        QueueEngine engine = new QueueEngine(cfg);
        engine.lastRetention = cfg.clock().instant();
        // Before recovery and the first claim, so that no change of another process is missed.
        Optional<JobChangeFeed> feed = cfg.store().changeFeed();
        if (feed.isPresent()) {
            engine.remoteChanges = feed.get().subscribe(new RemoteChanges(engine));
        }
        // Jobs a dead process left behind are recovered before the first claim: on a store no
        // other process can use, every job still processing is such a job and runs again now;
        // on a shared one, only those whose lease ended (the others may have a live worker).
        try {
            if (cfg.store().exclusive()) {
                engine.recoverHeld();
            } else {
                engine.recoverExpired();
            }
        } catch (RuntimeException | Error e) {
            if (engine.remoteChanges != null) {
                closeQuietly("change feed subscription", engine.remoteChanges);
            }
            throw e;
        }
        long period = cfg.maintenanceInterval().toMillis();
        engine.maintenance.scheduleWithFixedDelay(engine::maintain, period, period, TimeUnit.MILLISECONDS);
        for (int i = 0; i < cfg.workers(); i++) {
            Worker w = new Worker(engine, "ttsq-worker-" + i);
            engine.workers.add(w);
            w.start();
        }
        log.info("TTS queue started: backend {} on {}, {} worker(s), store {}", engine.backendInfo.name(),
                engine.backendInfo.device(), cfg.workers(), cfg.store().describe());
        return engine;
    }

    // ---- submission -------------------------------------------------------------------------

    public JobHandle submit(JobRequest request) {
        if (!accepting) {
            throw new QueueClosedException("The queue is closed and takes no more jobs");
        }
        request.validate();
        checkAgainstBackend(request);
        // One clock read per submit: the reference's expiry is judged at the job's creation time.
        Instant now = clock.instant();
        references.check(request, now);
        long seed = request.settings().needsRandomSeed()
                ? Math.floorMod(cfg.seedSource().getAsLong(), dev.ttsqueue.InferenceSettings.MAX_SEED + 1)
                : request.settings().seed();
        String id = Identifiers.newId();
        JobHandleImpl handle = new JobHandleImpl(this, id);
        handles.put(id, handle);
        if (!accepting) {
            // close() began after the check above: it may already have settled the futures it
            // knew of, and this one would never complete. Once registered while still open, the
            // handle is close()'s to settle (it reads the map long after clearing the flag).
            handles.remove(id);
            throw new QueueClosedException("The queue is closed and takes no more jobs");
        }
        JobRecord record = JobRecord.newQueued(id, request, seed, now);
        java.util.concurrent.CompletableFuture<Optional<JobRecord>> outcome =
                events.hasListeners(id) ? new java.util.concurrent.CompletableFuture<>() : null;
        if (outcome != null) {
            // Placed in the event order before the job can be claimed, so QUEUED always precedes
            // STARTED; the event thread waits the few microseconds until the store took or refused it.
            events.publishLazily(() -> outcome.join().map(r -> new JobEvent(JobEvent.Kind.QUEUED, snapshot(r), null)).orElse(null));
        }
        Optional<JobRecord> stored = Optional.empty();
        try {
            stored = store.enqueue(record, cfg.maxQueueSize());
        } catch (RuntimeException e) {
            handles.remove(id);
            throw e;
        } finally {
            if (outcome != null) {
                outcome.complete(stored);
            }
        }
        if (stored.isEmpty()) {
            handles.remove(id);
            metrics.jobRejected(request.type());
            throw new QueueFullException(cfg.maxQueueSize(), retryAfter());
        }
        signalWorkers();
        metrics.jobSubmitted(request.type(), request.priority());
        handle.accepted(snapshot(stored.get(), now, store.queuePlace(stored.get())));
        return handle;
    }

    private void checkAgainstBackend(JobRequest request) {
        int nfe = request.settings().nfeStep();
        if (!backendInfo.supportedNfeSteps().isEmpty() && !backendInfo.supportedNfeSteps().contains(nfe)) {
            throw new InvalidRequestException("nfe_step " + nfe + " is not available: this model was exported for "
                    + backendInfo.supportedNfeSteps().stream().sorted().map(String::valueOf)
                            .reduce((a, b) -> a + ", " + b).orElse(""));
        }
        int limit = maxTextLength();
        if (limit > 0 && request.text().length() > limit) {
            throw new InvalidRequestException("Text is too long: " + request.text().length()
                    + " characters (limit " + limit + ")");
        }
    }

    private static int positiveOrMax(int v) {
        return v > 0 ? v : Integer.MAX_VALUE;
    }

    /** Until the running job nearest its end finishes (a queue slot frees then), at least 1 s; 5 s when unknown. */
    private Duration retryAfter() {
        Instant now = clock.instant();
        double soonest = Double.NaN;
        for (RunningJob rj : running.values()) {
            double left = rj.secondsLeft(now);
            if (!Double.isNaN(left) && (Double.isNaN(soonest) || left < soonest)) {
                soonest = left;
            }
        }
        if (Double.isNaN(soonest)) {
            return Duration.ofSeconds(5);
        }
        return Duration.ofMillis(Math.max(1_000, (long) Math.ceil(soonest * 1000)));
    }

    /**
     * Wakes idle workers. Lock-free unless a worker is waiting: a worker registers as waiter before
     * it re-reads the version, so a submit that bumps the version afterwards always sees it.
     */
    void signalWorkers() {
        wakeVersion.incrementAndGet();
        if (waiters.get() > 0) {
            wakeLock.lock();
            try {
                wake.signalAll();
            } finally {
                wakeLock.unlock();
            }
        }
    }

    long wakeVersion() {
        return wakeVersion.get();
    }

    /** Waits until something was submitted after {@code seenVersion}, or the poll interval passed (other nodes may enqueue). */
    void awaitWork(long seenVersion) throws InterruptedException {
        wakeLock.lock();
        waiters.incrementAndGet();
        try {
            long nanos = cfg.maintenanceInterval().toNanos();
            while (accepting && wakeVersion.get() == seenVersion && nanos > 0) {
                nanos = wake.awaitNanos(nanos);
            }
        } finally {
            waiters.decrementAndGet();
            wakeLock.unlock();
        }
    }

    boolean takingWork() {
        return accepting;
    }

    // ---- queries ----------------------------------------------------------------------------

    public JobSnapshot status(String jobId) {
        return snapshot(record(jobId));
    }

    JobRecord record(String jobId) {
        if (!Identifiers.isSafe(jobId)) {
            throw new JobNotFoundException(jobId);
        }
        return store.get(jobId).orElseThrow(() -> new JobNotFoundException(jobId));
    }

    public JobHandle handle(String jobId) {
        JobHandleImpl h = handles.get(jobId);
        if (h != null) {
            return h;
        }
        JobRecord r = record(jobId);
        JobHandleImpl made = new JobHandleImpl(this, jobId);
        if (r.status().isTerminal()) {
            made.finish(r);
            return made;
        }
        JobHandleImpl raced = handles.putIfAbsent(jobId, made);
        JobHandleImpl result = raced != null ? raced : made;
        if (!accepting) {
            // close() settles only the handles it finds; nothing here would ever finish this one.
            handles.remove(jobId, result);
            result.abandon(new QueueClosedException("The queue is closed; job " + jobId + " will not run here"));
            return result;
        }
        // It may have finished between the read and the registration.
        JobRecord again = record(jobId);
        if (again.status().isTerminal()) {
            handles.remove(jobId);
            result.finish(again);
        }
        return result;
    }

    JobSnapshot snapshot(JobRecord r) {
        QueuePlace place = r.status() == JobStatus.QUEUED ? store.queuePlace(r) : QueuePlace.NOT_QUEUED;
        return snapshot(r, clock.instant(), place);
    }

    JobSnapshot snapshot(JobRecord r, Instant now, QueuePlace place) {
        Instant eta = switch (r.status()) {
            case QUEUED -> queuedEta(r, now, place);
            case PROCESSING -> runningEta(r, now);
            default -> null;
        };
        // A job put back after a lost lease keeps its last start in the store; the snapshot promises none while queued.
        Instant started = r.status() == JobStatus.QUEUED ? null : r.startedAt();
        return new JobSnapshot(r.id(), r.type(), r.status(), r.priority(), r.createdAt(), started, r.completedAt(),
                r.progress(), eta, place.position(), r.error(), r.result(), r.attempts(), r.request());
    }

    /** A job running here is estimated from its live pace; one running elsewhere from its last report. */
    private Instant runningEta(JobRecord r, Instant now) {
        RunningJob rj = running.get(r.id());
        if (rj != null && rj.token == r.fencingToken()) {
            Instant live = SpeedEstimator.plusSeconds(now, rj.secondsLeft(now));
            return live != null ? live : r.estimatedCompletion();
        }
        return r.estimatedCompletion();
    }

    /**
     * ETA of a queued job: what the running jobs still need, plus the jobs ahead of it (a cost per
     * job and per character of their text, from the speed model) spread over the workers, then its
     * own run. Null until a job has finished here, since nothing says yet how fast this device is.
     */
    private Instant queuedEta(JobRecord r, Instant now, QueuePlace place) {
        if (!place.isQueued() || !speed.knowsJobs()) {
            return null;
        }
        double runningLeft = 0;
        for (RunningJob rj : running.values()) {
            double left = rj.secondsLeft(now);
            if (!Double.isNaN(left)) {
                runningLeft += left;
            }
        }
        long jobsAhead = place.position() - 1L;
        long workAhead = place.workAhead() >= 0 ? place.workAhead()
                : Math.round(jobsAhead * speed.averageWork()); // a store that cannot add up work
        double ahead = (runningLeft + speed.secondsFor(jobsAhead, workAhead)) / cfg.workers();
        return SpeedEstimator.plusSeconds(now, ahead + speed.secondsFor(r.work()));
    }

    public QueueStatus queueStatus() {
        Map<JobStatus, Long> counts = store.counts();
        long total = counts.values().stream().mapToLong(Long::longValue).sum();
        List<String> runningIds = store.list(JobStatus.PROCESSING, 100).stream().map(JobRecord::id).toList();
        return new QueueStatus(counts.getOrDefault(JobStatus.QUEUED, 0L), total, counts, runningIds, cfg.workers(), stuckWorkers());
    }

    /** Workers of this process whose backend call outlived its job by {@link #STUCK_AFTER}. */
    int stuckWorkers() {
        Instant now = clock.instant();
        java.util.Set<String> stuck = new java.util.HashSet<>();
        for (RunningJob rj : running.values()) {
            if (rj.stuck(now, STUCK_AFTER)) {
                stuck.add(rj.worker());
            }
        }
        return stuck.size();
    }

    /** Longest page {@link #list} returns. */
    public static final int MAX_PAGE = 1_000;

    /**
     * One page of jobs, newest first: O(log n + limit) in the store, and O(log n) more for each
     * queued job's place.
     *
     * @param cursor null for the first page, else the {@link JobPage#nextCursor()} of the previous one
     */
    public JobPage list(JobStatus status, int limit, String cursor) {
        if (limit < 1 || limit > MAX_PAGE) {
            throw new InvalidRequestException("limit must be between 1 and " + MAX_PAGE);
        }
        long before = sequenceOf(cursor);
        // One more than asked, to know whether another page follows without a second query.
        List<JobRecord> records = store.list(status, before, limit + 1);
        boolean more = records.size() > limit;
        if (more) {
            records = records.subList(0, limit);
        }
        Instant now = clock.instant();
        List<JobSnapshot> page = new ArrayList<>(records.size());
        for (JobRecord r : records) {
            page.add(snapshot(r, now, r.status() == JobStatus.QUEUED ? store.queuePlace(r) : QueuePlace.NOT_QUEUED));
        }
        String next = more ? Long.toString(records.get(records.size() - 1).sequence(), 36) : null;
        return new JobPage(page, next);
    }

    /** The sequence a cursor stands for: jobs below it come next. */
    private static long sequenceOf(String cursor) {
        if (cursor == null || cursor.isEmpty()) {
            return Long.MAX_VALUE;
        }
        try {
            long sequence = Long.parseLong(cursor, 36);
            if (sequence > 0 && cursor.length() <= 13) {
                return sequence;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new InvalidRequestException("cursor is not one that a job listing gave");
    }

    public Subscription addMetricsListener(QueueMetricsListener listener) {
        return metrics.add(listener);
    }

    public Subscription addListener(String jobId, JobListener listener) {
        Subscription subscription = events.add(jobId, listener);
        if (jobId == null) {
            return subscription;
        }
        // A job that already ended (or never existed) gets no terminal event here any more, so its
        // listener list would stay forever. Its terminal state was stored before its event was
        // published, so reading the store after registering misses no job that is still running.
        Optional<JobRecord> r;
        try {
            r = Identifiers.isSafe(jobId) ? store.get(jobId) : Optional.empty();
        } catch (RuntimeException e) {
            subscription.close();
            throw e;
        }
        if (r.isEmpty()) {
            events.endJob(jobId, null);
        } else if (r.get().status().isTerminal()) {
            events.endJob(jobId, new JobEvent(terminalKind(r.get().status()), snapshot(r.get()), null));
        }
        return subscription;
    }

    private static JobEvent.Kind terminalKind(JobStatus status) {
        return switch (status) {
            case COMPLETED -> JobEvent.Kind.COMPLETED;
            case FAILED -> JobEvent.Kind.FAILED;
            case CANCELLED -> JobEvent.Kind.CANCELLED;
            default -> throw new IllegalArgumentException(status + " is not terminal");
        };
    }

    public BackendInfo backendInfo() {
        return backendInfo;
    }

    public AudioStore audioStore() {
        return cfg.audioStore();
    }

    public VoiceBank voiceBank() {
        return cfg.voiceBank();
    }

    public String storeDescription() {
        return store.describe();
    }

    public int workers() {
        return cfg.workers();
    }

    /** The effective text limit (0 = none). */
    public int maxTextLength() {
        int limit = Math.min(positiveOrMax(cfg.maxTextLength()), positiveOrMax(backendInfo.maxTextLength()));
        return limit == Integer.MAX_VALUE ? 0 : limit;
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
                store.get(jobId).ifPresent(r -> finished(r, JobEvent.Kind.CANCELLED));
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
        Instant now = clock.instant();
        List<JobRecord> removed = store.purgeFinishedBefore(now.minus(maxAge));
        for (JobRecord r : removed) {
            if (r.result() != null && r.result().outputFileId() != null) {
                try {
                    cfg.audioStore().delete(r.result().outputFileId());
                } catch (Exception e) {
                    log.warn("could not delete output audio {} of job {}: {}", r.result().outputFileId(), r.id(), e.toString());
                }
            }
        }
        try {
            cfg.audioStore().purgeExpired(now);
        } catch (Exception e) {
            log.warn("could not purge expired audio: {}", e.toString());
        }
        if (!removed.isEmpty()) {
            log.info("cleanup removed {} finished job(s) older than {}", removed.size(), maxAge);
        }
        return removed.size();
    }

    // ---- events and completion ---------------------------------------------------------------

    void publish(JobEvent.Kind kind, JobRecord record, dev.ttsqueue.JobProgress progress) {
        if (events.hasListeners(record.id())) {
            events.publish(new JobEvent(kind, snapshot(record), progress));
        }
    }

    /** A job reached a terminal state: tell listeners, then complete its future (on the event thread, in that order). */
    void finished(JobRecord record, JobEvent.Kind kind) {
        metrics.jobFinished(record);
        publish(kind, record, null);
        JobHandleImpl h = handles.remove(record.id());
        if (h != null) {
            events.run(() -> h.finish(record));
        }
    }

    static Throwable failureOf(JobRecord r) {
        return switch (r.status()) {
            case FAILED -> new JobFailedException(r.id(), r.error());
            case CANCELLED -> new JobCancelledException(r.id());
            default -> new IllegalStateException("job " + r.id() + " is " + r.status());
        };
    }

    // ---- maintenance -------------------------------------------------------------------------

    private void maintain() {
        try {
            Instant now = clock.instant();
            for (RunningJob rj : running.values()) {
                rj.maintain(now);
            }
            recoverExpired();
            if (cfg.retentionMaxAge() != null && !now.isBefore(lastRetention.plus(cfg.retentionInterval()))) {
                lastRetention = now;
                cleanup(cfg.retentionMaxAge());
            }
        } catch (StoreUnavailableException e) {
            // Expected while a shared store's server is down; the pass runs again in a second.
            log.warn("maintenance pass skipped: {}", e.getMessage());
        } catch (RuntimeException | Error e) {
            // An exception leaving a periodic task cancels it for good: timeouts, lease renewals
            // and recovery would silently stop. Whatever a store plugin throws, retry next pass.
            log.error("maintenance pass failed; will retry", e);
        }
    }

    private void recoverExpired() {
        recovered(store.recoverExpiredLeases(clock.instant(), cfg.maxAttempts()), "lease expired");
    }

    private void recoverHeld() {
        recovered(store.recoverAllHeld(clock.instant(), cfg.maxAttempts()), "still running at start, and no other process uses this store");
    }

    private void recovered(List<JobRecord> changed, String why) {
        boolean requeued = false;
        for (JobRecord r : changed) {
            switch (r.status()) {
                case QUEUED -> {
                    requeued = true;
                    log.warn("job {} lost its worker ({}); queued again, attempt {} of {}", r.id(), why, r.attempts(), cfg.maxAttempts());
                    publish(JobEvent.Kind.QUEUED, r, null);
                }
                case FAILED -> {
                    log.warn("job {} lost its worker {} times; failed", r.id(), r.attempts());
                    finished(r, JobEvent.Kind.FAILED);
                }
                case CANCELLED -> finished(r, JobEvent.Kind.CANCELLED);
                default -> {
                }
            }
        }
        if (requeued) {
            signalWorkers();
        }
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
        signalWorkers();
        long graceNanos = cfg.closeGracePeriod().toNanos();
        long deadline = System.nanoTime() + graceNanos;
        for (Worker w : workers) {
            w.joinUntil(deadline);
        }
        if (!running.isEmpty()) {
            log.warn("closing: cancelling {} running job(s) after the {} grace period", running.size(), cfg.closeGracePeriod());
            running.values().forEach(RunningJob::requestCancel);
        }
        for (Worker w : workers) {
            w.joinUntil(System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
            if (w.isAlive()) {
                log.warn("worker {} did not stop within 10 s of cancellation; its backend call is stuck", w.getName());
            }
        }
        maintenance.shutdownNow();
        if (remoteChanges != null) {
            closeQuietly("change feed subscription", remoteChanges);
        }
        for (JobHandleImpl h : List.copyOf(handles.values())) {
            handles.remove(h.id());
            events.run(() -> h.abandon(new QueueClosedException("The queue was closed before job " + h.id() + " finished")));
        }
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
