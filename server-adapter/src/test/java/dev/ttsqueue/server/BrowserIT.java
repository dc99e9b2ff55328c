package dev.ttsqueue.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drives the server from a real browser: Debian's headless Chromium at {@code /usr/bin/chromium}
 * (package {@code chromium}); without it these tests fail, they do not skip.
 */
class BrowserIT {
    private static final String CLIENT_PAGE = "/browser/job-queue-client.html";
    private static final String EVENTS_PAGE = "/browser/job-events-client.html";
    private static final String FOREIGN_PAGE = "/browser/foreign-page.html";
    /** The name the foreign page is served under; only the browser resolves it (to 127.0.0.1). */
    private static final String FOREIGN_SITE = "evil.example";
    private static final Pattern OUTCOME = Pattern.compile("<pre id=\"outcome\">([^<]*)</pre>");

    @TempDir
    Path dir;

    private HeadlessChromium chromium;

    @BeforeEach
    void browser() throws IOException {
        chromium = new HeadlessChromium(HeadlessChromium.defaultBinary(), Files.createDirectories(dir.resolve("browser")));
    }

    private static Path outputDir() {
        return Path.of(System.getProperty("ttsq.test.browserOut", "target/browser"));
    }

    @Test
    void swaggerUiRendersTheOperations() throws Exception {
        try (TestServer s = TestServer.builder(dir).start()) {
            Path png = outputDir().resolve("swagger-ui.png");
            String dom = chromium.dumpDom(s.base + "/docs", png, 1280, 1600);
            // Operation blocks exist only once the bundle ran, its CSS classes apply and /openapi.json loaded.
            for (String path : List.of("/jobs/submit", "/upload-audio", "/jobs/{job_id}/status", "/download-audio/{file_id}")) {
                assertTrue(dom.contains("data-path=\"" + path + "\""), () -> "no operation block for " + path + " in:\n" + dom);
            }
            assertTrue(dom.contains("opblock-post") && dom.contains("opblock-get") && dom.contains("opblock-delete"), dom);
            assertFalse(dom.contains("Failed to load API definition"), dom);

            byte[] bytes = Files.readAllBytes(png);
            assertTrue(bytes.length > 8 && bytes[0] == (byte) 0x89 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G',
                    "not a PNG: " + png);
            BufferedImage image = ImageIO.read(png.toFile());
            assertNotNull(image, "unreadable PNG: " + png);
            assertEquals(1280, image.getWidth());
            assertEquals(1600, image.getHeight());
            // A blank or unstyled page has a handful of colours; Swagger UI's coloured method badges and
            // anti-aliased text give hundreds.
            assertTrue(distinctColours(image) > 100, "screenshot looks blank: " + distinctColours(image) + " colours in " + png);
        }
    }

    @Test
    void browserFetchLoopRunsJobsFromAnotherOrigin() throws Exception {
        // The page is on another loopback port: another origin, which a server on loopback lets in by default.
        try (TestServer s = TestServer.builder(dir).start(); PageServer page = new PageServer()) {
            PageRun run = runClientPage(s, page);
            Matcher ok = Pattern.compile("OK jobs=(\\S+),(\\S+) bytes=(\\d+),(\\d+)").matcher(run.outcome());
            assertTrue(ok.matches(), run::toString);
            for (String id : List.of(ok.group(1), ok.group(2))) {
                // The page's job ids are the server's: the queue really ran them.
                assertEquals("completed", s.get("/jobs/" + id + "/status").json().get("status").asText(), id);
            }
            assertTrue(Integer.parseInt(ok.group(3)) > 44 && Integer.parseInt(ok.group(4)) > 44, run::toString);
        }
    }

    @Test
    void browserRefusesTheApiWhenTheOriginIsNotAllowed() throws Exception {
        try (TestServer s = TestServer.builder(dir).config(c -> c.withCorsOrigins(List.of("http://allowed.example"))).start();
                PageServer page = new PageServer()) {
            PageRun run = runClientPage(s, page);
            // The server refuses the upload (403) and the browser hides the answer from the page, so the
            // page never gets to submit a job.
            assertTrue(run.outcome().startsWith("FAIL Failed to fetch"), run::toString);
            assertEquals(List.of(), s.queue.list(null, 10), "no job may have been submitted");
        }
    }

    @Test
    void eventSourceFollowsAJobOnAServerWithAnApiKey() throws Exception {
        dev.ttsqueue.testing.SyntheticBackend backend = dev.ttsqueue.testing.SyntheticBackend.builder().steps(5).gated().build();
        try (TestServer s = TestServer.builder(dir).backend(backend).config(c -> c.withApiKey("page-key")).start();
                PageServer page = new PageServer(EVENTS_PAGE, backend::releaseAll)) {
            String ref = s.queue.audioStore().save(dev.ttsqueue.spi.AudioKind.UPLOAD,
                    new dev.ttsqueue.audio.AudioClip(new float[24_000], 24_000)).id();
            // Held at its first step until the page's stream is open, so the page sees the job live.
            String job = s.queue.submit(dev.ttsqueue.JobRequest.ttsGenerate(ref, "one two three four five six")).id();
            assertTrue(backend.awaitStepsEntered(1, 30, java.util.concurrent.TimeUnit.SECONDS));
            PageRun run = runPage(page.url() + "?api=" + URLEncoder.encode(s.base.toString(), StandardCharsets.UTF_8)
                    + "&job=" + job + "&key=page-key");
            assertEquals("OK progress,completed", run.outcome(), run::toString);
            int progressLines = run.dom().split("progress: processing", -1).length - 1;
            assertTrue(progressLines >= 2, () -> "the page saw the job progress, not just its end:\n" + run);
            assertEquals(dev.ttsqueue.JobStatus.COMPLETED, s.queue.status(job).status());

            // Without the key the browser gets no stream at all.
            PageRun refused = runPage(page.url() + "?api=" + URLEncoder.encode(s.base.toString(), StandardCharsets.UTF_8)
                    + "&job=" + job + "&key=");
            assertTrue(refused.outcome().startsWith("FAIL the event stream failed"), refused::toString);
        }
    }

