package dev.ttsqueue.store.redis;

import dev.ttsqueue.JobStatus;
import dev.ttsqueue.StoreUnavailableException;
import dev.ttsqueue.SynthesisResult;
import dev.ttsqueue.spi.CancelOutcome;
import dev.ttsqueue.spi.Claim;
import dev.ttsqueue.spi.Identifiers;
import dev.ttsqueue.spi.JobChangeFeed;
import dev.ttsqueue.spi.JobRecord;
import dev.ttsqueue.spi.JobStore;
import dev.ttsqueue.spi.LeaseState;
import dev.ttsqueue.spi.QueuePlace;
import dev.ttsqueue.spi.TenantCounts;
import dev.ttsqueue.spi.VirtualTime;
import dev.ttsqueue.store.redis.internal.ChangeSubscription;
import dev.ttsqueue.store.redis.internal.JobCodec;
import dev.ttsqueue.store.redis.internal.Keys;
import dev.ttsqueue.store.redis.internal.RedisLink;
import dev.ttsqueue.store.redis.internal.RunKey;
import dev.ttsqueue.store.redis.internal.Script;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.ScriptOutputType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link JobStore} in Redis that any number of queue nodes share as one queue: global priority
 * order, leases with fencing tokens, recovery of a dead node's jobs by any other node, and a
 * {@link JobChangeFeed} that tells each node what the others did.
 *
 * <pre>{@code
 * try (RedisJobStore store = RedisJobStore.open(RedisConfig.builder("redis://redis-host:6379/0").build());
 *      TtsJobQueue queue = TtsJobQueue.builder().backend(backend).store(store)
 *              .audioStore(RedisAudioStore.sharing(store, Clock.systemUTC(), Duration.ofHours(24), null))
 *              .voiceBank(RedisVoiceBank.sharing(store)).build()) {
 *     ...
 * }
 * }</pre>
 *
 * <p>Every state change is one Lua script, so it is atomic however many nodes write at once:
 * enqueue (with the queue-size limit), claim, lease renewal, progress, completion, failure,
 * cancellation (the last three refused for a stale fencing token), purge, and the write of a
 * recovery. Recovery of expired leases is decided in Java by {@link JobRecord#afterLostWorker},
 * the rule every store shares, and written by a script that applies it only while the job is
 * still exactly the claim that was read. Every operation costs O(log n) in the number of jobs
 * (listings O(log n + page)); counts are the sizes of per-status sorted sets, never a scan.
 * A queue place is {@code ZRANK} of the job in the run-order set; the work ahead of it is not
 * added up ({@link QueuePlace#workAhead()} is -1), so queued ETAs use the average job.
 *
 * <p>When Redis cannot be reached, calls throw {@link StoreUnavailableException} at once (nothing
 * was written), with three exceptions: progress reports and lease renewals are skipped (the job
 * runs on; its completion is fenced anyway), and the writes that end a run retry through an
 * outage for {@link RedisConfig#outageWriteRetry()}. Never {@link #exclusive()}: other nodes may
 * run jobs this one sees as processing. Thread-safe. See the module README for keys and
 * persistence.
 */
public final class RedisJobStore implements JobStore, JobChangeFeed {
    private static final Logger log = LoggerFactory.getLogger(RedisJobStore.class);
    private static final Script ENQUEUE = Script.job("enqueue");
    private static final Script CLAIM = Script.job("claim");
    private static final Script TOUCH = Script.job("touch");
    private static final Script FINISH = Script.job("finish");
    private static final Script CANCEL = Script.job("cancel");
    private static final Script RECOVER = Script.job("recover");
    private static final Script PURGE = Script.job("purge");
    private static final Script LIST = Script.job("list");
    private static final Script QUEUED = Script.job("queued");
    private static final Script COUNTS = Script.job("counts");
    private static final Script TENANT_COUNTS = Script.job("tenant-counts");
    private static final Script MIGRATE = Script.job("migrate");
    /** Jobs per purge or recovery script: each script blocks Redis while it runs, so keep them short. */
    private static final int BATCH = 200;
    /** Arguments per job of the enqueue script. */
    private static final int ENQUEUE_ARGS = 8;
    /**
     * Jobs per enqueue script at most: a script blocks Redis while it runs (about 30 µs a job on a
     * slow core), so a group of 32 holds other commands up for about a millisecond.
     */
    private static final int GROUP_MAX = 32;
    /**
     * Enqueue scripts awaiting their answers at once; more submits wait to form the next group.
     * With one, Redis idles while each answer travels back and the next group is sent; with more,
     * groups get smaller and each job pays more of its script's fixed cost.
     */
    private static final int GROUPS_IN_FLIGHT = 2;
    /** How long a claim's answer is kept for a resent claim call. */
    private static final Duration CLAIM_MEMORY = Duration.ofMinutes(1);
    private static final JobStatus[] STATUSES = {JobStatus.QUEUED, JobStatus.PROCESSING, JobStatus.COMPLETED, JobStatus.FAILED,
        JobStatus.CANCELLED};

    private final RedisLink link;
    private final Keys keys;
    private final String[] fixedKeys;
    /** Names this instance in the change messages it causes, so it can skip its own. */
    private final String origin = Identifiers.newId();
    /**
     * The place the enqueue script reported for the job this thread enqueued last, until
     * {@link #queuePlace} asks for it: a submit answers with its job's place, which the script
     * already read, so that answer costs no second round trip.
     */
    private final ThreadLocal<PlaceAtEnqueue> placeAtEnqueue = new ThreadLocal<>();
    /** Concurrent enqueues, sent to Redis in groups (see {@link EnqueueGroups}). */
    private final EnqueueGroups<Enqueue> enqueues = new EnqueueGroups<>(GROUP_MAX, GROUPS_IN_FLIGHT, this::enqueueGroup);

    private record PlaceAtEnqueue(String id, QueuePlace place) {
    }
    private final List<ChangeSubscription> subscriptions = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    private RedisJobStore(RedisLink link, Keys keys) {
        this.link = link;
        this.keys = keys;
        this.fixedKeys = keys.fixed().toArray(String[]::new);
    }

    /**
     * Connects to Redis and checks that it answers.
     *
     * @throws StoreUnavailableException when Redis cannot be reached
     * @throws RedisStoreException when Redis refuses the credentials
     * @throws IllegalArgumentException for a bad URI or key prefix
     */
    public static RedisJobStore open(RedisConfig config) {
        Objects.requireNonNull(config, "config");
        Keys keys = new Keys(config.keyPrefix());
        RedisLink link = RedisLink.connect(config);
        try {
            link.call("check the connection", () -> link.text().ping());
            RedisJobStore store = new RedisJobStore(link, keys);
            store.migrate();
            return store;
        } catch (RuntimeException e) {
            link.close();
            throw e;
        }
    }

    /** {@link #open(RedisConfig)} with every setting but the URI at its default. */
    public static RedisJobStore open(String uri) {
        return open(RedisConfig.builder(uri).build());
    }

    /** The connection the audio store and voice bank of this node share with it. */
    RedisLink link() {
        return link;
    }

    Keys keys() {
        return keys;
    }

    // ---- writes -------------------------------------------------------------------------------

    @Override
    public Optional<JobRecord> enqueue(JobRecord job, int maxQueued) {
        if (job.status() != JobStatus.QUEUED) {
            throw new IllegalArgumentException("only queued jobs can be enqueued, got " + job.status());
        }
        Identifiers.requireSafe("job id", job.id());
        // The nonce lets a call that Lettuce resends after a lost connection find its own job.
        long[] reply = enqueues.enqueue(new Enqueue(keys.job(job.id()), new String[] {job.id(),
            Integer.toString(Math.max(0, maxQueued)), RunKey.head(job.priority()), Identifiers.newId(), JobCodec.packRequest(job),
            job.tenant(), Integer.toString(job.shareWeight()), Long.toString(VirtualTime.cost(job.shareWeight()))}));
        long seq = reply[0];
        if (seq < 0) {
            throw new IllegalArgumentException("job " + job.id() + " already exists");
        }
        if (seq == 0) {
            return Optional.empty();
        }
        if (reply[2] >= 0) {
            placeAtEnqueue.set(new PlaceAtEnqueue(job.id(), new QueuePlace((int) Math.min(Integer.MAX_VALUE, reply[2] + 1), -1)));
        }
        // As a later read gives it back: times cut to milliseconds.
        JobRecord stored = new JobRecord(job.id(), job.request(), seq, job.seed(), JobStatus.QUEUED,
                Instant.ofEpochMilli(job.createdAt().toEpochMilli()), null, null, 0, 0, 0.0, null, null, null, 0, null, null, 0, false,
                reply[1], job.shareWeight());
        return Optional.of(stored);
    }

    /** The enqueue groups sent and not yet answered, and the enqueues waiting for the next (for tests). */
    int[] enqueueGroupsOutAndWaiting() {
        return new int[] {enqueues.inFlight(), enqueues.waiting()};
    }

    /** One job for the enqueue script: its key and its eight arguments (see enqueue.lua). */
    private record Enqueue(String key, String[] args) {
    }

    /** Sends a group of enqueues as one script; one answer per job, {sequence, virtual start, rank}. */
    private CompletableFuture<List<long[]>> enqueueGroup(List<Enqueue> group) {
        String[] groupKeys = new String[fixedKeys.length + group.size()];
        System.arraycopy(fixedKeys, 0, groupKeys, 0, fixedKeys.length);
        String[] groupArgs = new String[4 + ENQUEUE_ARGS * group.size()];
        groupArgs[0] = keys.jobPrefix();
        groupArgs[1] = keys.changes();
        groupArgs[2] = origin;
        groupArgs[3] = Integer.toString(group.size());
        for (int i = 0; i < group.size(); i++) {
            groupKeys[fixedKeys.length + i] = group.get(i).key();
            System.arraycopy(group.get(i).args(), 0, groupArgs, 4 + ENQUEUE_ARGS * i, ENQUEUE_ARGS);
        }
        return link.<List<Long>>evalAsync(ENQUEUE, ScriptOutputType.MULTI, groupKeys, groupArgs).thenApply(flat -> {
            if (flat == null || flat.size() != 3 * group.size()) {
                throw new RedisStoreException("Redis answered an enqueue of " + group.size() + " jobs with "
                        + (flat == null ? "nothing" : flat.size() + " numbers"), null);
            }
            List<long[]> out = new ArrayList<>(group.size());
            for (int i = 0; i < group.size(); i++) {
                out.add(new long[] {flat.get(3 * i), flat.get(3 * i + 1), flat.get(3 * i + 2)});
            }
            return out;
        });
    }

    @Override
    public Optional<Claim> claimNext(String workerId, Instant now, Duration lease) {
        Objects.requireNonNull(workerId, "workerId");
        List<Object> reply = link.eval(CLAIM, ScriptOutputType.MULTI, jobKeys(keys.claimNonce(Identifiers.newId())),
                args(workerId, JobCodec.millis(now), JobCodec.millis(now.plus(lease)), Long.toString(CLAIM_MEMORY.toMillis()),
                        link.config().nodeId()));
        if (reply == null || reply.size() < 2) {
            return Optional.empty(); // the script's false: nothing queued
        }
        JobRecord job = JobCodec.decode((String) reply.get(0), fields(reply.get(1)));
        return Optional.of(new Claim(job, job.fencingToken()));
    }

    @Override
    public LeaseState renewLease(String jobId, long fencingToken, Instant leaseEnd) {
        return link.bestEffort("renew the lease of job " + jobId, () -> leaseState(link.<Long>eval(TOUCH, ScriptOutputType.INTEGER,
                jobKeys(keys.job(jobId)), args(jobId, Long.toString(fencingToken), "lease", JobCodec.millis(leaseEnd)))),
                LeaseState.HELD);
    }

    @Override
    public LeaseState recordProgress(String jobId, long fencingToken, int stepsDone, int stepsTotal, double progress,
            Instant estimatedCompletion) {
        String eta = estimatedCompletion == null ? "" : JobCodec.millis(estimatedCompletion);
        return link.bestEffort("record the progress of job " + jobId, () -> leaseState(link.<Long>eval(TOUCH,
                ScriptOutputType.INTEGER, jobKeys(keys.job(jobId)), args(jobId, Long.toString(fencingToken), "progress",
                        Integer.toString(stepsDone), Integer.toString(stepsTotal), Double.toString(progress), eta))),
                LeaseState.HELD);
    }

    private static LeaseState leaseState(long reply) {
        return reply == 0 ? LeaseState.LOST : reply == 2 ? LeaseState.CANCEL_REQUESTED : LeaseState.HELD;
    }

    @Override
    public boolean complete(String jobId, long fencingToken, SynthesisResult result, Instant now) {
        return finish(jobId, fencingToken, now, JobStatus.COMPLETED, JobCodec.packResult(Objects.requireNonNull(result, "result")));
    }

    @Override
    public boolean fail(String jobId, long fencingToken, String error, Instant now) {
        return finish(jobId, fencingToken, now, JobStatus.FAILED, error == null ? "" : error);
    }

    @Override
    public boolean finishCancelled(String jobId, long fencingToken, Instant now) {
        return finish(jobId, fencingToken, now, JobStatus.CANCELLED, "");
    }

    private boolean finish(String jobId, long token, Instant now, JobStatus outcome, String payload) {
        String[] jobKeys = jobKeys(keys.job(jobId));
        String[] args = args(jobId, Long.toString(token), JobCodec.millis(now), outcome.name(), payload);
        Long written = link.callThroughOutage(outcome.wireName() + " job " + jobId,
                () -> link.<Long>eval(FINISH, ScriptOutputType.INTEGER, jobKeys, args));
        return written == 1;
    }

    @Override
    public CancelOutcome requestCancel(String jobId, Instant now) {
        if (!Identifiers.isSafe(jobId)) {
            return CancelOutcome.NOT_FOUND;
        }
        long reply = link.<Long>eval(CANCEL, ScriptOutputType.INTEGER, jobKeys(keys.job(jobId)), args(jobId, JobCodec.millis(now)));
        return switch ((int) reply) {
            case 0 -> CancelOutcome.NOT_FOUND;
            case 1 -> CancelOutcome.CANCELLED;
            case 2 -> CancelOutcome.CANCEL_REQUESTED;
            default -> CancelOutcome.ALREADY_FINISHED;
        };
    }

    @Override
    public List<JobRecord> purgeFinishedBefore(Instant cutoff) {
        List<JobRecord> removed = new ArrayList<>();
        while (true) {
            List<JobRecord> batch = records(link.eval(PURGE, ScriptOutputType.MULTI, fixedKeys,
                    args(Long.toString(JobCodec.bound(cutoff)), Integer.toString(BATCH))));
            removed.addAll(batch);
            if (batch.size() < BATCH) {
                return removed;
            }
        }
    }

    /**
     * Finds the jobs whose lease ended (a sorted set by lease end: O(log n) plus the jobs found),
     * lets {@link JobRecord#afterLostWorker} decide each one's fate, and writes it with a script
     * that applies it only while the job is still that very claim with that very lease. Any node
     * may run this at any time; a job two nodes recover at once is written by one of them.
     */
    @Override
    public List<JobRecord> recoverExpiredLeases(Instant now, int maxAttempts) {
        List<JobRecord> changed = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        while (true) {
            List<String> expired = link.call("find expired leases", () -> link.text().zrangebyscore(keys.leases(),
                    Range.create(Double.NEGATIVE_INFINITY, (double) JobCodec.bound(now)), Limit.create(0, BATCH)));
            boolean fresh = false;
            for (String id : expired) {
                if (seen.add(id)) {
                    fresh = true;
                    recover(id, now, maxAttempts).ifPresent(changed::add);
                }
            }
            if (expired.size() < BATCH || !fresh) {
                return changed;
            }
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Core's rule ({@link JobRecord#afterShutdown}) decides; the recovery script writes it only
     * while the job is still the claim that this token names, with the lease and cancel flag read.
     */
    @Override
    public Optional<JobRecord> release(String jobId, long fencingToken, Instant now) {
        Optional<JobRecord> read = get(jobId);
        if (read.isEmpty() || read.get().status() != JobStatus.PROCESSING || read.get().fencingToken() != fencingToken) {
            return Optional.empty();
        }
        return writeIfUnchanged(read.get(), read.get().afterShutdown(now));
    }

    private Optional<JobRecord> recover(String id, Instant now, int maxAttempts) {
        Optional<JobRecord> read = get(id);
        if (read.isEmpty() || read.get().status() != JobStatus.PROCESSING || read.get().leaseExpiresAt() == null
                || read.get().leaseExpiresAt().isAfter(now)) {
            return Optional.empty();
        }
        JobRecord held = read.get();
        return writeIfUnchanged(held, held.afterLostWorker(now, maxAttempts));
    }

    /** Writes {@code next} in place of {@code held} if the job is still exactly {@code held}'s claim. */
    private Optional<JobRecord> writeIfUnchanged(JobRecord held, JobRecord next) {
        String id = held.id();
        List<String> args = new ArrayList<>(List.of(args(id, Long.toString(held.fencingToken()),
                held.leaseExpiresAt() == null ? "" : JobCodec.millis(held.leaseExpiresAt()),
                held.cancelRequested() ? "1" : "0", next.status().name(), next.completedAt() == null ? "" : JobCodec.millis(next.completedAt()))));
        args.addAll(JobCodec.stateFields(next));
        long written = link.<Long>eval(RECOVER, ScriptOutputType.INTEGER, jobKeys(keys.job(id)), args.toArray(String[]::new));
        return written == 1 ? Optional.of(next) : Optional.empty();
    }

    // ---- reads --------------------------------------------------------------------------------

    @Override
    public Optional<JobRecord> get(String jobId) {
        if (!Identifiers.isSafe(jobId)) {
            return Optional.empty();
        }
        Map<String, String> fields = link.call("read job " + jobId, () -> link.text().hgetall(keys.job(jobId)));
        return fields == null || fields.isEmpty() ? Optional.empty() : Optional.of(JobCodec.decode(jobId, fields));
    }

    @Override
    public List<JobRecord> list(JobStatus status, long beforeSequence, int limit) {
        if (limit <= 0) {
            return List.of();
        }
        return records(link.eval(LIST, ScriptOutputType.MULTI, fixedKeys,
                args(status == null ? "" : status.name(), Long.toString(beforeSequence), Integer.toString(limit))));
    }

    @Override
    public List<JobRecord> queuedInRunOrder(int limit) {
        if (limit <= 0) {
            return List.of();
        }
        return records(link.eval(QUEUED, ScriptOutputType.MULTI, fixedKeys, args(Integer.toString(limit))));
    }

    @Override
    public Map<JobStatus, Long> counts() {
        List<Object> reply = link.eval(COUNTS, ScriptOutputType.MULTI, fixedKeys, args());
        EnumMap<JobStatus, Long> out = new EnumMap<>(JobStatus.class);
        for (int i = 0; i < STATUSES.length; i++) {
            out.put(STATUSES[i], (Long) reply.get(i));
        }
        return out;
    }

    /** Two counters the job scripts keep (hash fields): O(1). */
    @Override
    public TenantCounts tenantCounts(String tenant) {
        List<Long> reply = link.eval(TENANT_COUNTS, ScriptOutputType.MULTI, fixedKeys, args(Objects.requireNonNull(tenant, "tenant")));
        return new TenantCounts(reply.get(0), reply.get(1));
    }

    /**
     * Brings jobs stored before tenants to the current layout, once ({@code migrate.lua}): they
     * become the anonymous tenant's, in the same order. Every node must run a version that knows
     * tenants before any of them opens the store this way: an older node would write run keys of
     * the old form.
     */
    private void migrate() {
        long rewritten = link.<Long>eval(MIGRATE, ScriptOutputType.INTEGER, fixedKeys, args());
        if (rewritten > 0) {
            log.info("Redis job store {}: {} jobs stored before tenants now belong to the anonymous tenant", keys.name(),
                    rewritten);
        }
    }

    /**
     * {@code ZRANK} in the run-order set: one O(log n) command. Asked first for the job this thread
     * has just enqueued, the place the enqueue script read in the same step, with no round trip.
     */
    @Override
    public QueuePlace queuePlace(JobRecord job) {
        PlaceAtEnqueue enqueued = placeAtEnqueue.get();
        if (enqueued != null) {
            placeAtEnqueue.remove();
            if (enqueued.id().equals(job.id()) && job.status() == JobStatus.QUEUED) {
                return enqueued.place();
            }
        }
        String member = RunKey.of(job.priority(), job.virtualStart(), job.sequence(), job.id());
        Long rank = link.call("find the place of job " + job.id(), () -> link.text().zrank(keys.queue(), member));
        return rank == null ? QueuePlace.NOT_QUEUED : new QueuePlace((int) Math.min(Integer.MAX_VALUE, rank + 1), -1);
    }

    // ---- changes ------------------------------------------------------------------------------

    @Override
    public Optional<JobChangeFeed> changeFeed() {
        return Optional.of(this);
    }

    /**
     * Subscribes to the change channel and returns once Redis confirmed it; the listener runs on
     * {@code ttsq-redis-changes}. Changes this store instance made are not delivered.
     *
     * @throws StoreUnavailableException when Redis cannot be reached
     */
    @Override
    public AutoCloseable subscribe(Listener listener) {
        Objects.requireNonNull(listener, "listener");
        if (closed) {
            throw new IllegalStateException("the store is closed");
        }
        ChangeSubscription s = ChangeSubscription.open(link, keys.changes(), origin, listener);
        subscriptions.add(s);
        return () -> {
            if (subscriptions.remove(s)) {
                s.close();
            }
        };
    }

    // ---- the rest -----------------------------------------------------------------------------

    /** {@code redis://host:port/db keys {prefix}}, never with the password. */
    @Override
    public String describe() {
        return link.describe() + " keys {" + keys.name() + "}";
    }

    /** Closes the connection this node's Redis audio store and voice bank share too. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        for (ChangeSubscription s : subscriptions) {
            s.close();
        }
        subscriptions.clear();
        link.close();
        log.debug("closed the Redis job store at {}", link.describe());
    }

    private String[] jobKeys(String jobKey) {
        String[] out = new String[fixedKeys.length + 1];
        System.arraycopy(fixedKeys, 0, out, 0, fixedKeys.length);
        out[fixedKeys.length] = jobKey;
        return out;
    }

    /** The script arguments: the three every job script reads first, then {@code rest}. */
    private String[] args(String... rest) {
        String[] out = new String[3 + rest.length];
        out[0] = keys.jobPrefix();
        out[1] = keys.changes();
        out[2] = origin;
        System.arraycopy(rest, 0, out, 3, rest.length);
        return out;
    }

    /** Decodes {@code {id, fields, id, fields, ...}}. */
    private static List<JobRecord> records(List<Object> reply) {
        List<JobRecord> out = new ArrayList<>(reply.size() / 2);
        for (int i = 0; i + 1 < reply.size(); i += 2) {
            out.add(JobCodec.decode((String) reply.get(i), fields(reply.get(i + 1))));
        }
        return out;
    }

    /** An HGETALL reply inside a script's array reply: field, value, field, value... */
    private static Map<String, String> fields(Object reply) {
        List<?> flat = (List<?>) reply;
        Map<String, String> out = new HashMap<>(flat.size());
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            out.put((String) flat.get(i), (String) flat.get(i + 1));
        }
        return out;
    }
}
