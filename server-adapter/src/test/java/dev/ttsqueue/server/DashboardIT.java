package dev.ttsqueue.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ttsqueue.JobRequest;
import dev.ttsqueue.JobStatus;
import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.spi.AudioKind;
import dev.ttsqueue.testing.SyntheticBackend;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /dashboard} in a real browser (Debian's headless Chromium; without it these tests fail,
 * they do not skip), against a server whose synthetic backend takes a step only when the test
 * lets it: what the page shows is checked after each step, not after sleeping.
 */
class DashboardIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private DevToolsPage page;
    private TestServer s;

    @BeforeEach
    void browser() throws Exception {
        page = DevToolsPage.launch(HeadlessChromium.defaultBinary(), Files.createDirectories(dir.resolve("browser")));
    }

    @AfterEach
    void close() throws Exception {
        try {
            if (s != null) {
                s.close();
            }
        } finally {
            page.close();
        }
    }

    private static Path screenshotDir() {
        return Path.of(System.getProperty("ttsq.test.dashboardScreenshots", "target/dashboard-screenshots"));
    }

    private String ref() throws Exception {
        return s.queue.audioStore().save(AudioKind.UPLOAD, new AudioClip(new float[24_000], 24_000)).id();
    }

    private static String row(String job) {
        return "document.querySelector('tr[data-job-id=\"" + job + "\"]')";
    }

    private double progressOf(String job) throws Exception {
        return page.eval(row(job) + ".querySelector('.fill').dataset.progress").asDouble();
    }

    private void awaitLive() throws Exception {
        page.waitFor("document.getElementById('connection').dataset.state === 'live'", WAIT);
    }

    @Test
    void followsJobsLiveCancelsThemAndPlaysTheirOutput() throws Exception {
        SyntheticBackend backend = SyntheticBackend.builder().steps(4).gated().build();
        s = TestServer.builder(dir).backend(backend).start();
        page.navigate(s.base + "/dashboard");
        awaitLive();
        assertEquals("0", page.eval("document.getElementById('count-completed').textContent").asText());
        assertEquals(1, page.eval("document.querySelectorAll('#workers li').length").asInt());
        String ref = ref();

        // A job appears as it is queued and started, and its bar moves with each step.
        String first = s.queue.submit(JobRequest.ttsGenerate(ref, "The first job speaks")).id();
        assertTrue(backend.awaitStepsEntered(1, 30, TimeUnit.SECONDS));
        page.waitFor(row(first) + "?.dataset.status === 'processing'", WAIT);
        page.waitFor("document.querySelector('#workers code[title=\"" + first + "\"]')", WAIT);
        double before = progressOf(first);
        for (int step = 1; step <= 3; step++) {
            backend.release(1);
            double was = before;
            page.waitFor(row(first) + ".querySelector('.fill').dataset.progress > " + was, WAIT);
            before = progressOf(first);
        }
        assertTrue(before >= 75 && before < 100, "three of four steps: " + before);
        backend.release(1);
        page.waitFor(row(first) + ".dataset.status === 'completed'", WAIT);
        assertEquals(100.0, progressOf(first));
        page.waitFor("document.getElementById('count-completed').textContent === '1'", WAIT);
        assertEquals("The first job speaks", page.eval(row(first) + ".querySelector('.text').textContent").asText());
        assertTrue(page.eval(row(first) + ".querySelector('.rtf').textContent").asText().endsWith("×"));
        assertTrue(page.eval(row(first) + ".querySelector('.duration').textContent").asText().endsWith(" s"));
        page.waitFor("!document.getElementById('throughput-summary').textContent.startsWith('0 ')", WAIT);

        // Its output plays in the page.
        page.click("tr[data-job-id=\"" + first + "\"] button.listen");
        double seconds = page.waitFor("(() => { const a = " + row(first) + ".querySelector('audio');"
                + " return a && a.src.startsWith('blob:') && a.readyState >= 1 && a.duration; })()", WAIT).asDouble();
        assertEquals(s.queue.result(first).durationSeconds(), seconds, 0.01);

        // Text a user sent is shown as text, never as markup.
        String markup = "<img src=x id=injected onerror=\"document.title='owned'\"> & <b>bold</b>";
        String hostile = s.queue.submit(JobRequest.ttsGenerate(ref, markup)).id();
        backend.release(4);
        page.waitFor(row(hostile) + "?.dataset.status === 'completed'", WAIT);
        assertEquals(markup, page.eval(row(hostile) + ".querySelector('.text').textContent").asText());
        assertFalse(page.eval("Boolean(document.getElementById('injected') || document.querySelector('#job-rows b'))").asBoolean());

        // Cancel: one job running, one waiting behind it.
        String running = s.queue.submit(JobRequest.ttsGenerate(ref, "Cancelled while running")).id();
        String waiting = s.queue.submit(JobRequest.ttsGenerate(ref, "Cancelled while queued")).id();
        // Steps entered since the last wait: three more of the first job, four of the hostile one, one of this one.
        assertTrue(backend.awaitStepsEntered(3 + 4 + 1, 30, TimeUnit.SECONDS));
        page.waitFor(row(running) + "?.dataset.status === 'processing' && " + row(waiting) + "?.dataset.status === 'queued'", WAIT);
        page.click("tr[data-job-id=\"" + waiting + "\"] button.cancel");
        page.waitFor(row(waiting) + ".dataset.status === 'cancelled'", WAIT);
        assertEquals(JobStatus.CANCELLED, s.queue.status(waiting).status());
        assertEquals(JobStatus.PROCESSING, s.queue.status(running).status());
        page.click("tr[data-job-id=\"" + running + "\"] button.cancel");
        page.waitFor(row(running) + ".dataset.status === 'cancelled'", WAIT);
        assertEquals(JobStatus.CANCELLED, s.queue.status(running).status());
        page.waitFor("document.getElementById('count-cancelled').textContent === '2'", WAIT);
        page.waitFor("document.querySelector('#workers .idle')", WAIT);

        // A failure shows its error.
        String failing = s.queue.submit(JobRequest.ttsGenerate(ref, "Fails " + SyntheticBackend.FAIL_MARKER)).id();
        page.waitFor(row(failing) + "?.dataset.status === 'failed'", WAIT);
        assertTrue(page.eval(row(failing) + ".querySelector('.text.error').textContent").asText().contains("synthetic failure"));

        // Filters show the jobs of one state.
        page.click("#filters button[data-filter='cancelled']");
        JsonNode shown = page.waitFor("(() => { const r = [...document.querySelectorAll('#job-rows tr')].filter(r => !r.hidden);"
                + " return r.length === 2 && r.map(x => x.dataset.status); })()", WAIT);
        shown.forEach(status -> assertEquals("cancelled", status.asText()));
        page.click("#filters button[data-filter='']");
        page.waitFor("[...document.querySelectorAll('#job-rows tr')].filter(r => !r.hidden).length === 5", WAIT);

        // One job halfway for the screenshots, then both widths.
        String halfway = s.queue.submit(JobRequest.ttsGenerate(ref, "Halfway through its steps")).id();
        backend.release(2);
        page.waitFor(row(halfway) + "?.querySelector('.fill').dataset.progress >= 50", WAIT);
        page.waitFor("document.querySelector('#workers code[title=\"" + halfway + "\"]')"
                + " && document.getElementById('count-processing').textContent === '1'", WAIT);
        Path dirOut = Files.createDirectories(screenshotDir());
        for (int width : List.of(1280, 390)) {
            byte[] png = page.screenshot(width, width < 600);
            Path file = dirOut.resolve("dashboard-" + width + ".png");
            Files.write(file, png);
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
            assertNotNull(image, "unreadable PNG " + file);
            assertEquals(width, image.getWidth());
            assertTrue(distinctColours(image) > 50, "screenshot looks blank: " + file);
        }
        // Narrow, the page does not scroll sideways.
        assertTrue(page.eval("document.documentElement.scrollWidth <= 390").asBoolean(),
                () -> "wider than the screen: " + page.report());
        assertEquals(List.of(), page.problems(), page::report);
    }

    @Test
    void asksForTheApiKeyOnceAndFollowsTheQueueWithIt() throws Exception {
        SyntheticBackend backend = SyntheticBackend.builder().steps(2).gated().build();
        s = TestServer.builder(dir).backend(backend).config(c -> c.withApiKey("dash-key")).start();
        // By name, so the Host check (on for a loopback server) sees a name, not an address.
        String url = "http://localhost:" + s.server.port() + "/dashboard";
        page.navigate(url);
        page.waitFor("!document.getElementById('key-form').hidden", WAIT);
        assertTrue(page.eval("document.getElementById('main').hidden").asBoolean(), "no data before the key");

        page.type("#key-input", "wrong-key");
        page.click("#key-form button[type=submit]");
        page.waitFor("document.getElementById('key-error').textContent.includes('not accepted')", WAIT);

        page.type("#key-input", "dash-key");
        page.click("#key-form button[type=submit]");
        awaitLive();
        assertTrue(page.eval("document.getElementById('key-form').hidden").asBoolean());

        // The event stream carries the key as its query parameter: a job is followed to its end.
        String job = s.queue.submit(JobRequest.ttsGenerate(ref(), "Behind a key")).id();
        page.waitFor(row(job) + "?.dataset.status", WAIT);
        backend.release(2);
        page.waitFor(row(job) + ".dataset.status === 'completed'", WAIT);
        page.click("tr[data-job-id=\"" + job + "\"] button.listen");
        page.waitFor("(() => { const a = " + row(job) + ".querySelector('audio'); return a && a.readyState >= 1 && a.duration > 0; })()",
                WAIT);

        // The key stays for the tab: a reload goes straight to the data.
        page.reload();
        awaitLive();
        assertTrue(page.eval("document.getElementById('key-form').hidden").asBoolean());
        page.waitFor(row(job) + "?.dataset.status === 'completed'", WAIT);
        assertEquals("none", page.eval("getComputedStyle(document.querySelector('th.tenant')).display").asText(),
                "no tenant column for jobs without tenants");
        assertTrue(page.eval("document.getElementById('tenant-filter-label').hidden").asBoolean());
        assertEquals(List.of(), page.problems().stream().filter(p -> !p.contains("401")).toList(), page::report);
    }

    @Test
    void showsEachJobsTenantToAnAdminAndFiltersByTenant() throws Exception {
        Path keys = dir.resolve("keys.txt");
        Files.writeString(keys, "dashboard-admin-key-1 ops 1 0 0 admin\n");
        s = TestServer.builder(dir).config(c -> c.withApiKeysFile(keys)).start();
        String alpha = s.queue.submit(JobRequest.ttsGenerate(ref(), "Alpha speaks").withTenant("alpha")).id();
        String beta = s.queue.submit(JobRequest.ttsGenerate(ref(), "Beta speaks").withTenant("beta")).id();
        page.navigate("http://localhost:" + s.server.port() + "/dashboard");
        page.waitFor("!document.getElementById('key-form').hidden", WAIT);
        page.type("#key-input", "dashboard-admin-key-1");
        page.click("#key-form button[type=submit]");
        awaitLive();
        page.waitFor(row(alpha) + " && " + row(beta), WAIT);
        assertEquals("alpha", page.eval(row(alpha) + ".querySelector('td.tenant').textContent").asText());
        assertEquals("beta", page.eval(row(beta) + ".querySelector('td.tenant').textContent").asText());
        assertEquals("table-cell", page.eval("getComputedStyle(document.querySelector('th.tenant')).display").asText());
        assertEquals("alpha,beta", page.eval("[...document.getElementById('tenant-filter').options].slice(1).map(o => o.value).join()")
                .asText());

        page.eval("(() => { const f = document.getElementById('tenant-filter'); f.value = 'beta';"
                + " f.dispatchEvent(new Event('change')); return true; })()");
        assertTrue(page.eval(row(alpha) + ".hidden").asBoolean());
        assertFalse(page.eval(row(beta) + ".hidden").asBoolean());
        page.eval("(() => { const f = document.getElementById('tenant-filter'); f.value = '';"
                + " f.dispatchEvent(new Event('change')); return true; })()");
        assertFalse(page.eval(row(alpha) + ".hidden").asBoolean());
        assertEquals(List.of(), page.problems().stream().filter(p -> !p.contains("401")).toList(), page::report);
    }

    @Test
    void thePageComesFromTheJarWithAPolicyThatAllowsOnlyItself() throws Exception {
        s = TestServer.builder(dir).config(c -> c.withApiKey("k")).start();
        TestServer.Reply html = s.get("/dashboard");
        assertEquals(200, html.status(), html::toString);
        assertTrue(html.header("Content-Type").startsWith("text/html"));
        String csp = html.header("Content-Security-Policy");
        assertTrue(csp.contains("default-src 'none'") && csp.contains("script-src 'self'") && csp.contains("connect-src 'self'"), csp);
        assertFalse(html.text().contains("http://") || html.text().contains("https://"), "nothing from other sites");
        for (String asset : List.of("/dashboard/dashboard.js", "/dashboard/dashboard.css")) {
            TestServer.Reply r = s.get(asset);
            assertEquals(200, r.status(), asset);
            assertFalse(r.text().contains("innerHTML"), asset + " builds the page from text nodes only");
            assertFalse(r.text().contains("http://") || r.text().contains("https://"), asset + " loads nothing from other sites");
        }
        assertEquals(404, s.send(s.request("/dashboard/other.js").header("X-API-Key", "k").GET().build()).status());
        assertEquals(401, s.get("/jobs").status(), "the page is open, the data is not");
    }

    private static int distinctColours(BufferedImage image) {
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 2) {
            for (int x = 0; x < image.getWidth(); x += 2) {
                colours.add(image.getRGB(x, y));
            }
        }
        return colours.size();
    }
}
