package dev.ttsqueue.server.internal;

import dev.ttsqueue.JobStatus;
import dev.ttsqueue.JobType;
import dev.ttsqueue.QueueMetricsListener;
import dev.ttsqueue.QueueStatus;
import dev.ttsqueue.Subscription;
import dev.ttsqueue.TtsJobQueue;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The server's Prometheus metrics: queue size and jobs per state (read from the queue at scrape
 * time), and submissions, refusals, waits, durations and outcomes (from a
 * {@link QueueMetricsListener}, told of each milestone on the thread where it happens, so that no
 * job event or snapshot is built for the metrics).
 */
public final class ServerMetrics implements QueueMetricsListener, AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final TtsJobQueue queue;
    private final AtomicReference<QueueStatus> lastStatus = new AtomicReference<>();
    private final Counter submitted;
    private final Counter rejectedFull;
    private final Counter completed;
    private final Counter failed;
    private final Counter cancelled;
    private final Timer duration;
    private final Timer wait;
    private final Subscription subscription;

    public ServerMetrics(TtsJobQueue queue) {
        this.queue = queue;
        String backend = queue.backendInfo().name();
        Gauge.builder("ttsq.queue.size", this, m -> m.status().queueSize())
                .description("Jobs waiting to run").register(registry);
        Gauge.builder("ttsq.workers", this, m -> m.status().workers())
                .description("Workers (devices) of the queue").register(registry);
        Gauge.builder("ttsq.workers.stuck", this, m -> m.status().stuckWorkers())
                .description("Workers whose backend call has not returned a minute after its job was told to stop").register(registry);
        for (JobStatus s : JobStatus.values()) {
            Gauge.builder("ttsq.jobs", this, m -> m.status().count(s)).tag("state", s.wireName())
                    .description("Jobs the store holds, by state").register(registry);
        }
        submitted = Counter.builder("ttsq.jobs.submitted").description("Jobs accepted through the API").register(registry);
        rejectedFull = Counter.builder("ttsq.jobs.rejected").tag("reason", "queue_full")
                .description("Submissions refused").register(registry);
        completed = Counter.builder("ttsq.jobs.finished").tag("outcome", "completed")
                .description("Jobs that reached a terminal state, by outcome").register(registry);
        failed = Counter.builder("ttsq.jobs.finished").tag("outcome", "failed").register(registry);
        cancelled = Counter.builder("ttsq.jobs.finished").tag("outcome", "cancelled").register(registry);
        duration = Timer.builder("ttsq.job.duration").tag("backend", backend)
                .description("Time from start to completion of completed jobs").publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(10)).maximumExpectedValue(Duration.ofMinutes(10)).register(registry);
        wait = Timer.builder("ttsq.job.wait").description("Time jobs spent queued before a worker took them")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofHours(1))
                .register(registry);
        subscription = queue.addMetricsListener(this);
    }

    private QueueStatus status() {
        QueueStatus s = lastStatus.get();
        return s != null ? s : queue.queueStatus();
    }

    /**
     * Publishes what request bodies still arriving hold: how many there are and their bytes in
     * memory and spool files ({@code ttsq_http_bodies_arriving}, {@code ttsq_http_body_bytes_held}).
     */
    public void watchArrivingBodies(java.util.function.LongSupplier count, java.util.function.LongSupplier bytes) {
        // Strong references: the suppliers are lambdas nobody else holds, and gauges hold theirs weakly.
        Gauge.builder("ttsq.http.bodies.arriving", count, c -> c.getAsLong()).strongReference(true)
                .description("Request bodies still arriving (no thread is held for them)").register(registry);
        Gauge.builder("ttsq.http.body.bytes.held", bytes, b -> b.getAsLong()).strongReference(true)
                .description("Bytes of arriving request bodies kept in memory and spool files").register(registry);
    }

    @Override
    public void jobSubmitted(JobType type, int priority) {
        submitted.increment();
    }

    @Override
    public void jobRejected(JobType type) {
        rejectedFull.increment();
    }

    @Override
    public void jobStarted(JobType type, Duration queueWait) {
        wait.record(queueWait);
    }

    @Override
    public void jobFinished(JobType type, JobStatus status, Duration runTime, double audioSeconds) {
        switch (status) {
            case COMPLETED -> {
                completed.increment();
                if (runTime != null) {
                    duration.record(runTime);
                }
            }
            case FAILED -> failed.increment();
            case CANCELLED -> cancelled.increment();
            default -> {
            }
        }
    }

    /** The Prometheus text exposition; queue counts are read once per scrape. */
    public String scrape() {
        lastStatus.set(queue.queueStatus());
        try {
            return registry.scrape();
        } finally {
            lastStatus.set(null);
        }
    }

    @Override
    public void close() {
        subscription.close();
        registry.close();
    }
}
