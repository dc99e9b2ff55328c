package dev.ttsqueue.internal;

import dev.ttsqueue.JobEvent;
import dev.ttsqueue.JobType;
import dev.ttsqueue.SynthesisResult;
import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.audio.SilenceRemover;
import dev.ttsqueue.spi.AudioEntry;
import dev.ttsqueue.spi.AudioKind;
import dev.ttsqueue.spi.Claim;
import dev.ttsqueue.spi.JobRecord;
import dev.ttsqueue.spi.SynthesisRequest;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One device's thread: claims a job, runs it to an end, claims the next. Nothing a job does —
 * an exception, an error, a bad reference — stops the loop; only {@code close()} does.
 */
final class Worker extends Thread {
    private static final Logger log = LoggerFactory.getLogger(Worker.class);
    private final QueueEngine engine;

    Worker(QueueEngine engine, String name) {
        super(name);
        this.engine = engine;
        setDaemon(true);
    }

    @Override
    public void run() {
        while (engine.takingWork()) {
            long seen = engine.wakeVersion();
            try {
                Optional<Claim> claim = engine.store.claimNext(getName(), engine.clock.instant(), engine.cfg.leaseDuration());
                if (claim.isPresent()) {
                    process(claim.get());
                } else {
                    engine.awaitWork(seen);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.warn("{}: could not claim a job; retrying: {}", getName(), e.toString());
                try {
                    engine.awaitWork(seen);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void process(Claim claim) {
        RunningJob job = new RunningJob(engine, claim);
        engine.running.put(job.id, job);
        try {
            engine.publish(JobEvent.Kind.STARTED, claim.job(), null);
            run(job);
        } catch (Throwable t) {
            onFailure(job, t);
        } finally {
            engine.running.remove(job.id);
        }
    }

    private void run(RunningJob job) throws Exception {
        JobRecord record = job.record();
        SynthesisRequest request = engine.references.resolve(record.request(), record.seed());
        job.throwIfCancelled();
        AudioClip audio = engine.cfg.backend().synthesize(request, job);
        job.throwIfCancelled();
        if (audio == null) {
            throw new IllegalStateException("backend " + engine.backendInfo.name() + " returned no audio");
        }
        if (request.settings().removeSilence()) {
            audio = SilenceRemover.removeSilence(audio);
        }
        AudioEntry output = engine.cfg.audioStore().save(AudioKind.OUTPUT, audio);
        SynthesisResult result = new SynthesisResult(output.id(), request.refText(), request.text(), record.seed(),
                record.type() == JobType.TTS_PERMANENT ? record.request().voiceName() : null,
                audio.durationSeconds(), audio.sampleRate(), engine.backendInfo.name(), note());
        java.time.Instant now = engine.clock.instant();
        if (engine.store.complete(job.id, job.token, result, now)) {
            engine.speed.recordJob(job.stepsTotal());
            engine.finished(job.record().completed(result, now), JobEvent.Kind.COMPLETED);
        } else {
            // Timed out or taken over meanwhile: the job's outcome was already written by someone else.
            log.warn("job {}: result discarded, the job was {} meanwhile", job.id, job.timedOut() ? "timed out" : "taken over");
            engine.cfg.audioStore().delete(output.id());
        }
    }

    private String note() {
        if (engine.backendInfo.clonesVoices()) {
            return null;
        }
        return "Backend " + engine.backendInfo.name() + " does not clone voices: the reference audio was ignored";
    }

    private void onFailure(RunningJob job, Throwable t) {
        if (job.timedOut() || job.lost()) {
            log.info("job {} stopped after {}", job.id, job.timedOut() ? "its timeout" : "losing its lease");
            return;
        }
        if (job.cancelRequested()) {
            if (engine.store.finishCancelled(job.id, job.token, engine.clock.instant())) {
                engine.store.get(job.id).ifPresent(r -> engine.finished(r, JobEvent.Kind.CANCELLED));
            }
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
            if (engine.store.fail(job.id, job.token, message, engine.clock.instant())) {
                engine.store.get(job.id).ifPresent(r -> engine.finished(r, JobEvent.Kind.FAILED));
            }
        } catch (RuntimeException e) {
            log.error("job {}: could not record its failure: {}", job.id, e.toString());
        }
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
