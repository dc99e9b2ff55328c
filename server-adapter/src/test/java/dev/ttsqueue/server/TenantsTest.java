package dev.ttsqueue.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ttsqueue.JobEvent;
import dev.ttsqueue.server.internal.TenantQuotas;
import dev.ttsqueue.testing.MutableClock;
import dev.ttsqueue.testing.SyntheticBackend;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tenants from an {@code --api-keys} file, on a real server: quotas, isolation, fair share, admin. */
class TenantsTest {
    static final String ALPHA = "alpha-key-0123456789";
    static final String BETA = "beta-key-0123456789x";
    static final String SLOW = "slow-key-0123456789x";
    static final String ADMIN = "admin-key-0123456789";

    @TempDir
    Path dir;

    private TestServer start(SyntheticBackend backend, MutableClock clock) throws IOException {
        Path keys = dir.resolve("keys.txt");
        Files.writeString(keys, String.join("\n",
                "# key tenant weight max_queued rate_per_s [admin]",
                ALPHA + " alpha 1 2 0",
                BETA + " beta 1 0 0",
                SLOW + " slow 1 0 0.5",
                ADMIN + " ops 1 0 0 admin", ""));
        TestServer.Builder b = TestServer.builder(dir).backend(backend).config(c -> c.withApiKeysFile(keys));
        if (clock != null) {
            b.clock(clock);
        }
        return b.start();
    }

    private static String submit(TestServer s, String key, String fileId, String text) {
        s.apiKey = key;
        return s.submitAsync(fileId, text, 0);
    }

    @Test
    void everySubmitCarriesTheCallersTenantAndItsMetricsAreTaggedWithIt() throws Exception {
        try (TestServer s = start(SyntheticBackend.builder().build(), null)) {
            // Registered after the server's own listener, which is told of each event first.
            CountDownLatch finished = new CountDownLatch(1);
            s.queue.addListener(e -> {
                if (e.kind() == JobEvent.Kind.COMPLETED && e.snapshot().tenant().equals("alpha")) {
                    finished.countDown();
                }
            });
            s.apiKey = ALPHA;
            String id = s.submitAsync(s.upload(), "hello", 0);
            assertEquals("alpha", s.queue.status(id).tenant());
            assertTrue(finished.await(30, TimeUnit.SECONDS));
            s.apiKey = ADMIN;
            String metrics = s.get("/metrics").text();
            assertTrue(metrics.contains("ttsq_tenant_jobs_finished_total{status=\"completed\",tenant=\"alpha\"} 1.0"), metrics);
            assertTrue(metrics.contains("ttsq_tenant_queue_wait_seconds_count{tenant=\"alpha\"} 1"), metrics);
            assertTrue(metrics.contains("ttsq_tenant_jobs_queued{tenant=\"beta\"} 0.0"), metrics);
            assertTrue(metrics.contains("ttsq_tenant_jobs_running{tenant=\"ops\"} 0.0"), metrics);
            assertTrue(metrics.matches("(?s).*ttsq_tenant_audio_seconds_total\\{tenant=\"alpha\"} 0\\.[0-9]*[1-9].*"), metrics);
            s.apiKey = ADMIN;
            String ops = s.submitAsync(s.upload(), "hello", 0);
            assertEquals("ops", s.queue.status(ops).tenant());
        }
    }

    /** The old server's endpoints that queue a job, each with a valid body for tenant use. */
    private static List<Function<TestServer, TestServer.Reply>> submitEndpoints(String fileId) {
        Map<String, Object> form = new LinkedHashMap<>();
        form.put("audio_file_id", fileId);
        form.put("text", "more");
        Map<String, Object> voiceForm = Map.of("voice_name", "missing", "text", "more");
        Map<String, Object> cloning = Map.of("text", "more", "audio_file", TestServer.wavFile(0.5));
        return List.of(
                s -> s.postJson("/jobs/submit", Map.of("job_type", "voice_cloning",
                        "parameters", Map.of("audio_file_id", fileId, "gen_text", "more"))),
                s -> s.postForm("/jobs/tts-generate-async", form),
                s -> s.postForm("/jobs/voice-cloning-async", form),
                s -> s.postForm("/jobs/tts-permanent-async", voiceForm),
                s -> s.postJson("/tts-generate", Map.of("audio_file_id", fileId, "text", "more")),
                s -> s.postJson("/tts-permanent", Map.of("voice_name", "missing", "text", "more")),
                s -> s.postMultipart("/voice-cloning", cloning));
    }

