package dev.ttsqueue.server.internal;

import dev.ttsqueue.TtsJobQueue;
import dev.ttsqueue.micrometer.TtsQueueMetrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The server's Prometheus metrics: the queue's (through {@link TtsQueueMetrics}, the binder
 * embedders use), the JVM's and the process's (Micrometer's binders), and the request bodies
 * still arriving. Every scrape costs the same at any queue length.
 */
public final class ServerMetrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final TtsQueueMetrics queueMetrics;
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private volatile TenantMetrics tenantMetrics;

    public ServerMetrics(TtsJobQueue queue) {
        queueMetrics = new TtsQueueMetrics(queue);
        for (MeterBinder b : List.of(queueMetrics, new JvmMemoryMetrics(), gc, new JvmThreadMetrics(), new ClassLoaderMetrics(),
                new ProcessorMetrics(), new UptimeMetrics(), new FileDescriptorMetrics())) {
            b.bindTo(registry);
        }
    }

    /**
     * Publishes what request bodies still arriving hold: how many there are and their bytes in
     * memory and spool files ({@code ttsq_http_bodies_arriving}, {@code ttsq_http_body_bytes_held}).
     */
    public void watchArrivingBodies(LongSupplier count, LongSupplier bytes) {
        // Strong references: the suppliers are lambdas nobody else holds, and gauges hold theirs weakly.
        Gauge.builder("ttsq.http.bodies.arriving", count, c -> c.getAsLong()).strongReference(true)
                .description("Request bodies still arriving (no thread is held for them)").register(registry);
        Gauge.builder("ttsq.http.body.bytes.held", bytes, b -> b.getAsLong()).strongReference(true)
                .description("Bytes of arriving request bodies kept in memory and spool files").register(registry);
    }

    /**
     * Publishes per-tenant series for {@code tenants} (those of an {@code --api-keys} file); see
     * {@link TenantMetrics}. Call at most once.
     */
    public void watchTenants(TtsJobQueue queue, List<String> tenants) {
        tenantMetrics = new TenantMetrics(queue, tenants, registry);
    }

    /** The Prometheus text exposition (format 0.0.4). */
    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        TenantMetrics tenants = tenantMetrics;
        if (tenants != null) {
            tenants.close();
        }
        queueMetrics.close();
        gc.close();
        registry.close();
    }
}
