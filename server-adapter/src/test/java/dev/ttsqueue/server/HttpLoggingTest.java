package dev.ttsqueue.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The access log ({@code --access-log}) and the scrape without a key ({@code --metrics-open}). */
class HttpLoggingTest {
    private static final String KEY = "s3cret-key";
    private static final Pattern LINE = Pattern.compile(
            "127\\.0\\.0\\.1 - - \\[\\d{2}/\\w{3}/\\d{4}:\\d{2}:\\d{2}:\\d{2} \\+0000] \"(GET|POST) (\\S+) HTTP/1\\.1\" (\\d{3}) (\\d+) (\\d+)");

    @TempDir
    Path dir;

    @Test
    void theAccessLogHasOneCommonFormatLinePerRequestAndNeverAKey() throws Exception {
        Path file = dir.resolve("logs/access.log");
        try (TestServer s = TestServer.builder(dir).config(c -> c.withApiKey(KEY).withAccessLog(file.toString())).start()) {
            assertEquals(200, s.get("/health?api_key=" + KEY + "&token=abc").status());
            assertEquals(200, s.send(s.request("/jobs/queue-status").header("X-API-Key", KEY).GET().build()).status());
            assertEquals(401, s.get("/jobs/queue-status").status());
            assertEquals(404, s.send(s.request("/jobs/nope/events?api_key=" + KEY).GET().build()).status());
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertEquals(4, lines.size(), lines.toString());
        List<String> seen = lines.stream().map(l -> {
            var m = LINE.matcher(l);
            assertTrue(m.matches(), l);
            return m.group(1) + " " + m.group(2) + " " + m.group(3);
        }).toList();
        assertEquals(List.of("GET /health 200", "GET /jobs/queue-status 200", "GET /jobs/queue-status 401", "GET /jobs/nope/events 404"),
                seen);
        String all = String.join("\n", lines);
        assertFalse(all.contains(KEY) || all.contains("api_key") || all.contains("token"), all);
    }

    @Test
    void withoutAnAccessLogNothingIsWritten() throws Exception {
        try (TestServer s = TestServer.builder(dir).start()) {
            assertEquals(200, s.get("/health").status());
        }
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".log")));
        }
    }

    @Test
    void metricsOpenLetsAScraperInWithoutTheKeyAndNothingElse() throws Exception {
        try (TestServer s = TestServer.builder(dir).config(c -> c.withApiKey(KEY).withMetricsOpen(true)).start()) {
            TestServer.Reply scrape = s.get("/metrics");
            assertEquals(200, scrape.status(), scrape.text());
            assertTrue(scrape.text().contains("ttsq_"), scrape.text());
            assertEquals(401, s.get("/jobs/queue-status").status());
            assertEquals(401, s.get("/list-voices").status());
            assertEquals(401, s.send(s.request("/metrics").POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build()).status());
        }
    }

    @Test
    void byDefaultMetricsNeedTheKeyWhenOneIsSet() throws Exception {
        try (TestServer s = TestServer.builder(dir).config(c -> c.withApiKey(KEY)).start()) {
            assertEquals(401, s.get("/metrics").status());
            assertEquals(200, s.send(s.request("/metrics").header("X-API-Key", KEY).GET().build()).status());
        }
    }
}
