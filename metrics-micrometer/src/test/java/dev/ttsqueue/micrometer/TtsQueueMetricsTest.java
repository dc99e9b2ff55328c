package dev.ttsqueue.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.JobHandle;
import dev.ttsqueue.JobRequest;
import dev.ttsqueue.QueueMetricsListener;
import dev.ttsqueue.SynthesisResult;
import dev.ttsqueue.TtsJobQueue;
import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.spi.AudioKind;
import dev.ttsqueue.spi.JobStore;
import dev.ttsqueue.store.InMemoryJobStore;
import dev.ttsqueue.testing.SyntheticBackend;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The binder on a real queue, scraped through a real Prometheus registry on a clock the test moves. */
class TtsQueueMetricsTest {
    private static final long WAIT_SECONDS = 30;

    private final MockClock clock = new MockClock();
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT, new PrometheusRegistry(), clock);
    private final Thread testThread = Thread.currentThread();
    /** Store methods the test thread called, in order. */
    private final List<String> storeCalls = new CopyOnWriteArrayList<>();
    /** Released by each worker's workerIdle, after the binder (registered before it) has counted it. */
    private final Semaphore idle = new Semaphore(0);
    private SyntheticBackend backend;
    private TtsJobQueue queue;
    private TtsQueueMetrics metrics;

    private void start(SyntheticBackend b) {
        backend = b;
        queue = TtsJobQueue.builder().backend(b).store(recording(new InMemoryJobStore()))
                .maintenanceInterval(Duration.ofMillis(50)).build();
        metrics = new TtsQueueMetrics(queue);
        metrics.bindTo(registry);
        queue.addMetricsListener(new QueueMetricsListener() {
            @Override
            public void workerIdle(int worker) {
                idle.release();
            }
        });
    }

    /** The store, recording what the test thread asks of it. */
    private JobStore recording(JobStore store) {
        return (JobStore) Proxy.newProxyInstance(JobStore.class.getClassLoader(), new Class<?>[] {JobStore.class}, (proxy, method, args) -> {
            if (Thread.currentThread() == testThread) {
                storeCalls.add(method.getName());
            }
            try {
                return method.invoke(store, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    @AfterEach
    void tearDown() {
        if (metrics != null) {
            metrics.close();
        }
        if (backend != null) {
            backend.releaseAll();
        }
        if (queue != null) {
            queue.close();
        }
        registry.close();
    }

    private PrometheusText scrape() {
        return PrometheusText.parse(registry.scrape());
    }

    private String reference() throws Exception {
        float[] pcm = new float[2400];
        for (int i = 0; i < pcm.length; i++) {
            pcm[i] = (float) (0.3 * Math.sin(i * 0.05));
        }
        return queue.audioStore().save(AudioKind.UPLOAD, new AudioClip(pcm, 24_000)).id();
    }

    private JobHandle submit(String ref, String text) {
        return queue.submit(JobRequest.ttsGenerate(ref, text).refText("A reference."));
    }

    private void awaitIdle(int spells) throws InterruptedException {
        assertTrue(idle.tryAcquire(spells, WAIT_SECONDS, TimeUnit.SECONDS), "workers did not go idle");
    }

    @Test
    void everySeriesHasHelpTextAndNoneCarriesAJobId() throws Exception {
        start(SyntheticBackend.builder().build());
        JobHandle h = submit(reference(), "Hello there");
        h.result().get(WAIT_SECONDS, TimeUnit.SECONDS);
        awaitIdle(1);
        PrometheusText text = scrape();
        Set<String> families = Set.of("ttsq_queue_size", "ttsq_jobs", "ttsq_workers", "ttsq_workers_stuck",
                "ttsq_jobs_submitted_total", "ttsq_jobs_rejected_total", "ttsq_jobs_finished_total",
                "ttsq_worker_busy_seconds_total", "ttsq_worker_busy_ratio", "ttsq_audio_produced_seconds_total",
                "ttsq_job_real_time_factor", "ttsq_job_wait_seconds", "ttsq_job_duration_seconds");
        for (String family : families) {
            assertTrue(text.types().containsKey(family) || text.types().containsKey(family.replaceFirst("_total$", "")),
                    family + " missing from " + text.types().keySet());
        }
        for (String family : text.types().keySet()) {
            String help = text.help().get(family);
            assertTrue(help != null && !help.isBlank(), family + " has no help text");
        }
        for (PrometheusText.Sample s : text.samples()) {
            assertFalse(s.labels().containsValue(h.id()), s + " carries a job id");
            assertTrue(Set.of("state", "reason", "outcome", "backend", "worker", "le").containsAll(s.labels().keySet()),
                    s + " has an unexpected tag");
        }
        // Ten bounds and +Inf: a histogram costs a dozen series, not the 70 of a percentile histogram.
        assertEquals(11, text.find("ttsq_job_wait_seconds_bucket").size());
        assertEquals(11, text.find("ttsq_job_duration_seconds_bucket").size());
        assertEquals(8, text.find("ttsq_job_real_time_factor_bucket").size());
    }

    @Test
    void countsOutcomesAudioWaitsAndRealTimeFactor() throws Exception {
        start(SyntheticBackend.builder().gated().build());
        String ref = reference();
        JobHandle runs = submit(ref, "Hello there");
        assertTrue(backend.awaitStepsEntered(1, WAIT_SECONDS, TimeUnit.SECONDS));
        JobHandle cancelled = submit(ref, "never runs");
        queue.cancel(cancelled.id());
        backend.releaseAll();
        SynthesisResult result = runs.result().get(WAIT_SECONDS, TimeUnit.SECONDS);
        JobHandle fails = submit(ref, "breaks " + SyntheticBackend.FAIL_MARKER);
        assertThrows(ExecutionException.class, () -> fails.result().get(WAIT_SECONDS, TimeUnit.SECONDS));
        awaitIdle(2);

        PrometheusText text = scrape();
        assertEquals(3, text.value("ttsq_jobs_submitted_total"));
        assertEquals(0, text.value("ttsq_jobs_rejected_total", "reason", "queue_full"));
        assertEquals(1, text.value("ttsq_jobs_finished_total", "outcome", "completed"));
        assertEquals(1, text.value("ttsq_jobs_finished_total", "outcome", "failed"));
        assertEquals(1, text.value("ttsq_jobs_finished_total", "outcome", "cancelled"));
        assertEquals(result.durationSeconds(), text.value("ttsq_audio_produced_seconds_total", "backend", "synthetic"), 1e-9);
        assertEquals(2, text.value("ttsq_job_wait_seconds_count"), "the cancelled job never waited its way to a worker");
        assertEquals(1, text.value("ttsq_job_duration_seconds_count", "backend", "synthetic"));
        assertEquals(1, text.value("ttsq_job_real_time_factor_count", "backend", "synthetic"));
        double run = text.value("ttsq_job_duration_seconds_sum", "backend", "synthetic");
        assertEquals(run / result.durationSeconds(), text.value("ttsq_job_real_time_factor_sum", "backend", "synthetic"), 1e-9);
        assertEquals(1, text.value("ttsq_jobs", "state", "completed"));
        assertEquals(1, text.value("ttsq_jobs", "state", "failed"));
        assertEquals(1, text.value("ttsq_jobs", "state", "cancelled"));
        assertEquals(0, text.value("ttsq_queue_size"));
        assertEquals(1, text.value("ttsq_workers"));
        assertEquals(0, text.value("ttsq_workers_stuck"));
    }

    @Test
    void busyTimeCountsWhileAJobRunsAndStopsWhenItEnds() throws Exception {
        start(SyntheticBackend.builder().gated().build());
        JobHandle h = submit(reference(), "Hello there");
        assertTrue(backend.awaitStepsEntered(1, WAIT_SECONDS, TimeUnit.SECONDS));
        clock.add(5, TimeUnit.SECONDS);
        PrometheusText running = scrape();
        assertEquals(5.0, running.value("ttsq_worker_busy_seconds_total", "worker", "0"), 1e-9);
        assertEquals(1 - Math.exp(-5 / 60.0), running.value("ttsq_worker_busy_ratio", "worker", "0"), 1e-9);
        backend.releaseAll();
        h.result().get(WAIT_SECONDS, TimeUnit.SECONDS);
        awaitIdle(1);
        clock.add(10, TimeUnit.SECONDS);
        PrometheusText after = scrape();
        assertEquals(5.0, after.value("ttsq_worker_busy_seconds_total", "worker", "0"), 1e-9);
        assertEquals((1 - Math.exp(-5 / 60.0)) * Math.exp(-10 / 60.0), after.value("ttsq_worker_busy_ratio", "worker", "0"), 1e-9);
    }

    @Test
    void aScrapeReadsTheStoreCountersOnceASecondAndListsNoJob() throws Exception {
        start(SyntheticBackend.builder().gated().build());
        String ref = reference();
        submit(ref, "runs");
        assertTrue(backend.awaitStepsEntered(1, WAIT_SECONDS, TimeUnit.SECONDS));
        for (int i = 0; i < 500; i++) {
            submit(ref, "waits " + i);
        }
        storeCalls.clear();
        PrometheusText first = scrape();
        assertEquals(500, first.value("ttsq_queue_size"));
        assertEquals(500, first.value("ttsq_jobs", "state", "queued"));
        assertEquals(1, first.value("ttsq_jobs", "state", "processing"));
        assertEquals(List.of("counts"), storeCalls, "one scrape, one read of the store's counters");

        submit(ref, "one more");
        storeCalls.clear();
        assertEquals(500, scrape().value("ttsq_queue_size"), "read again within the second");
        assertEquals(List.of(), storeCalls);
        clock.add(1, TimeUnit.SECONDS);
        assertEquals(501, scrape().value("ttsq_queue_size"));
        assertEquals(List.of("counts"), storeCalls);
    }

    @Test
    void givenTagsGoOnEveryMeterAndCloseRemovesThem() throws Exception {
        start(SyntheticBackend.builder().build());
        TtsQueueMetrics tagged = new TtsQueueMetrics(queue, Tags.of("queue", "second"));
        tagged.bindTo(registry);
        List<Meter> second = registry.getMeters().stream().filter(m -> "second".equals(m.getId().getTag("queue"))).toList();
        Set<String> names = second.stream().map(m -> m.getId().getName()).collect(Collectors.toSet());
        assertEquals(registry.getMeters().stream().filter(m -> m.getId().getTag("queue") == null).map(m -> m.getId().getName())
                .collect(Collectors.toSet()), names, "the same meters, tagged");

        tagged.close();
        assertTrue(registry.getMeters().stream().noneMatch(m -> m.getId().getTag("queue") != null));
        assertThrows(IllegalStateException.class, () -> tagged.bindTo(registry));
        submit(reference(), "Hello there").result().get(WAIT_SECONDS, TimeUnit.SECONDS);
        awaitIdle(1);
        assertEquals(1, scrape().value("ttsq_jobs_submitted_total"), "the open binder still counts");

        metrics.close();
        assertTrue(registry.getMeters().stream().noneMatch(m -> m.getId().getName().startsWith("ttsq.")));
    }
}
