package dev.ttsqueue.spi;

import dev.ttsqueue.FairShare;
import dev.ttsqueue.JobRequest;
import dev.ttsqueue.JobStatus;
import dev.ttsqueue.JobType;
import dev.ttsqueue.SynthesisResult;
import java.time.Instant;
import java.util.Objects;

/**
 * A job as a {@link JobStore} keeps it. Immutable; stores return updated copies.
 *
 * @param id job id (validated by {@link Identifiers})
 * @param request what was asked (type and priority included)
 * @param sequence submission order assigned by the store on enqueue; FIFO tie-breaker
 * @param seed the seed resolved at submit time
 * @param status current state
 * @param createdAt when accepted
 * @param startedAt when last claimed; null while never claimed
 * @param completedAt when terminal; null before
 * @param stepsDone backend steps done in the current attempt
 * @param stepsTotal backend steps announced in the current attempt (0 = unknown yet)
 * @param progress 0–100
 * @param estimatedCompletion the worker's estimate at its last progress report; null when unknown
 * @param error failure message, for {@code FAILED}
 * @param result the result, for {@code COMPLETED}
 * @param attempts how many times it was claimed
 * @param leaseOwner worker holding the lease, while {@code PROCESSING}
 * @param leaseExpiresAt end of that lease
 * @param fencingToken token of the current claim; 0 before the first claim
 * @param cancelRequested a cancel was asked while it was processing
 * @param virtualStart where it stands in its tenant's fair share of its priority, assigned by the
 *     store on enqueue ({@link VirtualTime}); orders queued jobs of one priority before {@code sequence}
 * @param shareWeight its tenant's weight when it was submitted (1 to {@link FairShare#MAX_WEIGHT})
 */