    @Test
    void aTenantPastItsQueuedLimitGets429WithRetryAfterOnEverySubmittingEndpointWhileOthersStillSubmit() throws Exception {
        SyntheticBackend backend = SyntheticBackend.builder().steps(1).gated().build();
        try (TestServer s = start(backend, null)) {
            s.apiKey = ALPHA;
            String file = s.upload();
            submit(s, ALPHA, file, "running");
            assertTrue(backend.awaitStepsEntered(1, 10, TimeUnit.SECONDS));
            submit(s, ALPHA, file, "queued one");
            submit(s, ALPHA, file, "queued two");
            assertEquals(2, s.queue.tenantCounts("alpha").queued());
            int endpoint = 0;
            for (Function<TestServer, TestServer.Reply> send : submitEndpoints(file)) {
                s.apiKey = ALPHA;
                TestServer.Reply r = send.apply(s);
                assertEquals(429, r.status(), "endpoint " + endpoint + ": " + r.text());
                assertEquals(String.valueOf(TenantQuotas.QUEUED_RETRY_SECONDS), r.header("Retry-After"));
                assertTrue(r.json().get("detail").asText().startsWith("Tenant 'alpha' already has 2 queued jobs, its limit is 2"),
                        r.text());
                endpoint++;
            }
            assertEquals(2, s.queue.tenantCounts("alpha").queued(), "nothing refused was queued");
            s.apiKey = BETA;
            String betaFile = s.upload();
            for (int i = 0; i < 5; i++) {
                submit(s, BETA, betaFile, "beta " + i);
            }
            assertEquals(5, s.queue.tenantCounts("beta").queued());
        }
    }

    @Test
    void theSubmitRateIsATokenBucketOnTheInjectedClock() throws Exception {
        MutableClock clock = MutableClock.at("2026-03-01T10:00:00Z");
        try (TestServer s = start(SyntheticBackend.builder().build(), clock)) {
            s.apiKey = SLOW;
            String file = s.upload();
            submit(s, SLOW, file, "first");
            TestServer.Reply r = s.postForm("/jobs/tts-generate-async", Map.of("audio_file_id", file, "text", "second"));
            assertEquals(429, r.status(), r.text());
            assertEquals("2", r.header("Retry-After"));
            assertEquals("Tenant 'slow' submits faster than its limit of 0.5 jobs a second; try again in 2 s",
                    r.json().get("detail").asText());
            s.apiKey = BETA;
            submit(s, BETA, s.upload(), "beta is not limited"); // nor held up by slow's bucket
            clock.advance(Duration.ofSeconds(1));
            s.apiKey = SLOW;
            r = s.postForm("/jobs/tts-generate-async", Map.of("audio_file_id", file, "text", "second"));
            assertEquals(429, r.status(), r.text());
            assertEquals("1", r.header("Retry-After"));
            clock.advance(Duration.ofSeconds(1));
            submit(s, SLOW, file, "second");
        }
    }

