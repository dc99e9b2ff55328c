package dev.ttsqueue.micrometer;

import dev.ttsqueue.JobStatus;
import dev.ttsqueue.JobType;
import dev.ttsqueue.QueueMetricsListener;
import dev.ttsqueue.TtsJobQueue;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The meters of one queue in one registry, and the metrics listener that feeds them. The names
 * and bucket bounds are {@link TtsQueueMetrics}'s documented contract.
 */
final class QueueMeters implements QueueMetricsListener {
    static final Duration[] WAIT_BUCKETS = seconds(0.1, 0.5, 1, 5, 15, 30, 60, 300, 900, 3600);
    static final Duration[] RUN_BUCKETS = seconds(0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600);
    static final double[] REAL_TIME_FACTOR_BUCKETS = {0.05, 0.1, 0.25, 0.5, 1, 2, 5};

    private final List<Meter> meters = new ArrayList<>();
    private final WorkerBusyTime busy;
    private final Counter submitted;
    private final Counter rejected;
    private final Counter completed;
    private final Counter failed;
    private final Counter cancelled;
    private final Counter audioProduced;
    private final Timer wait;
    private final Timer runTime;
    private final DistributionSummary realTimeFactor;

    QueueMeters(TtsJobQueue queue, Iterable<Tag> tags, MeterRegistry registry) {
        Tags common = Tags.of(tags);
        Tags backend = common.and("backend", queue.backendInfo().name());
        JobCountsCache counts = new JobCountsCache(queue, registry.config().clock());
        busy = new WorkerBusyTime(registry.config().clock(), queue.workers());

        add(Gauge.builder("ttsq.queue.size", counts, c -> c.count(JobStatus.QUEUED)).tags(common)
                .description("Jobs waiting to run (the queue's depth)").register(registry));
        for (JobStatus s : JobStatus.values()) {
            add(Gauge.builder("ttsq.jobs", counts, c -> c.count(s)).tags(common).tag("state", s.wireName())
                    .description("Jobs the store holds, by state").register(registry));
        }
        add(Gauge.builder("ttsq.workers", queue, TtsJobQueue::workers).tags(common)
                .description("Workers (devices) of the queue").register(registry));
        add(Gauge.builder("ttsq.workers.stuck", queue, q -> q.stuckWorkers()).tags(common)
                .description("Workers whose backend call has not returned a minute after its job was told to stop")
                .register(registry));

        submitted = add(Counter.builder("ttsq.jobs.submitted").tags(common)
                .description("Jobs accepted by the queue").register(registry));
        rejected = add(Counter.builder("ttsq.jobs.rejected").tags(common).tag("reason", "queue_full")
                .description("Submissions refused").register(registry));
        completed = finished(registry, common, "completed");
        failed = finished(registry, common, "failed");
        cancelled = finished(registry, common, "cancelled");
        audioProduced = add(Counter.builder("ttsq.audio.produced").tags(backend).baseUnit("seconds")
                .description("Seconds of audio produced by completed jobs").register(registry));

        wait = add(Timer.builder("ttsq.job.wait").tags(common).serviceLevelObjectives(WAIT_BUCKETS)
                .description("Time jobs spent queued before a worker took them").register(registry));
        runTime = add(Timer.builder("ttsq.job.duration").tags(backend).serviceLevelObjectives(RUN_BUCKETS)
                .description("Time from start to completion of completed jobs").register(registry));
        realTimeFactor = add(DistributionSummary.builder("ttsq.job.real.time.factor").tags(backend)
                .serviceLevelObjectives(REAL_TIME_FACTOR_BUCKETS)
                .description("Run time over seconds of audio produced, per completed job: below 1 is faster than real time")
                .register(registry));

        for (int i = 0; i < busy.workers(); i++) {
            int worker = i;
            Tags tagged = common.and("worker", Integer.toString(worker));
            add(FunctionCounter.builder("ttsq.worker.busy", busy, b -> b.busySeconds(worker)).tags(tagged).baseUnit("seconds")
                    .description("Seconds each worker spent with work (claim to stored result); its rate is the worker's busy ratio")
                    .register(registry));
            add(Gauge.builder("ttsq.worker.busy.ratio", busy, b -> b.busyRatio(worker)).tags(tagged)
                    .description("Share of recent time each worker spent with work, 0 to 1, weighted over about a minute as the load average is")
                    .register(registry));
        }
    }

    private Counter finished(MeterRegistry registry, Tags common, String outcome) {
        return add(Counter.builder("ttsq.jobs.finished").tags(common).tag("outcome", outcome)
                .description("Jobs that reached a terminal state, by outcome").register(registry));
    }

    private <M extends Meter> M add(M meter) {
        meters.add(meter);
        return meter;
    }

    /** Every meter registered here, for removal when the binder closes. */
    List<Meter> meters() {
        return meters;
    }

    @Override
    public void jobSubmitted(JobType type, int priority) {
        submitted.increment();
    }

    @Override
    public void jobRejected(JobType type) {
        rejected.increment();
    }

    @Override
    public void jobStarted(JobType type, Duration queueWait) {
        wait.record(queueWait);
    }

    @Override
    public void jobFinished(JobType type, JobStatus status, Duration runTime, double audioSeconds) {
        switch (status) {
            case COMPLETED -> completedJob(runTime, audioSeconds);
            case FAILED -> failed.increment();
            case CANCELLED -> cancelled.increment();
            default -> {
                // not terminal: never told
            }
        }
    }

    private void completedJob(Duration run, double audioSeconds) {
        completed.increment();
        if (audioSeconds > 0) {
            audioProduced.increment(audioSeconds);
        }
        if (run != null) {
            runTime.record(run);
            if (audioSeconds > 0) {
                realTimeFactor.record(run.toNanos() / 1e9 / audioSeconds);
            }
        }
    }

    @Override
    public void workerBusy(int worker) {
        busy.busy(worker);
    }

    @Override
    public void workerIdle(int worker) {
        busy.idle(worker);
    }

    private static Duration[] seconds(double... values) {
        Duration[] out = new Duration[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Duration.ofNanos(Math.round(values[i] * 1e9));
        }
        return out;
    }
}