public record JobRecord(
        String id,
        JobRequest request,
        long sequence,
        long seed,
        JobStatus status,
        Instant createdAt,
        Instant startedAt,
        Instant completedAt,
        int stepsDone,
        int stepsTotal,
        double progress,
        Instant estimatedCompletion,
        String error,
        SynthesisResult result,
        int attempts,
        String leaseOwner,
        Instant leaseExpiresAt,
        long fencingToken,
        boolean cancelRequested,
        long virtualStart,
        int shareWeight) {

    public JobRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(createdAt, "createdAt");
        VirtualTime.cost(shareWeight); // checks the range
    }

    /**
     * A new job of weight {@link FairShare#DEFAULT_WEIGHT} ready for {@link JobStore#enqueue}:
     * queued, sequence and virtual start 0 (the store assigns them).
     */
    public static JobRecord newQueued(String id, JobRequest request, long seed, Instant createdAt) {
        return newQueued(id, request, seed, createdAt, FairShare.DEFAULT_WEIGHT);
    }

    /**
     * A new job ready for {@link JobStore#enqueue}, its tenant weighing {@code shareWeight}: queued,
     * sequence and virtual start 0 (the store assigns them).
     */
    public static JobRecord newQueued(String id, JobRequest request, long seed, Instant createdAt, int shareWeight) {
        return new JobRecord(id, request, 0, seed, JobStatus.QUEUED, createdAt, null, null,
                0, 0, 0.0, null, null, null, 0, null, null, 0, false, 0, shareWeight);
    }

    /** The tenant the job is for ({@link JobRequest#tenant()}). */
    public String tenant() {
        return request.tenant();
    }

    /** {@link #virtualStart} plus the job's cost at its weight ({@link VirtualTime#cost}). */
    public long virtualFinish() {
        return virtualStart + VirtualTime.cost(shareWeight);
    }

    public JobType type() {
        return request.type();
    }

    public int priority() {
        return request.priority();
    }

    /**
     * The job's share of work, used to estimate how long the jobs ahead of a queued job take: the
     * characters (code points) of its text, as SQL's {@code length()} counts them. Stores that
     * index their queue add it up ({@link QueuePlace#workAhead()}).
     */
    public long work() {
        String text = request.text();
        return text.codePointCount(0, text.length());
    }

    /** The record with the virtual start a store assigned on enqueue. */
    public JobRecord withVirtualStart(long value) {
        return new JobRecord(id, request, sequence, seed, status, createdAt, startedAt, completedAt, stepsDone, stepsTotal,
                progress, estimatedCompletion, error, result, attempts, leaseOwner, leaseExpiresAt, fencingToken, cancelRequested,
                value, shareWeight);
    }

    public JobRecord withSequence(long value) {
        return new JobRecord(id, request, value, seed, status, createdAt, startedAt, completedAt, stepsDone, stepsTotal,
                progress, estimatedCompletion, error, result, attempts, leaseOwner, leaseExpiresAt, fencingToken, cancelRequested, virtualStart, shareWeight);
    }

    /** The record after a worker claimed it: processing, attempt counted, lease and token set, progress reset. */
    public JobRecord claimed(String worker, Instant now, Instant leaseEnd, long token) {
        return new JobRecord(id, request, sequence, seed, JobStatus.PROCESSING, createdAt, now, null, 0, 0,
                0.0, null, null, null, attempts + 1, worker, leaseEnd, token, false, virtualStart, shareWeight);
    }

    public JobRecord withLease(Instant leaseEnd) {
        return new JobRecord(id, request, sequence, seed, status, createdAt, startedAt, completedAt, stepsDone, stepsTotal,
                progress, estimatedCompletion, error, result, attempts, leaseOwner, leaseEnd, fencingToken, cancelRequested, virtualStart, shareWeight);
    }

    public JobRecord withProgress(int done, int total, double percent, Instant eta) {
        return new JobRecord(id, request, sequence, seed, status, createdAt, startedAt, completedAt, done, total,
                percent, eta, error, result, attempts, leaseOwner, leaseExpiresAt, fencingToken, cancelRequested, virtualStart, shareWeight);
    }

    public JobRecord withCancelRequested() {
        return new JobRecord(id, request, sequence, seed, status, createdAt, startedAt, completedAt, stepsDone, stepsTotal,
                progress, estimatedCompletion, error, result, attempts, leaseOwner, leaseExpiresAt, fencingToken, true, virtualStart, shareWeight);
    }

    public JobRecord completed(SynthesisResult value, Instant now) {
        return new JobRecord(id, request, sequence, seed, JobStatus.COMPLETED, createdAt, startedAt, now, stepsTotal, stepsTotal,
                100.0, null, null, value, attempts, null, null, fencingToken, false, virtualStart, shareWeight);
    }

    public JobRecord failed(String message, Instant now) {
        return new JobRecord(id, request, sequence, seed, JobStatus.FAILED, createdAt, startedAt, now, stepsDone, stepsTotal,
                progress, null, message, null, attempts, null, null, fencingToken, false, virtualStart, shareWeight);
    }

    public JobRecord cancelled(Instant now) {
        return new JobRecord(id, request, sequence, seed, JobStatus.CANCELLED, createdAt, startedAt, now, stepsDone, stepsTotal,
                progress, null, null, null, attempts, null, null, fencingToken, cancelRequested, virtualStart, shareWeight);
    }

    /**
     * What becomes of a job whose worker was lost (its lease ended, or its process died): the one
     * recovery rule every store applies. A cancel that was asked meanwhile wins; a job already
     * claimed {@code maxAttempts} times fails as "worker lost"; any other goes back to its place
     * in the queue, its attempts kept.
     *
     * @throws IllegalStateException when the job is not {@code PROCESSING}
     */
    public JobRecord afterLostWorker(Instant now, int maxAttempts) {
        if (status != JobStatus.PROCESSING) {
            throw new IllegalStateException("job " + id + " is " + status + ", not processing");
        }
        if (cancelRequested) {
            return cancelled(now);
        }
        if (attempts >= maxAttempts) {
            return failed(WORKER_LOST, now);
        }
        return requeued();
    }

    /** The error of a job that {@link #afterLostWorker} failed. */
    public static final String WORKER_LOST = "worker lost";

    /**
     * What becomes of a claimed job whose queue closes before it finished: back to its place in
     * the queue with its attempts kept, or {@code CANCELLED} when a cancel was asked meanwhile.
     *
     * @throws IllegalStateException when the job is not {@code PROCESSING}
     */
    public JobRecord afterShutdown(Instant now) {
        if (status != JobStatus.PROCESSING) {
            throw new IllegalStateException("job " + id + " is " + status + ", not processing");
        }
        return cancelRequested ? cancelled(now) : requeued();
    }

    /** Back to the queue after a lost lease; keeps its sequence, so it keeps its place. */
    public JobRecord requeued() {
        return new JobRecord(id, request, sequence, seed, JobStatus.QUEUED, createdAt, startedAt, null, 0, 0,
                0.0, null, null, null, attempts, null, null, fencingToken, false, virtualStart, shareWeight);
    }
}