    @Test
    void listingsShowATenantItsOwnJobsAndTheAdminEveryJob() throws Exception {
        try (TestServer s = start(SyntheticBackend.builder().build(), null)) {
            s.apiKey = ALPHA;
            String a = s.submitAsync(s.upload(), "alpha", 0);
            s.apiKey = BETA;
            String file = s.upload();
            Set<String> betas = new HashSet<>();
            for (int i = 0; i < 4; i++) {
                betas.add(s.submitAsync(file, "beta " + i, 0));
            }
            s.apiKey = ALPHA;
            assertEquals(Set.of(a), ids(s.get("/jobs").json()));
            s.apiKey = BETA;
            // Pages of two, followed by cursor: every beta job exactly once, never alpha's.
            Set<String> seen = new HashSet<>();
            String cursor = null;
            do {
                JsonNode page = s.get("/jobs?limit=2" + (cursor == null ? "" : "&cursor=" + cursor)).json();
                for (String id : ids(page)) {
                    assertTrue(seen.add(id), "listed twice: " + id);
                }
                cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
            } while (cursor != null);
            assertEquals(betas, seen);
            s.apiKey = ADMIN;
            Set<String> all = new HashSet<>(betas);
            all.add(a);
            assertEquals(all, ids(s.get("/jobs").json()));
            assertEquals(200, s.get("/jobs/" + a + "/status").status());
            s.apiKey = BETA;
            assertEquals(400, s.get("/jobs?limit=1001").status());
        }
    }

    private static Set<String> ids(JsonNode page) {
        Set<String> ids = new HashSet<>();
        page.get("jobs").forEach(j -> ids.add(j.get("job_id").asText()));
        return ids;
    }

    @Test
    void aTenantWithFewJobsIsNotStuckBehindOneWithMany() throws Exception {
        SyntheticBackend backend = SyntheticBackend.builder().steps(1).gated().build();
        try (TestServer s = start(backend, null)) {
            s.apiKey = BETA;
            String betaFile = s.upload();
            s.apiKey = ADMIN;
            String file = s.upload();
            List<String> ids = new ArrayList<>();
            ids.add(submit(s, ADMIN, file, "ops 0"));
            assertTrue(backend.awaitStepsEntered(1, 10, TimeUnit.SECONDS));
            for (int i = 1; i <= 10; i++) {
                ids.add(submit(s, ADMIN, file, "ops " + i));
            }
            ids.add(submit(s, BETA, betaFile, "beta 0"));
            ids.add(submit(s, BETA, betaFile, "beta 1"));
            backend.releaseAll();
            ids.forEach(s::awaitFinished);
            List<String> order = backend.order();
            assertEquals("ops 0", order.get(0));
            // Equal weights: beta's jobs alternate with the ten ops jobs queued before them.
            assertTrue(order.indexOf("beta 0") <= 2, order.toString());
            assertTrue(order.indexOf("beta 1") <= 4, order.toString());
        }
    }

    @Test
    void theAnswersNeverLogOrEchoAKeyAndBothKeyOptionsAreRefused() throws Exception {
        Path keys = dir.resolve("bad.txt");
        Files.writeString(keys, "# header\nsecret-key-do-not-echo alpha 1 two 0\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Launcher.run(new String[] {"--port", "0", "--api-keys", keys.toString(), "--data-dir", dir.resolve("d").toString()},
                Map.of(), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String said = err.toString(StandardCharsets.UTF_8);
        assertEquals(2, code, said);
        assertTrue(said.contains("line 2: max_queued must be a whole number"), said);
        assertFalse(said.contains("secret-key-do-not-echo"), said);
        err.reset();
        code = Launcher.run(new String[] {"--port", "0", "--api-key", "single-key", "--api-keys", keys.toString()}, Map.of(),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        said = err.toString(StandardCharsets.UTF_8);
        assertEquals(2, code, said);
        assertTrue(said.contains("cannot be used together"), said);
        assertFalse(said.contains("single-key"), said);
        assertEquals(Path.of("/etc/tts/keys"), dev.ttsqueue.server.internal.CommandLineOptions
                .parse(new String[0], Map.of("TTSQ_API_KEYS", "/etc/tts/keys")).server().apiKeysFile());
        ServerConfig c = ServerConfig.defaults().withApiKeysFile(keys);
        assertNotNull(c.apiKeysFile());
        assertFalse(c.toString().contains("secret"), c.toString());
    }
}
