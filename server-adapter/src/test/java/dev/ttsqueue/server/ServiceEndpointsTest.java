package dev.ttsqueue.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceEndpointsTest {
    @TempDir
    static java.nio.file.Path dir;
    static TestServer s;

    @BeforeAll
    static void start() throws Exception {
        s = TestServer.builder(dir).start();
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    @Test
    void rootDescribesTheService() {
        JsonNode j = s.get("/").json();
        for (String f : new String[] {"message", "version", "endpoints", "model", "default_settings", "advanced_settings"}) {
            assertTrue(j.has(f), f);
        }
        JsonNode d = j.get("default_settings");
        assertTrue(d.get("randomize_seed").asBoolean());
        assertEquals(0, d.get("seed").asInt());
        assertFalse(d.get("remove_silence").asBoolean());
        assertEquals(1.0, d.get("speed").asDouble());
        assertEquals(32, d.get("nfe_step").asInt());
        assertEquals(0.15, d.get("cross_fade_duration").asDouble());
        assertEquals("synthetic", j.get("model").get("name").asText());
        assertTrue(j.get("version").asText().matches("\\d+\\.\\d+.*"), j.get("version").asText());
    }

    @Test
    void healthReportsModelAndStore() {
        TestServer.Reply r = s.get("/health");
        assertEquals(200, r.status());
        JsonNode j = r.json();
        assertEquals("healthy", j.get("status").asText());
        assertTrue(j.get("model_loaded").asBoolean());
        assertTrue(j.get("vocoder_loaded").asBoolean());
        assertEquals("synthetic", j.get("backend").asText());
        assertFalse(j.get("store").asText().isEmpty());
    }

    @Test
    void metricsArePrometheusText() {
        s.submitAsync(s.upload(), "metric job", 0);
        TestServer.Reply r = s.get("/metrics");
        assertEquals(200, r.status());
        assertTrue(r.header("Content-Type").startsWith("text/plain"), r.header("Content-Type"));
        String t = r.text();
        // The series dashboards already read keep their names; the queue's new ones and the JVM's join them.
        for (String name : new String[] {"ttsq_queue_size", "ttsq_jobs{state=\"queued\"}", "ttsq_jobs{state=\"completed\"}",
                "ttsq_workers ", "ttsq_workers_stuck ", "ttsq_jobs_submitted_total", "ttsq_jobs_finished_total{outcome=\"completed\"}",
                "ttsq_job_duration_seconds_bucket", "ttsq_job_wait_seconds_bucket", "ttsq_jobs_rejected_total",
                "ttsq_http_bodies_arriving", "ttsq_http_body_bytes_held", "ttsq_worker_busy_seconds_total{worker=\"0\"}",
                "ttsq_worker_busy_ratio{worker=\"0\"}", "ttsq_audio_produced_seconds_total", "ttsq_job_real_time_factor_bucket",
                "jvm_memory_used_bytes", "jvm_gc_", "jvm_threads_live_threads", "jvm_classes_loaded_classes",
                "process_cpu_usage", "system_cpu_count", "process_uptime_seconds", "process_start_time_seconds"}) {
            assertTrue(t.contains(name), name + " missing in\n" + t);
        }
        assertTrue(t.lines().anyMatch(l -> l.startsWith("ttsq_jobs_submitted_total") && !l.endsWith(" 0.0")), t);
        java.util.Set<String> helped = t.lines().filter(l -> l.startsWith("# HELP ") && l.split(" ", 4).length == 4)
                .map(l -> l.split(" ")[2]).collect(java.util.stream.Collectors.toSet());
        java.util.List<String> typedWithoutHelp = t.lines().filter(l -> l.startsWith("# TYPE ")).map(l -> l.split(" ")[2])
                .filter(f -> !helped.contains(f)).toList();
        assertTrue(typedWithoutHelp.isEmpty(), "series without help text: " + typedWithoutHelp);
    }

    @Test
    void docsServeSwaggerUiPointingAtTheDocument() {
        TestServer.Reply page = s.get("/docs");
        assertEquals(200, page.status());
        assertTrue(page.text().contains("/openapi.json"));
        TestServer.Reply js = s.get("/webjars/swagger-ui/swagger-ui-bundle.js");
        assertEquals(200, js.status());
        assertTrue(js.body().length > 10_000);
        assertEquals(200, s.get("/webjars/swagger-ui/swagger-ui.css").status());
        assertEquals(404, s.get("/webjars/swagger-ui/..").status());
        assertEquals(404, s.get("/webjars/swagger-ui/nothing.js").status());
    }

    @Test
    void unknownPathsAndMethodsAreFastApiShaped() {
        TestServer.Reply r = s.get("/no/such/thing");
        assertEquals(404, r.status());
        assertEquals("Not Found", r.detail());
        TestServer.Reply m = s.send(s.request("/health").DELETE().build());
        assertEquals(405, m.status());
        assertEquals("Method Not Allowed", m.detail());
    }

    @Test
    void bindingATakenPortFailsClearly() {
        ServerConfig taken = s.config.withPort(s.server.port());
        java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () -> TtsServer.start(taken, s.queue));
        assertTrue(String.valueOf(e.getMessage()).contains(String.valueOf(s.server.port())), e.getMessage());
        assertEquals(200, s.get("/health").status(), "the running server is untouched");
    }

    @Test
    void queueStatusHasTheOldFieldsAndTheNewOnes() {
        JsonNode j = s.get("/jobs/queue-status").json();
        for (String f : new String[] {"queue_size", "total_jobs", "job_counts", "current_job", "workers"}) {
            assertTrue(j.has(f), f);
        }
        for (String st : new String[] {"queued", "processing", "completed", "failed", "cancelled"}) {
            assertNotNull(j.get("job_counts").get(st), st);
        }
        assertEquals(1, j.get("workers").asInt());
    }
}