    @Test
    void aPageOnAnotherSiteCanNeitherReadNorChangeAnythingOnADefaultServer() throws Exception {
        try (TestServer s = TestServer.builder(dir).start(); PageServer page = new PageServer(FOREIGN_PAGE, () -> { })) {
            PageRun run = runForeignPage(s, page);
            // Reading and the fetches fail in the browser; the form posts go out, and the server refuses them unread.
            assertEquals("read=FAIL submit=sent voice=sent post=FAIL delete=FAIL", run.outcome(), run::toString);
            assertEquals(List.of(), s.queue.list(null, 10), "no job may have been submitted");
            assertEquals(List.of("dora"), voiceNames(s), "no voice may have been made or deleted");
        }
    }

    @Test
    void thePageOnAnotherSiteCanUseTheServerOnceItsOriginIsAllowed() throws Exception {
        try (PageServer page = new PageServer(FOREIGN_PAGE, () -> { });
                TestServer s = TestServer.builder(dir).config(c -> c.withCorsOrigins(List.of(page.origin(FOREIGN_SITE)))).start()) {
            PageRun run = runForeignPage(s, page);
            assertEquals("read=OK:200:dora submit=sent voice=sent post=OK:200 delete=OK:200", run.outcome(), run::toString);
            // The same page as above, so what it did not do there it was kept from doing.
            assertEquals(Set.of("sent by a form", "sent by a simple fetch"),
                    s.queue.list(null, 10).stream().map(j -> j.request().text()).collect(java.util.stream.Collectors.toSet()));
            assertEquals(List.of("mallory"), voiceNames(s));
        }
    }

    /** Opens the foreign page under {@link #FOREIGN_SITE}, with an upload and the voice "dora" on the server to aim at. */
    private PageRun runForeignPage(TestServer s, PageServer page) throws Exception {
        String upload = s.upload();
        TestServer.Reply voice = s.postMultipart("/upload-permanent-voice", java.util.Map.of("voice_name", "dora", "ref_text", "Hi.",
                "audio_file", TestServer.wavFile(1)));
        assertEquals(200, voice.status(), voice::toString);
        String url = page.url(FOREIGN_SITE) + "?api=" + URLEncoder.encode(s.base.toString(), StandardCharsets.UTF_8)
                + "&upload=" + upload + "&voice=dora";
        String dom = chromium.dumpDom(url, List.of(FOREIGN_SITE));
        return outcome(dom);
    }

    private static List<String> voiceNames(TestServer s) {
        return s.get("/list-voices").json().findValuesAsText("name");
    }

    record PageRun(String outcome, String dom) {
        @Override
        public String toString() {
            return "outcome: " + outcome + "\nDOM:\n" + dom;
        }
    }

    /** Opens the client page (served from its own origin) against the server and reads its outcome line. */
    private PageRun runClientPage(TestServer s, PageServer page) throws Exception {
        return runPage(page.url() + "?api=" + URLEncoder.encode(s.base.toString(), StandardCharsets.UTF_8));
    }

    /** Opens a test page and reads its outcome line. */
    private PageRun runPage(String url) throws Exception {
        return outcome(chromium.dumpDom(url));
    }

    private static PageRun outcome(String dom) {
        Matcher m = OUTCOME.matcher(dom);
        assertTrue(m.find(), () -> "no outcome in:\n" + dom);
        PageRun run = new PageRun(m.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"), dom);
        assertNotEquals("RUNNING", run.outcome(), () -> "the page did not finish within its virtual time:\n" + dom);
        return run;
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

    /** Serves the client page from its own loopback port: another origin than the API's. */
    private static final class PageServer implements AutoCloseable {
        private final HttpServer http;

        PageServer() throws IOException {
            this(CLIENT_PAGE, () -> { });
        }

        /** Serves {@code resource} as /client.html; a request for /ready runs {@code onReady}. */
        PageServer(String resource, Runnable onReady) throws IOException {
            byte[] html;
            try (InputStream in = BrowserIT.class.getResourceAsStream(resource)) {
                assertNotNull(in, resource + " is not on the test classpath");
                html = in.readAllBytes();
            }
            http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            http.createContext("/", exchange -> {
                try (exchange) {
                    if (exchange.getRequestURI().getPath().equals("/ready")) {
                        onReady.run();
                        exchange.sendResponseHeaders(204, -1);
                        return;
                    }
                    if (!exchange.getRequestURI().getPath().equals("/client.html")) {
                        exchange.sendResponseHeaders(404, -1);
                        return;
                    }
                    exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
                    exchange.sendResponseHeaders(200, html.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(html);
                    }
                }
            });
            http.start();
        }

        String url() {
            return url("127.0.0.1");
        }

        /** The page under another name for this machine (one the browser resolves to loopback). */
        String url(String host) {
            return origin(host) + "/client.html";
        }

        String origin(String host) {
            return "http://" + host + ":" + http.getAddress().getPort();
        }

        @Override
        public void close() {
            http.stop(0);
        }
    }
}
