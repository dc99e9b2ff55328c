package dev.ttsqueue.micrometer;

import dev.ttsqueue.Subscription;
import dev.ttsqueue.TtsJobQueue;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Binds a {@link TtsJobQueue}'s metrics to any Micrometer {@link MeterRegistry}:
 *
 * <pre>{@code
 * TtsQueueMetrics metrics = new TtsQueueMetrics(queue);
 * metrics.bindTo(registry);          // e.g. a PrometheusMeterRegistry
 * ...
 * metrics.close();                   // before the queue closes: stops listening, removes the meters
 * }</pre>
 *
 * <p>Meters (Prometheus names in brackets; every one has a description):
 * <ul>
 *   <li>{@code ttsq.queue.size} [{@code ttsq_queue_size}]: jobs waiting to run;
 *       {@code ttsq.jobs{state}} [{@code ttsq_jobs}]: jobs by state. Read from the counters the
 *       store keeps, at most once a second whatever the number of series or scrapes, never by
 *       listing jobs: a scrape costs the same at any queue length. On a shared store they are the
 *       whole cluster's.</li>
 *   <li>{@code ttsq.workers}, {@code ttsq.workers.stuck}: workers of this queue, and those stuck in a
 *       backend call that ignores its stop.</li>
 *   <li>{@code ttsq.jobs.submitted} [{@code ttsq_jobs_submitted_total}],
 *       {@code ttsq.jobs.rejected{reason="queue_full"}} and
 *       {@code ttsq.jobs.finished{outcome="completed"|"failed"|"cancelled"}}: counters of this process.</li>
 *   <li>{@code ttsq.worker.busy{worker}} [{@code ttsq_worker_busy_seconds_total}]: seconds each
 *       worker spent with work, counting while a job runs; its {@code rate()} is the busy ratio.
 *       {@code ttsq.worker.busy.ratio{worker}}: the same share weighted over about a minute, for
 *       registries without {@code rate()}.</li>
 *   <li>{@code ttsq.audio.produced{backend}} [{@code ttsq_audio_produced_seconds_total}]: seconds of
 *       audio made by completed jobs.</li>
 *   <li>{@code ttsq.job.real.time.factor{backend}}: run time over audio seconds per completed job
 *       (below 1 is faster than real time), a histogram with bounds 0.05 to 5.</li>
 *   <li>{@code ttsq.job.wait} [{@code ttsq_job_wait_seconds}]: time queued before a worker took the
 *       job, buckets 0.1 s to 1 h; {@code ttsq.job.duration{backend}}
 *       [{@code ttsq_job_duration_seconds}]: start to completion of completed jobs, buckets 0.5 s to
 *       10 min. Ten buckets each, so a histogram costs a dozen series.</li>
 * </ul>
 * No tag carries a job id, a text or a voice: the series are as many as the states, outcomes and
 * workers, whatever runs through the queue. Tags given to the constructor are added to every meter
 * (to tell several queues in one registry apart).
 *
 * <p>The counters and histograms start at zero when bound and count from then on; a worker busy
 * at that moment counts from its next job. Listeners run on the queue's threads and only count
 * (see {@link dev.ttsqueue.QueueMetricsListener}); durations are measured on the registry's
 * {@link io.micrometer.core.instrument.Clock}. One binder may be bound to several registries.
 */
public final class TtsQueueMetrics implements MeterBinder, AutoCloseable {
    private final TtsJobQueue queue;
    private final List<Tag> tags;
    private final List<Binding> bindings = new ArrayList<>();
    private boolean closed;

    /** Metrics of {@code queue} with no extra tags. */
    public TtsQueueMetrics(TtsJobQueue queue) {
        this(queue, List.of());
    }

    /**
     * Metrics of {@code queue}, each meter also tagged with {@code tags}.
     *
     * @throws NullPointerException when {@code queue} or {@code tags} is null
     */
    public TtsQueueMetrics(TtsJobQueue queue, Iterable<Tag> tags) {
        this.queue = Objects.requireNonNull(queue, "queue");
        List<Tag> copy = new ArrayList<>();
        Objects.requireNonNull(tags, "tags").forEach(copy::add);
        this.tags = List.copyOf(copy);
    }

    /**
     * Registers the meters in {@code registry} and starts listening to the queue.
     *
     * @throws IllegalStateException after {@link #close()}
     */
    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        if (closed) {
            throw new IllegalStateException("These queue metrics were closed; make a new TtsQueueMetrics to bind again");
        }
        QueueMeters meters = new QueueMeters(queue, tags, registry);
        bindings.add(new Binding(registry, meters.meters(), queue.addMetricsListener(meters)));
    }

    /** Stops listening to the queue and removes this binder's meters from every registry it was bound to. Idempotent. */
    @Override
    public synchronized void close() {
        for (Binding b : bindings) {
            b.subscription().close();
            b.meters().forEach(b.registry()::remove);
        }
        bindings.clear();
        closed = true;
    }

    private record Binding(MeterRegistry registry, List<Meter> meters, Subscription subscription) {
    }
}
