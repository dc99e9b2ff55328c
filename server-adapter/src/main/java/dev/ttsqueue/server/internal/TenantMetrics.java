package dev.ttsqueue.server.internal;

import dev.ttsqueue.JobEvent;
import dev.ttsqueue.JobSnapshot;
import dev.ttsqueue.Subscription;
import dev.ttsqueue.TtsJobQueue;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Per-tenant series for the tenants of an {@code --api-keys} file, tagged {@code tenant}: jobs
 * queued and running now ({@code ttsq_tenant_jobs_queued}, {@code ttsq_tenant_jobs_running}, read
 * from the queue's per-tenant counters at each scrape), jobs finished by status
 * ({@code ttsq_tenant_jobs_finished_total}), time waited before starting
 * ({@code ttsq_tenant_queue_wait_seconds}) and seconds of audio produced
 * ({@code ttsq_tenant_audio_seconds_total}). Only tenants named in the file get series, so their
 * number is bounded by the file; the anonymous tenant is tagged {@value #ANONYMOUS}.
 *
 * <p>It listens to the queue's job events, on the thread where they happen: a few map lookups each.
 */
final class TenantMetrics implements AutoCloseable {
    /** The tag value of the anonymous tenant. */
    static final String ANONYMOUS = "anonymous";

    private final Map<String, Timer> waits = new HashMap<>();
    private final Map<String, Counter> audio = new HashMap<>();
    private final Map<String, Map<String, Counter>> finished = new HashMap<>();
    private final Subscription subscription;

    TenantMetrics(TtsJobQueue queue, List<String> tenants, MeterRegistry registry) {
        for (String t : tenants) {
            String tag = tag(t);
            Gauge.builder("ttsq.tenant.jobs.queued", () -> queue.tenantCounts(t).queued()).tag("tenant", tag)
                    .description("Jobs of the tenant waiting in the queue").register(registry);
            Gauge.builder("ttsq.tenant.jobs.running", () -> queue.tenantCounts(t).processing()).tag("tenant", tag)
                    .description("Jobs of the tenant running now").register(registry);
            waits.put(t, Timer.builder("ttsq.tenant.queue.wait").tag("tenant", tag)
                    .description("Time the tenant's jobs waited before they started").register(registry));
            audio.put(t, Counter.builder("ttsq.tenant.audio.seconds").tag("tenant", tag)
                    .description("Seconds of audio produced for the tenant").register(registry));
            Map<String, Counter> byStatus = new HashMap<>();
            for (String status : List.of("completed", "failed", "cancelled")) {
                byStatus.put(status, Counter.builder("ttsq.tenant.jobs.finished").tag("tenant", tag).tag("status", status)
                        .description("Jobs of the tenant that ended, by status").register(registry));
            }
            finished.put(t, byStatus);
        }
        subscription = queue.addListener(this::onEvent);
    }

    private void onEvent(JobEvent e) {
        JobSnapshot s = e.snapshot();
        String tenant = s.tenant();
        switch (e.kind()) {
            case STARTED -> {
                Timer t = waits.get(tenant);
                if (t != null && s.createdAt() != null && s.startedAt() != null) {
                    t.record(Duration.between(s.createdAt(), s.startedAt()));
                }
            }
            case COMPLETED, FAILED, CANCELLED -> {
                Map<String, Counter> byStatus = finished.get(tenant);
                if (byStatus != null) {
                    byStatus.get(e.kind().name().toLowerCase(Locale.ROOT)).increment();
                }
                Counter a = audio.get(tenant);
                if (a != null && s.result() != null) {
                    a.increment(s.result().durationSeconds());
                }
            }
            default -> {
                // queued and progress events change no per-tenant series kept here
            }
        }
    }

    static String tag(String tenant) {
        return tenant.isEmpty() ? ANONYMOUS : tenant;
    }

    @Override
    public void close() {
        subscription.close();
    }
}
