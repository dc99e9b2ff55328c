package dev.ttsqueue.spi;

import dev.ttsqueue.JobStatus;
import dev.ttsqueue.SynthesisResult;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where jobs live. The scheduler talks to every store through this interface alone, so an
 * in-memory map, SQLite and Redis fit it the same way.
 *
 * <p>Rules every implementation keeps (the {@code JobStoreContract} test suite checks them):
 * <ul>
 *   <li>Run order: higher {@code priority} first; within a priority, lower
 *       {@link JobRecord#virtualStart() virtualStart} first (fair share between tenants, see
 *       {@link VirtualTime}), then lower {@code sequence} (submission order). With one tenant this
 *       is priority, then sequence.
 *   <li>{@link #claimNext} is atomic: two workers never claim the same job in one attempt.
 *   <li>Writes that carry a fencing token (renew, progress, complete, fail, finishCancelled) are
 *       applied only while the job is {@code PROCESSING} under that very token; otherwise they
 *       change nothing and report so.
 *   <li>A terminal job never changes state again.
 *   <li>All methods are thread-safe. Durable stores make {@link #enqueue} durable before returning.
 * </ul>
 */
public interface JobStore extends AutoCloseable {

    /**
     * Adds a queued job, assigning it the next sequence number and its virtual start: the
     * {@link VirtualTime} rule applied to the job's priority, tenant and
     * {@link JobRecord#shareWeight() shareWeight}. The weight comes with the record (the queue
     * fills it in from its {@link dev.ttsqueue.FairShare}), so stores hold no weight table.
     *
     * @param job a record from {@link JobRecord#newQueued}
     * @param maxQueued refuse when this many jobs are already queued; 0 or less means no limit
     * @return the stored record (with its sequence), or empty when the queue is full
     * @throws IllegalArgumentException when a job with this id exists
     */
    Optional<JobRecord> enqueue(JobRecord job, int maxQueued);

    /**
     * Takes the next job in run order for {@code workerId}: status {@code PROCESSING}, attempts + 1,
     * {@code startedAt = now}, lease until {@code now + lease}, a new fencing token. Advances the
     * virtual time of the job's priority and its tenant's claimed finish ({@link VirtualTime}).
     *
     * @return the claim, or empty when nothing is queued
     */
    Optional<Claim> claimNext(String workerId, Instant now, Duration lease);

    /** Extends the lease of a claimed job to {@code leaseEnd}. */
    LeaseState renewLease(String jobId, long fencingToken, Instant leaseEnd);

    /** Records progress of a claimed job. */
    LeaseState recordProgress(String jobId, long fencingToken, int stepsDone, int stepsTotal, double progress, Instant estimatedCompletion);

    /** Marks a claimed job {@code COMPLETED} with its result; false when the token is stale. */
    boolean complete(String jobId, long fencingToken, SynthesisResult result, Instant now);

    /** Marks a claimed job {@code FAILED}; false when the token is stale. */
    boolean fail(String jobId, long fencingToken, String error, Instant now);

    /** Marks a claimed job {@code CANCELLED} after its worker stopped; false when the token is stale. */
    boolean finishCancelled(String jobId, long fencingToken, Instant now);

    /**
     * Gives a claimed job back to the queue, in its old place, its attempts kept: its worker
     * stopped because its queue is closing, not because of anything the job did. Like the other
     * writes that carry a token, it changes nothing unless the job is {@code PROCESSING} under
     * that very token. A pending cancel wins: the job ends {@code CANCELLED} instead.
     *
     * @return the record after the change, or empty when the token was stale. The default returns
     *     empty and changes nothing: the job is then recovered as any job whose worker was lost
     *     (at the next start of an exclusive store, or when its lease ends)
     */
    default Optional<JobRecord> release(String jobId, long fencingToken, Instant now) {
        return Optional.empty();
    }

    /** Cancels a queued job at once, or flags a processing one for its worker. */
    CancelOutcome requestCancel(String jobId, Instant now);

    Optional<JobRecord> get(String jobId);

    /**
     * Jobs newest first (by sequence, descending), one page at a time: O(log n + limit).
     *
     * @param status only this state; null for all
     * @param beforeSequence only jobs whose sequence is below this (the last sequence of the
     *     previous page); {@link Long#MAX_VALUE} for the first page
     * @param limit at most this many
     */
    List<JobRecord> list(JobStatus status, long beforeSequence, int limit);

    /** The first page of {@link #list(JobStatus, long, int)}. */
    default List<JobRecord> list(JobStatus status, int limit) {
        return list(status, Long.MAX_VALUE, limit);
    }

    /** Queued jobs in run order, at most {@code limit}: O(log n + limit). */
    List<JobRecord> queuedInRunOrder(int limit);

    /** Number of jobs per state; every state is present. */
    Map<JobStatus, Long> counts();

    /**
     * How many jobs of {@code tenant} are queued and processing, from counters the store keeps:
     * O(1) or O(log n), never a count over the jobs.
     *
     * @param tenant a tenant name; {@link dev.ttsqueue.JobRequest#ANONYMOUS_TENANT} for jobs that name none
     * @return {@link TenantCounts#NONE} for a tenant without such jobs
     */
    TenantCounts tenantCounts(String tenant);

    /**
     * Where a job stands in the queue now, in O(log n): its 1-based place in run order and the
     * work queued ahead of it. Exact for the jobs queued now; since virtual starts are fixed on
     * enqueue, the place only grows when a job arrives that runs earlier (a higher priority, or a
     * tenant with a smaller virtual start at its priority). {@code job} is a record this store returned, perhaps an older one:
     * the answer is about the job as it is now ({@link QueuePlace#NOT_QUEUED} once it left the
     * queue). A store that cannot add up the work ahead answers -1 for it.
     */
    QueuePlace queuePlace(JobRecord job);

    /** 1-based place of a queued job in run order; 0 when it is not queued or unknown. */
    default int queuePosition(String jobId) {
        return get(jobId).map(j -> queuePlace(j).position()).orElse(0);
    }

    /** Deletes terminal jobs that finished before {@code cutoff}; returns what was deleted. */
    List<JobRecord> purgeFinishedBefore(Instant cutoff);

    /**
     * Recovers jobs whose lease ended at or before {@code now} (their worker died): requeues,
     * fails or cancels each, as {@link JobRecord#afterLostWorker} decides (back to {@code QUEUED} in
     * its old place; {@code FAILED} "worker lost" once claimed {@code maxAttempts} times;
     * {@code CANCELLED} if a cancel was pending). The store finds the jobs and writes the outcome;
     * the rule is the record's, the same for every store.
     *
     * @return the records after the change
     */
    List<JobRecord> recoverExpiredLeases(Instant now, int maxAttempts);

    /**
     * {@link #recoverExpiredLeases} with every lease taken as ended: recovers every job a worker holds,
     * however long its lease still runs. Only for a queue starting on an {@link #exclusive} store,
     * where any job still processing was left by an earlier run that is gone; on a shared store it
     * would take jobs away from live workers.
     *
     * @return the records after the change
     * @throws UnsupportedOperationException by default: a store that is not {@link #exclusive}
     *     is never asked
     */
    default List<JobRecord> recoverAllHeld(Instant now, int maxAttempts) {
        throw new UnsupportedOperationException(describe() + " does not implement recoverAllHeld; a store that says it is "
                + "exclusive must");
    }

    /**
     * True when no other process can use this store's jobs while it is open: the in-memory store,
     * or a file store holding an exclusive lock. A queue starting on such a store knows that jobs
     * still processing were left by an earlier run that ended (a crash, a kill), and queues them
     * again at once with {@link #recoverAllHeld} instead of waiting for their leases to end.
     * Never true for a store that other processes may share: their running jobs would run twice.
     * An exclusive store also serves one queue at a time: a second queue started on it while the
     * first runs is refused, since it would take the first one's running jobs.
     */
    default boolean exclusive() {
        return false;
    }

    /**
     * The changes other processes make to this store's jobs, for a store that several processes
     * share; empty (the default) for a store only this process uses, or one that cannot tell.
     */
    default Optional<JobChangeFeed> changeFeed() {
        return Optional.empty();
    }

    /** Short description for health output, e.g. {@code in-memory} or {@code sqlite:/data/jobs.db}. */
    String describe();

    @Override
    default void close() {
    }
}
