package dev.ttsqueue.internal;

import dev.ttsqueue.JobEvent;
import dev.ttsqueue.JobStatus;
import dev.ttsqueue.JobType;
import dev.ttsqueue.StoreUnavailableException;
import dev.ttsqueue.SynthesisResult;
import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.audio.SilenceRemover;
import dev.ttsqueue.spi.AudioEntry;
import dev.ttsqueue.spi.AudioKind;
import dev.ttsqueue.spi.Claim;
import dev.ttsqueue.spi.JobRecord;
import dev.ttsqueue.spi.SynthesisContext;
import dev.ttsqueue.spi.SynthesisRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One device's thread: claims a job, runs it to an end, claims the next. Nothing a job does —
 * an exception, an error, a bad reference — stops the loop; only {@code close()} does.
 */
final class Worker extends Thread {
    private static final Logger log = LoggerFactory.getLogger(Worker.class);
    private final int index;
    private final WorkerSetup setup;
    private final JobRuntime rt;

    Worker(int index, WorkerSetup setup) {
        super("ttsq-worker-" + index);
        this.index = index;
        this.setup = setup;
        this.rt = setup.runtime();
        setDaemon(true);
    }

    @Override
    public void run() {
        warmUp();
        while (setup.takingWork().getAsBoolean()) {
            long seen = setup.wake().version();
            try {
                List<Claim> claims = claimBatch();
                if (claims.isEmpty()) {
                    setup.wake().await(seen, setup.pollInterval(), setup.takingWork());
                } else {
                    process(claims);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | Error e) {
                // An Error here (a store plugin missing a class, say) would end the thread silently,
                // and with it this device's share of the queue.
                log.warn("{}: could not claim a job; retrying: {}", getName(), e.toString());
                try {
                    setup.wake().await(seen, setup.pollInterval(), setup.takingWork());
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * Runs the backend's warm-up requests in turn until the warm-up time is spent, recording each
     * run in the speed model as a finished job of its length would be. The first request always
     * runs; the time is checked between requests, on the queue's clock and on the system's
     * monotonic timer (a test's fixed clock must not make it endless). Stops early when the queue
     * closes or a request fails: a warm-up is an optimisation, never a reason not to work.
     */
    private void warmUp() {
        Duration budget = setup.warmUp();
        List<SynthesisRequest> requests = budget.isZero() ? List.of() : setup.backend().warmUpRequests();
        if (requests.isEmpty()) {
            return;
        }
        Instant start = rt.clock().instant();
        long startNanos = System.nanoTime();
        setup.running().warmingUp(getName(), start.plus(budget));
        SynthesisContext ctx = new WarmUpContext(setup.takingWork());
        int runs = 0;
        try {
            while (setup.takingWork().getAsBoolean() && runs < MAX_WARM_UP_RUNS) {
                SynthesisRequest request = requests.get(runs % requests.size());
                Instant before = rt.clock().instant();
                setup.backend().synthesize(request, ctx);
                rt.speed().recordJob(request.text().codePointCount(0, request.text().length()),
                        Duration.between(before, rt.clock().instant()));
                runs++;
                if (Duration.between(start, rt.clock().instant()).compareTo(budget) >= 0
                        || System.nanoTime() - startNanos >= budget.toNanos()) {
                    break;
                }
            }
            log.info("{}: backend warmed up with {} request(s) in {} ms", getName(), runs,
                    (System.nanoTime() - startNanos) / 1_000_000);
        } catch (Throwable t) {
            if (t instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            log.warn("{}: backend warm-up stopped after {} request(s); going on to jobs: {}", getName(), runs, t.toString());
        } finally {
            setup.running().warmedUp(getName());
        }
    }

    /** At most this many warm-up requests, however fast the backend (a bound, should its clock stand still). */
    static final int MAX_WARM_UP_RUNS = 10_000;

    /** What a warm-up request reports to: nothing listens; it is cancelled when the queue closes. */
    private record WarmUpContext(BooleanSupplier takingWork) implements SynthesisContext {
        @Override
        public String jobId() {
            return "warm-up";
        }

        @Override
        public void reportProgress(int stepsDone, int stepsTotal) {
        }

        @Override
        public boolean isCancelled() {
            return !takingWork.getAsBoolean();
        }
    }

    /**
     * The next job, plus, for a backend that batches, whatever else is queued right now up to its
     * batch size. No waiting for a batch to fill: a lone job never waits for company.
     */
    private List<Claim> claimBatch() {
        List<Claim> claims = new ArrayList<>(1);
        int max = setup.backendInfo().maxBatchSize();
        while (claims.size() < max) {
            Optional<Claim> c;
            try {
                c = rt.store().claimNext(getName(), rt.clock().instant(), rt.leaseDuration());
            } catch (RuntimeException | Error e) {
                if (claims.isEmpty()) {
                    throw e;
                }
                // The jobs already claimed are ours: run them now rather than drop them, which
                // would leave them claimed until their lease ran out and count a lost attempt.
                log.warn("{}: could not claim more jobs for this batch; running the {} claimed: {}", getName(),
                        claims.size(), e.toString());
                break;
            }
            if (c.isEmpty()) {
                break;
            }
            claims.add(c.get());
        }
        return claims;
    }

    /** Runs what was claimed, busy for the metrics from here until it is done. */
    private void process(List<Claim> claims) {
        MetricsListeners metrics = rt.notifier().metrics();
        metrics.workerBusy(index);
        try {
            if (claims.size() == 1) {
                processOne(claims.get(0));
            } else {
                processBatch(claims);
            }
        } finally {
            metrics.workerIdle(index);
        }
    }

    private void processOne(Claim claim) {
        RunningJob job = start(claim);
        try {
            runAlone(job, resolve(job));
        } catch (Throwable t) {
            onFailure(job, t);
        } finally {
            setup.running().remove(job);
        }
    }

    private void runAlone(RunningJob job, SynthesisRequest request) {
        try {
            job.throwIfCancelled();
            AudioClip audio;
            job.backendCall(true);
            try {
                audio = setup.backend().synthesize(request, job);
            } finally {
                job.backendCall(false);
            }
            finish(job, request, audio);
        } catch (Throwable t) {
            onFailure(job, t);
        }
    }

    /** Runs claimed jobs through {@link dev.ttsqueue.spi.TtsBackend#synthesizeBatch}, grouped by NFE step (one graph per group). */
    private void processBatch(List<Claim> claims) {
        Map<Integer, List<RunningJob>> groups = new LinkedHashMap<>();
        Map<RunningJob, SynthesisRequest> requests = new LinkedHashMap<>();
        for (Claim claim : claims) {
            RunningJob job = start(claim);
            try {
                SynthesisRequest request = resolve(job);
                requests.put(job, request);
                groups.computeIfAbsent(request.settings().nfeStep(), k -> new ArrayList<>()).add(job);
            } catch (Throwable t) {
                onFailure(job, t);
                setup.running().remove(job);
            }
        }
        for (List<RunningJob> group : groups.values()) {
            try {
                List<SynthesisRequest> batch = group.stream().map(requests::get).toList();
                List<AudioClip> clips;
                group.forEach(job -> job.backendCall(true));
                try {
                    clips = setup.backend().synthesizeBatch(batch, List.copyOf(group));
                } finally {
                    group.forEach(job -> job.backendCall(false));
                }
                if (clips == null || clips.size() != group.size()) {
                    throw new IllegalStateException("backend " + setup.backendInfo().name() + " returned "
                            + (clips == null ? "nothing" : clips.size() + " clips") + " for a batch of " + group.size());
                }
                for (int i = 0; i < group.size(); i++) {
                    RunningJob job = group.get(i);
                    try {
                        finish(job, requests.get(job), clips.get(i));
                    } catch (Throwable t) {
                        onFailure(job, t);
                    }
                }
            } catch (Throwable t) {
                // One bad input must not fail its neighbours: run each job of the failed batch alone.
                log.info("batch of {} failed ({}); running its jobs one by one", group.size(), t.toString());
                for (RunningJob job : group) {
                    runAlone(job, requests.get(job));
                }
            } finally {
                group.forEach(setup.running()::remove);
            }
        }
    }

    /**
     * Registers the run (removed by {@link RunningJobs#remove}, which names this very run) and
     * tells listeners and metrics that it started.
     */
    private RunningJob start(Claim claim) {
        RunningJob job = new RunningJob(rt, claim, getName());
        setup.running().add(job);
        rt.notifier().started(claim.job());
        return job;
    }

    private SynthesisRequest resolve(RunningJob job) throws Exception {
        JobRecord record = job.record();
        SynthesisRequest request = setup.references().resolve(record.request(), record.seed(), job.startedAt);
        job.throwIfCancelled();
        return request;
    }

    /** Post-processing, output storage and the completion write, for one job whose audio is ready. */
    private void finish(RunningJob job, SynthesisRequest request, AudioClip audio) throws Exception {
        job.throwIfCancelled();
        if (audio == null) {
            throw new IllegalStateException("backend " + setup.backendInfo().name() + " returned no audio");
        }
        JobRecord record = job.record();
        if (request.settings().removeSilence()) {
            audio = SilenceRemover.removeSilence(audio);
        }
        AudioEntry output = setup.audioStore().save(AudioKind.OUTPUT, audio, record.request().tenant());
        SynthesisResult result = new SynthesisResult(output.id(), request.refText(), request.text(), record.seed(),
                record.type() == JobType.TTS_PERMANENT ? record.request().voiceName() : null,
                audio.durationSeconds(), audio.sampleRate(), setup.backendInfo().name(), note());
        Instant now = rt.clock().instant();
        boolean completed;
        try {
            completed = rt.store().complete(job.id, job.token, result, now);
        } catch (RuntimeException | Error e) {
            // The write may have been applied all the same (a commit whose acknowledgement was
            // lost). Applied: the job is done, and its output and its client's answer must stay.
            // Not applied: no job refers to the output now (the job fails, or runs again and saves
            // another), so no cleanup would ever find it.
            if (!appliedDespite(e, job, output.id())) {
                deleteOutput(output.id(), job);
                throw e;
            }
            completed = true;
        }
        if (completed) {
            rt.speed().recordJob(job.work, Duration.between(job.startedAt, now));
            rt.notifier().audio().runCompleted(job.id, audio);
            rt.notifier().finished(job.record().completed(result, now), JobEvent.Kind.COMPLETED);
        } else {
            // Timed out or taken over meanwhile: the job's outcome was already written by someone else.
            log.warn("job {}: result discarded, the job was {} meanwhile", job.id, job.timedOut() ? "timed out" : "taken over");
            setup.audioStore().delete(output.id());
        }
    }

    /**
     * Whether the store shows the job completed with {@code outputId} although its completion write
     * threw {@code failure}. When the store cannot even be read, the failure stands and the output
     * is kept: an orphaned file costs disk until retention, a deleted result costs the client its audio.
     */
    private boolean appliedDespite(Throwable failure, RunningJob job, String outputId) {
        Optional<JobRecord> stored;
        try {
            stored = rt.store().get(job.id);
        } catch (RuntimeException | Error e) {
            log.warn("job {}: its completion write failed ({}) and the store cannot say whether it was applied ({}); its output {}"
                    + " is kept", job.id, failure.toString(), e.toString(), outputId);
            if (failure instanceof Error err) {
                throw err;
            }
            throw (RuntimeException) failure;
        }
        boolean applied = stored.filter(r -> r.status() == JobStatus.COMPLETED && r.result() != null
                && outputId.equals(r.result().outputFileId())).isPresent();
        if (applied) {
            log.warn("job {}: its completion write reported {} but was applied; the job is completed", job.id, failure.toString());
        }
        return applied;
    }

    private void deleteOutput(String outputId, RunningJob job) {
        try {
            setup.audioStore().delete(outputId);
        } catch (Exception e) {
            log.warn("job {}: could not delete its unused output {}: {}", job.id, outputId, e.toString());
        }
    }

    private String note() {
        if (setup.backendInfo().clonesVoices()) {
            return null;
        }
        return "Backend " + setup.backendInfo().name() + " does not clone voices: the reference audio was ignored";
    }

    private void onFailure(RunningJob job, Throwable t) {
        if (job.timedOut()) {
            // The maintenance thread has normally written the timeout already, and the fencing token
            // refuses this second write. If its write failed (and it never retries a timed-out run),
            // this one records it; otherwise the job would wait for its lease to run out and run again.
            try {
                if (rt.store().fail(job.id, job.token, job.timeoutMessage(), rt.clock().instant())) {
                    rt.store().get(job.id).ifPresent(r -> rt.notifier().finished(r, JobEvent.Kind.FAILED));
                }
            } catch (RuntimeException e) {
                log.error("job {}: could not record its timeout: {}", job.id, e.toString());
            }
            log.info("job {} stopped after its timeout", job.id);
            return;
        }
        if (job.lost()) {
            log.info("job {} stopped after losing its lease", job.id);
            return;
        }
        if (job.stoppedForClose() && !job.cancelRequested()) {
            // Accepted and not finished: it runs again after the restart (or on another node), its
            // attempts kept. Its future, if any, fails with QueueClosedException when the queue closes.
            try {
                Optional<JobRecord> back = rt.store().release(job.id, job.token, rt.clock().instant());
                if (back.isEmpty()) {
                    log.info("job {} stopped as the queue closes; it is recovered at the next start or when its lease ends", job.id);
                } else if (back.get().status() == JobStatus.QUEUED) {
                    log.info("job {} stopped as the queue closes and went back to the queue", job.id);
                } else {
                    rt.notifier().finished(back.get(), JobEvent.Kind.CANCELLED);
                }
            } catch (RuntimeException e) {
                log.error("job {}: could not give it back to the queue ({}); it is recovered when its lease ends", job.id, e.toString());
            }
            return;
        }
        if (job.cancelRequested()) {
            // Guarded like the failure write below: an exception here would skip the rest of a
            // batch, leaving those jobs claimed by nobody until their lease ran out. Unrecorded,
            // this job is cancelled by lease recovery (its cancel flag is in the store).
            try {
                if (rt.store().finishCancelled(job.id, job.token, rt.clock().instant())) {
                    rt.store().get(job.id).ifPresent(r -> rt.notifier().finished(r, JobEvent.Kind.CANCELLED));
                }
            } catch (RuntimeException e) {
                log.error("job {}: could not record its cancellation: {}", job.id, e.toString());
            }
            return;
        }
        StoreUnavailableException unavailable = storeUnavailable(t);
        if (unavailable != null) {
            // A shared store's server is out of reach (reading the job's reference, say): not the
            // job's fault, so no failure is written. The job keeps its claim until the lease lapses,
            // and recovery queues it again once the store is back (the attempt is counted).
            log.warn("job {} stopped, the store is unavailable; it runs again after its lease: {}", job.id, unavailable.getMessage());
            return;
        }
        String message = t.getMessage() != null && !t.getMessage().isBlank() ? t.getMessage() : t.getClass().getSimpleName();
        if (t instanceof Error) {
            log.error("job {} failed with an error; the worker goes on", job.id, t);
        } else if (t instanceof RuntimeException && !(t instanceof dev.ttsqueue.TtsQueueException)) {
            log.warn("job {} failed: {}", job.id, message, t);
        } else {
            log.info("job {} failed: {}", job.id, message);
        }
        try {
            if (rt.store().fail(job.id, job.token, message, rt.clock().instant())) {
                rt.store().get(job.id).ifPresent(r -> rt.notifier().finished(r, JobEvent.Kind.FAILED));
            }
        } catch (RuntimeException e) {
            log.error("job {}: could not record its failure: {}", job.id, e.toString());
        }
    }

    private static StoreUnavailableException storeUnavailable(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof StoreUnavailableException e) {
                return e;
            }
        }
        return null;
    }

    void joinUntil(long deadlineNanos) {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
            return;
        }
        try {
            TimeUnit.NANOSECONDS.timedJoin(this, left);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
