package dev.ttsqueue;

import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.internal.QueueEngine;
import dev.ttsqueue.spi.AudioKind;
import dev.ttsqueue.spi.AudioStore;
import dev.ttsqueue.spi.BackendInfo;
import dev.ttsqueue.spi.JobStore;
import dev.ttsqueue.spi.TenantCounts;
import dev.ttsqueue.spi.ModelState;
import dev.ttsqueue.spi.Transcriber;
import dev.ttsqueue.spi.TtsBackend;
import dev.ttsqueue.spi.VoiceBank;
import dev.ttsqueue.store.InMemoryAudioStore;
import dev.ttsqueue.store.InMemoryJobStore;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;

/**
 * A queue of text-to-speech jobs in front of one model: jobs run one at a time per worker (one
 * worker per GPU; a backend that declares a batch size gets up to that many queued jobs at once),
 * higher priority first and in submission order within a priority.
 *
 * <pre>{@code
 * try (TtsJobQueue queue = TtsJobQueue.builder().backend(backend).build()) {
 *     JobHandle job = queue.submit(JobRequest.voiceCloning(audioId, "Hello there").priority(1));
 *     job.onProgress(p -> log.info("{}% eta {}", p.percent(), p.estimatedCompletion()));
 *     SynthesisResult r = job.result().join();
 * }
 * }</pre>
 *
 * <p>Finished jobs and their output audio are deleted after {@link #DEFAULT_RETENTION} (24 h)
 * unless the builder says otherwise ({@link Builder#retention}, {@link Builder#keepFinishedJobs}):
 * read or copy a result's audio within that time. After it, {@link #status}, {@link #result} and
 * {@link #handle} answer {@link JobNotFoundException}, whatever the store.
 *
 * <p>The operations callers use are those of {@link JobQueue}, which the remote client of the REST
 * server ({@code TtsQueueClient}) implements too.
 *
 * <p>Threads: workers are named {@code ttsq-worker-N}; listeners and result futures run on
 * {@code ttsq-events}; leases, timeouts and retention run on {@code ttsq-maintenance}. All public
 * methods are thread-safe.
 */
public final class TtsJobQueue implements JobQueue {

    /** How long finished jobs are kept unless the builder says otherwise. */
    public static final Duration DEFAULT_RETENTION = Duration.ofHours(24);

    private final QueueEngine engine;
    private final TtsBackend backend;

