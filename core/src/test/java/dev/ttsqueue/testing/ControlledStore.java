package dev.ttsqueue.testing;

import dev.ttsqueue.JobStatus;
import dev.ttsqueue.SynthesisResult;
import dev.ttsqueue.spi.CancelOutcome;
import dev.ttsqueue.spi.Claim;
import dev.ttsqueue.spi.JobRecord;
import dev.ttsqueue.spi.JobStore;
import dev.ttsqueue.spi.TenantCounts;
import dev.ttsqueue.spi.QueuePlace;
import dev.ttsqueue.spi.LeaseState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * A job store that forwards to a real one and lets a test steer the threads that call it: only
 * workers the test names may claim, and hooks run inside calls so a test can hold a thread at a
 * chosen point with a latch.
 */
public final class ControlledStore implements JobStore {
    private final JobStore delegate;
    private volatile Predicate<String> mayClaim = name -> true;
    private volatile Runnable beforeClaim = () -> { };
    private volatile Runnable beforeQueuePlace = () -> { };
    private volatile BiConsumer<String, LeaseState> afterProgress = (id, state) -> { };
    private volatile Runnable beforeRequeueExpired = () -> { };
    private volatile Runnable beforeComplete = () -> { };
    private volatile Runnable afterComplete = () -> { };
    private volatile Runnable beforeFinishCancelled = () -> { };
    private volatile Runnable beforeFail = () -> { };
    private volatile java.util.function.Consumer<Optional<Claim>> afterClaim = claim -> { };
    private volatile boolean shared;
    private volatile Predicate<SynthesisResult> loseResult = result -> false;

    public ControlledStore(JobStore delegate) {
        this.delegate = delegate;
    }

    public JobStore delegate() {
        return delegate;
    }

    /** Makes the store claim it may be shared with other processes, whatever the delegate says. */
    public ControlledStore asShared() {
        this.shared = true;
        return this;
    }

    /** Claims by threads whose name fails the test look like an empty queue. */
    public void mayClaim(Predicate<String> threadName) {
        this.mayClaim = threadName;
    }

    /** Runs at the start of every {@link #claimNext}, on the claiming thread. */
    public void beforeQueuePlace(Runnable hook) {
        beforeQueuePlace = hook;
    }

    public void beforeClaim(Runnable hook) {
        this.beforeClaim = hook;
    }

    /** Runs after every {@link #recordProgress} was applied, on the reporting thread. */
    public void afterProgress(BiConsumer<String, LeaseState> hook) {
        this.afterProgress = hook;
    }

    /** Runs at the start of every {@link #recoverExpiredLeases} (the maintenance thread). */
    public void beforeRequeueExpired(Runnable hook) {
        this.beforeRequeueExpired = hook;
    }

    /** Runs after every {@link #claimNext} that reached the real store, with what it returned. */
    public void afterClaim(java.util.function.Consumer<Optional<Claim>> hook) {
        this.afterClaim = hook;
    }

    /** Runs at the start of every {@link #finishCancelled} (a hook that throws makes the write fail). */
    public void beforeFinishCancelled(Runnable hook) {
        this.beforeFinishCancelled = hook;
    }

    /** Runs at the start of every {@link #fail} (a hook that throws makes the write fail). */
    public void beforeFail(Runnable hook) {
        this.beforeFail = hook;
    }

    /**
     * Runs after every {@link #complete} has written (a hook that throws makes the call fail though
     * the write was applied, as a commit whose acknowledgement was lost).
     */
    public void afterComplete(Runnable hook) {
        this.afterComplete = hook;
    }

    /** Runs at the start of every {@link #complete} (a hook that throws makes the write fail). */
    public void beforeComplete(Runnable hook) {
        this.beforeComplete = hook;
    }

    /** From now on completed jobs are stored without their result, as a store that lost it would hold them. */
    public void loseResults() {
        loseResultsWhere(result -> true);
    }

    /** Like {@link #loseResults()}, for the results {@code which} picks (by their text, say). */
    public void loseResultsWhere(Predicate<SynthesisResult> which) {
        this.loseResult = which;
    }

    @Override
    public Optional<JobRecord> enqueue(JobRecord job, int maxQueued) {
        return delegate.enqueue(job, maxQueued);
    }

    @Override
    public Optional<Claim> claimNext(String workerId, Instant now, Duration lease) {
        beforeClaim.run();
        if (!mayClaim.test(Thread.currentThread().getName())) {
            return Optional.empty();
        }
        Optional<Claim> claim = delegate.claimNext(workerId, now, lease);
        afterClaim.accept(claim);
        return claim;
    }

    @Override
    public LeaseState renewLease(String jobId, long fencingToken, Instant leaseEnd) {
        return delegate.renewLease(jobId, fencingToken, leaseEnd);
    }

    @Override
    public LeaseState recordProgress(String jobId, long fencingToken, int stepsDone, int stepsTotal, double progress,
            Instant estimatedCompletion) {
        LeaseState state = delegate.recordProgress(jobId, fencingToken, stepsDone, stepsTotal, progress, estimatedCompletion);
        afterProgress.accept(jobId, state);
        return state;
    }

    @Override
    public boolean complete(String jobId, long fencingToken, SynthesisResult result, Instant now) {
        beforeComplete.run();
        boolean done = delegate.complete(jobId, fencingToken, result != null && loseResult.test(result) ? null : result, now);
        afterComplete.run();
        return done;
    }

    @Override
    public boolean fail(String jobId, long fencingToken, String error, Instant now) {
        beforeFail.run();
        return delegate.fail(jobId, fencingToken, error, now);
    }

    @Override
    public boolean finishCancelled(String jobId, long fencingToken, Instant now) {
        beforeFinishCancelled.run();
        return delegate.finishCancelled(jobId, fencingToken, now);
    }

    @Override
    public CancelOutcome requestCancel(String jobId, Instant now) {
        return delegate.requestCancel(jobId, now);
    }

    @Override
    public Optional<JobRecord> get(String jobId) {
        return delegate.get(jobId);
    }

    @Override
    public List<JobRecord> list(JobStatus status, long beforeSequence, int limit) {
        return delegate.list(status, beforeSequence, limit);
    }

    @Override
    public List<JobRecord> queuedInRunOrder(int limit) {
        return delegate.queuedInRunOrder(limit);
    }

    @Override
    public TenantCounts tenantCounts(String tenant) {
        return delegate.tenantCounts(tenant);
    }

    @Override
    public Map<JobStatus, Long> counts() {
        return delegate.counts();
    }

    @Override
    public QueuePlace queuePlace(JobRecord job) {
        beforeQueuePlace.run();
        return delegate.queuePlace(job);
    }

    @Override
    public List<JobRecord> purgeFinishedBefore(Instant cutoff) {
        return delegate.purgeFinishedBefore(cutoff);
    }

    @Override
    public List<JobRecord> recoverExpiredLeases(Instant now, int maxAttempts) {
        beforeRequeueExpired.run();
        return delegate.recoverExpiredLeases(now, maxAttempts);
    }

    @Override
    public List<JobRecord> recoverAllHeld(Instant now, int maxAttempts) {
        return delegate.recoverAllHeld(now, maxAttempts);
    }

    @Override
    public boolean exclusive() {
        return !shared && delegate.exclusive();
    }

    @Override
    public String describe() {
        return "controlled " + delegate.describe();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