    private TtsJobQueue(QueueEngine engine, TtsBackend backend) {
        this.engine = engine;
        this.backend = backend;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** How this queue runs, as its builder set it up (defaults filled in). */
    public QueueConfig config() {
        return engine.config();
    }

    /**
     * Validates and queues a job.
     *
     * @throws InvalidRequestException for bad text or settings, an NFE step the backend lacks, a
     *     missing reference transcript the backend needs
     * @throws ReferenceNotFoundException when the audio file or voice does not exist
     * @throws QueueFullException when {@code maxQueueSize} jobs are already waiting
     * @throws QueueClosedException after {@link #close()} started
     */
    @Override
    public JobHandle submit(JobRequest request) {
        return engine.submit(Objects.requireNonNull(request, "request"));
    }

    /** @throws JobNotFoundException for an unknown id */
    @Override
    public JobSnapshot status(String jobId) {
        return engine.status(Objects.requireNonNull(jobId, "jobId"));
    }

    /**
     * The result of a completed job.
     *
     * @throws JobNotFoundException for an unknown id
     * @throws JobNotCompletedException when it is not (yet) completed
     */
    @Override
    public SynthesisResult result(String jobId) {
        JobSnapshot s = engine.status(Objects.requireNonNull(jobId, "jobId"));
        if (s.status() != JobStatus.COMPLETED) {
            throw new JobNotCompletedException(s.status());
        }
        return s.result();
    }

    /** A handle for a job this queue knows, submitted by anyone (also before a restart). */
    @Override
    public JobHandle handle(String jobId) {
        return engine.handle(Objects.requireNonNull(jobId, "jobId"));
    }

    @Override
    public QueueStatus queueStatus() {
        return engine.queueStatus();
    }

    /**
     * Jobs per state, every state present (zero included), from the counters the store keeps: unlike
     * {@link #queueStatus()} it lists no job, so it costs the same at any queue length (for metrics
     * read on every scrape).
     *
     * @throws StoreUnavailableException when a shared store cannot be reached
     */
    public Map<JobStatus, Long> jobCounts() {
        return engine.jobCounts();
    }

    /** {@link QueueStatus#stuckWorkers()} alone, read from this process without asking the store. */
    public int stuckWorkers() {
        return engine.stuckWorkers();
    }

    /**
     * How many jobs of {@code tenant} wait and run now, from counters the store keeps (O(1) or
     * O(log n), also with a long queue): what a per-tenant quota is checked against. On a shared
     * store the counts include every node's jobs. A check followed by a submit is not atomic:
     * concurrent submits of one tenant may both pass a limit by one.
     *
     * @param tenant a tenant name; null or empty for the anonymous tenant
     * @throws InvalidRequestException when {@code tenant} is not a valid tenant name
     */
    public TenantCounts tenantCounts(String tenant) {
        return engine.tenantCounts(tenant);
    }

    /**
     * Cancels a job: a queued job never starts; a running job stops at its next step.
     *
     * @return true when the job was queued or running; false when it had already finished
     * @throws JobNotFoundException for an unknown id
     */
    @Override
    public boolean cancel(String jobId) {
        return engine.cancel(Objects.requireNonNull(jobId, "jobId"));
    }

    /**
     * Deletes finished jobs (completed, failed, cancelled) older than {@code maxAge}, with their
     * output audio, and expired uploads.
     *
     * @return how many jobs were deleted
     */
    @Override
    public int cleanup(Duration maxAge) {
        return engine.cleanup(maxAge);
    }

    /**
     * Jobs newest first.
     *
     * @param status only jobs in this state; null for all
     * @param limit at most this many (1–1,000)
     */
    @Override
    public List<JobSnapshot> list(JobStatus status, int limit) {
        return engine.list(status, limit, null).jobs();
    }

    /**
     * One page of jobs, newest first. Each page costs O(log n + limit), however many jobs the
     * store holds; jobs submitted after the first page was read do not appear in later pages.
     *
     * @param status only jobs in this state; null for all
     * @param limit at most this many (1–1,000)
     * @param cursor null for the first page; then the previous page's {@link JobPage#nextCursor()}
     * @throws InvalidRequestException for a limit out of range or a cursor no listing gave
     */
    @Override
    public JobPage list(JobStatus status, int limit, String cursor) {
        return engine.list(status, limit, cursor);
    }

    /**
     * Adds a listener for metrics: it is told of every job's milestones (submitted, refused,
     * started, finished) on the thread where they happen, with no snapshot built for it.
     */
    public Subscription addMetricsListener(QueueMetricsListener listener) {
        return engine.addMetricsListener(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Listens to every job's events (see {@link JobListener} for the thread model). Each event
     * carries a {@link JobSnapshot}, built for it on the event thread: for counts and timings,
     * a {@link QueueMetricsListener} costs less.
     */
    public Subscription addListener(JobListener listener) {
        return engine.addListener(null, listener);
    }

    /**
     * Listens to one job's events; nothing more arrives after its terminal event. For a job that
     * already finished, the listener gets its terminal event once, at once; for an unknown id,
     * nothing.
     */
    @Override
    public Subscription subscribe(String jobId, JobListener listener) {
        return engine.addListener(Objects.requireNonNull(jobId, "jobId"), Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Saves {@code clip} in the queue's {@link #audioStore()} as an upload, which expires like any
     * upload; same as {@code audioStore().save(AudioKind.UPLOAD, clip).id()}.
     */
    @Override
    public String uploadReference(AudioClip clip) throws IOException {
        return engine.config().audioStore().save(AudioKind.UPLOAD, Objects.requireNonNull(clip, "clip")).id();
    }

    /** Decodes a job's output audio. */
    @Override
    public AudioClip readOutput(String outputFileId) throws IOException {
        return engine.config().audioStore().load(outputFileId);
    }

    public BackendInfo backendInfo() {
        return engine.backendInfo();
    }

    /** Whether the backend's model is loaded now, as the backend itself reports it ({@link TtsBackend#modelState()}). */
    public ModelState modelState() {
        return backend.modelState();
    }

    public AudioStore audioStore() {
        return engine.config().audioStore();
    }

    public VoiceBank voiceBank() {
        return engine.config().voiceBank();
    }

    /** Short description of the job store (for health output). */
    public String storeDescription() {
        return engine.config().store().describe();
    }

    public int workers() {
        return engine.config().workers();
    }

    /**
     * This process's workers and the jobs each runs now. Workers of other processes sharing the
     * store are not included (their jobs are in {@link QueueStatus#runningJobs()}).
     */
    public List<WorkerActivity> workerActivity() {
        return engine.workerActivity();
    }

    /** Longest text {@link #submit} accepts, in characters: the smaller of the builder's and the backend's limit; 0 = none. */
    public int maxTextLength() {
        return engine.maxTextLength();
    }

    /** True until {@link #close()} is called. */
    @Override
    public boolean isOpen() {
        return engine.isOpen();
    }

    /**
     * Stops taking jobs, lets running jobs finish for the grace period, then stops them at their
     * next step and gives them back to the queue in their old place, attempts kept (a job whose
     * cancel was asked is cancelled instead): they were accepted, so a durable store runs them
     * after a restart, and another node of a shared store at once. Jobs still queued stay queued.
     * Futures of jobs that did not finish complete with {@link QueueClosedException}. Then the
     * backend and the stores are closed. A backend call that still has not returned 10 s after it
     * was told to stop is logged and left behind: close() goes on and closes the backend and
     * stores under it. Idempotent; a call made while another is shutting down returns at once.
     */
    @Override
    public void close() {
        engine.close();
    }

    /** Builds a {@link TtsJobQueue}. Only {@link #backend} is required. */
    public static final class Builder {
        TtsBackend backend;
        JobStore store;
        AudioStore audioStore;
        VoiceBank voiceBank;
        Transcriber transcriber;
        int workers = 1;
        int maxQueueSize = 10_000;
        int maxTextLength = 0;
        Duration jobTimeout = Duration.ofMinutes(10);
        Duration leaseDuration = Duration.ofSeconds(30);
        Duration maintenanceInterval = Duration.ofSeconds(1);
        Duration closeGracePeriod = Duration.ofSeconds(30);
        Duration retentionMaxAge = DEFAULT_RETENTION;
        Duration retentionInterval = Duration.ofMinutes(10);
        Duration warmUp = Duration.ZERO;
        int maxAttempts = 3;
        FairShare fairShare = FairShare.EQUAL;
        Clock clock = Clock.systemUTC();
        LongSupplier seedSource;
        final List<JobListener> listeners = new ArrayList<>();
        final List<QueueMetricsListener> metricsListeners = new ArrayList<>();

        private Builder() {
        }

        /** The model. Required. The queue closes it on {@link TtsJobQueue#close()}. */
        public Builder backend(TtsBackend value) {
            this.backend = Objects.requireNonNull(value);
            return this;
        }

        /**
         * Where jobs live; default a new {@link InMemoryJobStore}. Jobs the store holds as running
         * when the queue starts were left by a process that ended without finishing them: on an
         * {@link JobStore#exclusive() exclusive} store they are queued again at once, on a shared
         * one when their lease ends (another process may still be running them).
         */
        public Builder store(JobStore value) {
            this.store = Objects.requireNonNull(value);
            return this;
        }

        /** Where uploads and outputs live; default in memory, uploads kept 24 h, outputs until cleanup. */
        public Builder audioStore(AudioStore value) {
            this.audioStore = Objects.requireNonNull(value);
            return this;
        }

        /** Named voices for {@code TTS_PERMANENT}; without one such jobs are refused. */
        public Builder voiceBank(VoiceBank value) {
            this.voiceBank = Objects.requireNonNull(value);
            return this;
        }

        /**
         * Fills empty reference transcripts; optional. The queue owns it from here: when it is
         * {@link AutoCloseable}, {@link TtsJobQueue#close()} closes it after the backend.
         */
        public Builder transcriber(Transcriber value) {
            this.transcriber = Objects.requireNonNull(value);
            return this;
        }

        /** Number of workers, one per device; workers never share a job. Default 1. */
        public Builder workers(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("workers must be at least 1");
            }
            this.workers = value;
            return this;
        }

        /** Queued jobs beyond this are refused with {@link QueueFullException}. Default 10,000; 0 = no limit. */
        public Builder maxQueueSize(int value) {
            if (value < 0) {
                throw new IllegalArgumentException("maxQueueSize must not be negative");
            }
            this.maxQueueSize = value;
            return this;
        }

        /** Longest text in characters; 0 = the backend's limit only. */
        public Builder maxTextLength(int value) {
            this.maxTextLength = Math.max(0, value);
            return this;
        }

        /** A running job longer than this fails with "timed out after ..."; default 10 minutes. */
        public Builder jobTimeout(Duration value) {
            this.jobTimeout = positive(value, "jobTimeout");
            return this;
        }

        /** How long a claim stays valid without renewal (renewed every third of it). Default 30 s. */
        public Builder leaseDuration(Duration value) {
            this.leaseDuration = positive(value, "leaseDuration");
            return this;
        }

        /** How often leases, timeouts and lost workers are checked. Default 1 s. */
        public Builder maintenanceInterval(Duration value) {
            this.maintenanceInterval = positive(value, "maintenanceInterval");
            return this;
        }

        /**
         * How long each worker runs its backend's {@linkplain TtsBackend#warmUpRequests() warm-up
         * requests} before it takes its first job; default zero, none. A fresh process runs its
         * first jobs slowly (the JIT, a GPU library choosing kernels); a warm-up takes that cost
         * before the first job and gives the queue its first measure of the backend's speed, so the
         * first jobs run at full speed and their estimates hold. The requests run in turn until the
         * time is spent (the first always runs, however long it takes), the queue closes, or one
         * fails (logged; the worker goes on to its jobs). Jobs submitted meanwhile wait, and their
         * estimates count the warm-up time left.
         *
         * @throws IllegalArgumentException when {@code value} is negative
         */
        public Builder warmUp(Duration value) {
            Objects.requireNonNull(value, "warmUp");
            if (value.isNegative()) {
                throw new IllegalArgumentException("warmUp must not be negative: " + value);
            }
            this.warmUp = value;
            return this;
        }

        /** How long {@code close()} lets running jobs finish before cancelling them. Default 30 s. */
        public Builder closeGracePeriod(Duration value) {
            this.closeGracePeriod = Objects.requireNonNull(value);
            return this;
        }

        /** Claims per job before it fails with "worker lost". Default 3. */
        /**
         * How tenants share the workers at one priority; default {@link FairShare#EQUAL} (every
         * tenant weight 1). Only jobs submitted after the queue starts use these weights.
         *
         * @throws NullPointerException when {@code value} is null
         */
        public Builder fairShare(FairShare value) {
            this.fairShare = Objects.requireNonNull(value, "fairShare");
            return this;
        }

        /**
         * Same as {@code fairShare(FairShare.weights(weights))}: each named tenant's weight, from 1
         * to {@link FairShare#MAX_WEIGHT}; tenants not named weigh 1.
         *
         * @throws IllegalArgumentException for a weight out of range or an invalid tenant name
         */
        public Builder tenantWeights(Map<String, Integer> weights) {
            return fairShare(FairShare.weights(weights));
        }

        public Builder maxAttempts(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1");
            }
            this.maxAttempts = value;
            return this;
        }

        /**
         * Runs {@link TtsJobQueue#cleanup(Duration)} with {@code maxAge} every {@code interval}:
         * finished jobs older than that, and their output audio, are deleted. Default: 24 hours,
         * every 10 minutes, so that a long-running process does not keep every result it ever
         * made; {@link #keepFinishedJobs()} turns it off.
         */
        public Builder retention(Duration maxAge, Duration interval) {
            this.retentionMaxAge = positive(maxAge, "maxAge");
            this.retentionInterval = positive(interval, "interval");
            return this;
        }

        /**
         * Keeps finished jobs and their audio until {@link TtsJobQueue#cleanup(Duration)} is called:
         * no automatic retention. Memory (or disk) then grows with every job.
         */
        public Builder keepFinishedJobs() {
            this.retentionMaxAge = null;
            return this;
        }

        /** Time source for timestamps, ETAs, leases and timeouts; default UTC system clock. */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value);
            return this;
        }

        /** Source of random seeds (values are reduced to 0..2^31-1); default {@link ThreadLocalRandom} (seeds need variety, not secrecy). */
        public Builder seedSource(LongSupplier value) {
            this.seedSource = Objects.requireNonNull(value);
            return this;
        }

        /** A listener for every job's events, registered before the first job. */
        public Builder listener(JobListener value) {
            listeners.add(Objects.requireNonNull(value));
            return this;
        }

        /** A metrics listener, registered before the first job (jobs recovered at start included). */
        public Builder metricsListener(QueueMetricsListener value) {
            metricsListeners.add(Objects.requireNonNull(value));
            return this;
        }

        public TtsJobQueue build() {
            if (backend == null) {
                throw new IllegalStateException("a backend is required");
            }
            QueueConfig cfg = new QueueConfig(backend,
                    store != null ? store : new InMemoryJobStore(),
                    audioStore != null ? audioStore : new InMemoryAudioStore(clock, Duration.ofHours(24), null),
                    voiceBank, transcriber, workers, maxQueueSize, maxTextLength, jobTimeout, leaseDuration,
                    maintenanceInterval, closeGracePeriod, retentionMaxAge, retentionInterval, warmUp, maxAttempts, fairShare, clock,
                    seedSource != null ? seedSource : () -> ThreadLocalRandom.current().nextLong(), List.copyOf(listeners),
                    List.copyOf(metricsListeners));
            return new TtsJobQueue(QueueEngine.start(cfg), backend);
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive");
            }
            return d;
        }
    }
}
