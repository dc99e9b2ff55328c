package dev.ttsqueue.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rules for web pages, over HTTP as a browser would send them ({@code Origin},
 * {@code Sec-Fetch-Site}, preflights): which pages get CORS headers, and which are refused with
 * 403 before anything they send is read. The same rules in a real browser: {@code BrowserIT}.
 */
class CrossOriginTest {
    private static final String EVIL = "https://evil.example";
    private static final String JSON_JOB = "{\"job_type\":\"tts_generate\",\"parameters\":{\"audio_file_id\":\"%s\",\"gen_text\":\"hi\"}}";

    @TempDir
    Path dir;
    TestServer s;

    @AfterEach
    void stop() {
        if (s != null) {
            s.close();
        }
    }

    @Test
    void pagesOnLoopbackMayUseADefaultServer() throws Exception {
        s = TestServer.builder(dir).start(); // bound to 127.0.0.1, --cors-origins not given
        for (String origin : List.of("http://localhost:5173", "http://127.0.0.1:3000", "http://[::1]:8080", "https://localhost")) {
            TestServer.Reply r = get("/list-voices", origin);
            assertEquals(200, r.status());
            assertEquals(origin, r.header("Access-Control-Allow-Origin"));
            assertEquals("Content-Disposition, Retry-After", r.header("Access-Control-Expose-Headers"));
            assertEquals("Origin", r.header("Vary"));
        }
        TestServer.Reply pre = preflight("/voices/dora", "http://127.0.0.1:3000", "DELETE");
        assertEquals(200, pre.status(), pre::toString);
        assertEquals("http://127.0.0.1:3000", pre.header("Access-Control-Allow-Origin"));
        assertTrue(pre.header("Access-Control-Allow-Methods").contains("DELETE"));
        assertTrue(pre.header("Access-Control-Allow-Headers").contains("X-API-Key"));
        assertEquals("Origin", pre.header("Vary"));

        TestServer.Reply upload = postMultipart("/upload-audio", "http://localhost:5173", Map.of("audio_file", TestServer.wavFile(0.5)));
        assertEquals(200, upload.status(), upload::toString);
        assertEquals("http://localhost:5173", upload.header("Access-Control-Allow-Origin"));
        TestServer.Reply job = post("/jobs/submit", "http://[::1]:8080", "application/json",
                JSON_JOB.formatted(upload.json().get("file_id").asText()));
        assertEquals(200, job.status(), job::toString);
    }

    @Test
    void foreignPagesCanNeitherReadNorChangeAnything() throws Exception {
        s = TestServer.builder(dir).start();
        String upload = s.upload();
        assertEquals(200, s.postMultipart("/upload-permanent-voice", Map.of("voice_name", "dora", "ref_text", "Hi.",
                "audio_file", TestServer.wavFile(1))).status());

        // Reading: served, but without CORS headers the browser keeps the answer from the page.
        TestServer.Reply list = get("/list-voices", EVIL);
        assertEquals(200, list.status());
        assertNull(list.header("Access-Control-Allow-Origin"));
        assertEquals("Origin", list.header("Vary"));

        // Changing: refused whatever the body, also where a browser sends it without a preflight.
        List<TestServer.Reply> refused = new ArrayList<>();
        refused.add(post("/jobs/submit", EVIL, "application/json", JSON_JOB.formatted(upload)));
        refused.add(post("/jobs/submit", EVIL, "text/plain", JSON_JOB.formatted(upload))); // what a <form enctype=text/plain> sends
        refused.add(post("/jobs/tts-generate-async", EVIL, "application/x-www-form-urlencoded", "audio_file_id=" + upload + "&text=hi"));
        refused.add(postMultipart("/upload-permanent-voice", EVIL, Map.of("voice_name", "mallory", "ref_text", "Hi.",
                "audio_file", TestServer.wavFile(1))));
        refused.add(postMultipart("/upload-audio", "null", Map.of("audio_file", TestServer.wavFile(1))));
        refused.add(post("/jobs/cleanup?max_age_hours=0", EVIL, null, ""));
        refused.add(s.send(s.request("/voices/dora").header("Origin", EVIL).DELETE().build()));
        refused.add(s.send(s.request("/audio/" + upload).header("Origin", "null").DELETE().build()));
        refused.add(s.send(s.request("/voices/dora").header("Origin", "http://localhost:3000.evil.example").DELETE().build()));
        for (TestServer.Reply r : refused) {
            assertEquals(403, r.status(), r::toString);
            assertEquals("application/json", r.header("Content-Type"));
            assertTrue(r.detail().startsWith("Cross-origin request refused"), r.detail());
            assertNull(r.header("Access-Control-Allow-Origin"));
            assertEquals("Origin", r.header("Vary"));
        }
        assertTrue(refused.get(0).detail().contains("--cors-origins https://evil.example"), refused.get(0).detail());
        assertTrue(refused.get(4).detail().contains("Origin: null"), refused.get(4).detail());

        TestServer.Reply pre = preflight("/voices/dora", EVIL, "DELETE");
        assertEquals(403, pre.status(), pre::toString);
        assertNull(pre.header("Access-Control-Allow-Origin"));
        assertNull(pre.header("Access-Control-Allow-Methods"));
        assertEquals("Origin", pre.header("Vary"));
        assertTrue(pre.detail().startsWith("Cross-origin request refused: a page from https://evil.example may not call"), pre.detail());

        // An Origin stripped on the way, the browser's own marker left: refused too.
        TestServer.Reply stripped = s.send(s.request("/jobs/tts-generate-async").header("Sec-Fetch-Site", "cross-site")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("audio_file_id=" + upload + "&text=hi")).build());
        assertEquals(403, stripped.status(), stripped::toString);
        assertTrue(stripped.detail().contains("Sec-Fetch-Site: cross-site"), stripped.detail());

        assertEquals(List.of(), s.queue.list(null, 10), "no job was submitted");
        assertEquals(List.of("dora"), s.get("/list-voices").json().findValuesAsText("name"), "no voice made, none deleted");
        assertTrue(s.queue.audioStore().find(upload).isPresent(), "the upload is still there");

        // Clients that are not browsers send no Origin: unaffected.
        assertEquals(200, s.postJson("/jobs/submit", Map.of("job_type", "tts_generate",
                "parameters", Map.of("audio_file_id", upload, "gen_text", "hi"))).status());
        assertEquals(200, s.send(s.request("/jobs/tts-generate-async").header("Sec-Fetch-Site", "same-origin")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("audio_file_id=" + upload + "&text=hi")).build()).status());
        assertEquals(200, s.delete("/voices/dora").status());
    }

    @Test
    void aForeignUploadIsRefusedBeforeItsBodyIsRead() throws Exception {
        s = TestServer.builder(dir).config(c -> c.withApiKey("k")).start();
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), s.server.port())) {
            socket.setSoTimeout(10_000);
            // Headers only: a server that waited for the body (or for the API key check behind it)
            // would not answer before the read timeout.
            socket.getOutputStream().write(("POST /upload-permanent-voice HTTP/1.1\r\nHost: 127.0.0.1:" + s.server.port()
                    + "\r\nOrigin: " + EVIL + "\r\nX-API-Key: k\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                    + "Content-Length: 40000000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(answer.startsWith("HTTP/1.1 403"), answer);
            assertTrue(answer.contains("Connection: close"), answer);
            assertTrue(answer.contains("{\"detail\":\"Cross-origin request refused: a page from https://evil.example"), answer);
        }
        // With the key, a page on an allowed origin passes; without it, 401 as ever.
        TestServer.Multipart mp = TestServer.multipart(Map.of("audio_file", TestServer.wavFile(0.5)));
        TestServer.Reply allowed = s.send(s.request("/upload-audio").header("Origin", "http://localhost:3000").header("X-API-Key", "k")
                .header("Content-Type", mp.contentType()).POST(HttpRequest.BodyPublishers.ofByteArray(mp.body())).build());
        assertEquals(200, allowed.status(), allowed::toString);
        assertEquals(401, post("/jobs/cleanup", "http://localhost:3000", null, "").status());
    }

    @Test
    void aSmallForeignBodyIsDroppedAndTheConnectionServesTheNextRequest() throws Exception {
        s = TestServer.builder(dir).start();
        String body = "voice_name=mallory&ref_text=" + "x".repeat(60_000);
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), s.server.port())) {
            socket.setSoTimeout(10_000);
            String host = "127.0.0.1:" + s.server.port();
            socket.getOutputStream().write(("POST /upload-permanent-voice HTTP/1.1\r\nHost: " + host + "\r\nOrigin: " + EVIL
                    + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " + body.length() + "\r\n\r\n" + body
                    + "GET /health HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            // Both answers arrive on the one connection: the refused body was read and dropped, not
            // left unread under a close that could reset the connection before the client read the 403.
            String answers = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(answers.startsWith("HTTP/1.1 403"), answers);
            assertTrue(answers.contains("Cross-origin request refused"), answers);
            int second = answers.indexOf("HTTP/1.1 200");
            assertTrue(second > 0, answers);
            assertFalse(answers.substring(0, second).contains("Connection: close"), answers);
        }
        assertFalse(s.get("/list-voices").json().toString().contains("mallory"), "nothing stored");
    }

    @Test
    void answersGivenBeforeTheApplicationCarryTheCorsHeadersToo() throws Exception {
        s = TestServer.builder(dir).config(c -> c.withMaxUploadBytes(1000)).start();
        TestServer.Reply tooLarge = postMultipart("/upload-audio", "http://localhost:3000", Map.of("audio_file", TestServer.wavFile(1)));
        assertEquals(413, tooLarge.status(), tooLarge::toString);
        assertEquals("http://localhost:3000", tooLarge.header("Access-Control-Allow-Origin"));
        assertEquals("Origin", tooLarge.header("Vary"));
    }

    @Test
    void boundElsewhereOnlyTheServersOwnPagesByDefault() throws Exception {
        s = TestServer.builder(dir).config(c -> c.withHost("0.0.0.0")).start();
        String upload = s.upload();
        TestServer.Reply loopbackPage = get("/list-voices", "http://localhost:3000");
        assertNull(loopbackPage.header("Access-Control-Allow-Origin"), "a loopback page is the client's, not this server's");
        assertEquals(403, post("/jobs/submit", "http://localhost:3000", "application/json", JSON_JOB.formatted(upload)).status());
        // Swagger UI on /docs, or any page the server serves, sends its own origin: the Host it reached us under.
        TestServer.Reply own = post("/jobs/submit", "http://127.0.0.1:" + s.server.port(), "application/json", JSON_JOB.formatted(upload));
        assertEquals(200, own.status(), own::toString);
    }

    @Test
    void listedOriginsReplaceTheDefault() throws Exception {
        s = TestServer.builder(dir).config(c -> c.withCorsOrigins(List.of("http://good.test", "http://dev.test:*"))).start();
        String upload = s.upload();
        assertEquals("http://good.test", get("/health", "http://good.test").header("Access-Control-Allow-Origin"));
        assertEquals("http://dev.test:4200", get("/health", "http://dev.test:4200").header("Access-Control-Allow-Origin"));
        TestServer.Reply evil = get("/health", "http://evil.test");
        assertNull(evil.header("Access-Control-Allow-Origin"));
        assertEquals("Origin", evil.header("Vary"));
        assertEquals("Origin", s.get("/health").header("Vary"), "answers without an Origin vary by it too");
        assertEquals(200, post("/jobs/submit", "http://good.test", "application/json", JSON_JOB.formatted(upload)).status());
        assertEquals(200, preflight("/jobs/submit", "http://dev.test:4200", "POST").status());
        assertEquals(403, post("/jobs/submit", "http://localhost:3000", "application/json", JSON_JOB.formatted(upload)).status(),
                "the list replaces the loopback default");
        assertEquals(403, preflight("/jobs/submit", "http://localhost:3000", "POST").status());

        s.close();
        s = TestServer.builder(dir).config(c -> c.withCorsOrigins(List.of("none"))).start();
        assertNull(get("/health", "http://localhost:3000").header("Access-Control-Allow-Origin"));
        assertEquals(403, post("/jobs/cleanup", "http://localhost:3000", null, "").status());
        assertEquals(200, post("/jobs/cleanup", "http://127.0.0.1:" + s.server.port(), null, "").status(), "its own pages still may");
    }

    @Test
    void anyOriginIsTheOldServersWay() throws Exception {
        s = TestServer.builder(dir).config(c -> c.withCorsOrigins(List.of("*")).withApiKey("k")).start();
        TestServer.Reply pre = s.send(s.request("/jobs/submit").method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "http://example.test").header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "content-type, x-api-key")
                .header("Access-Control-Request-Private-Network", "true").build());
        assertEquals(200, pre.status(), "answered before the API key check: " + pre);
        assertEquals("*", pre.header("Access-Control-Allow-Origin"));
        assertTrue(pre.header("Access-Control-Allow-Headers").contains("X-API-Key"));
        assertEquals("true", pre.header("Access-Control-Allow-Private-Network"));
        assertNull(pre.header("Vary"), "the same answer for every origin");
        TestServer.Reply get = s.send(s.request("/health").header("Origin", "http://example.test").GET().build());
        assertEquals("*", get.header("Access-Control-Allow-Origin"));
        assertNull(get.header("Vary"));
        for (String origin : List.of(EVIL, "null")) {
            TestServer.Reply r = s.send(s.request("/jobs/cleanup").header("Origin", origin).header("X-API-Key", "k")
                    .POST(HttpRequest.BodyPublishers.noBody()).build());
            assertEquals(200, r.status(), r::toString);
            assertEquals("*", r.header("Access-Control-Allow-Origin"));
        }
    }

    private TestServer.Reply get(String path, String origin) {
        return s.send(s.request(path).header("Origin", origin).GET().build());
    }

    private TestServer.Reply post(String path, String origin, String contentType, String body) {
        HttpRequest.Builder b = s.request(path).header("Origin", origin).POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return s.send(b.build());
    }

    private TestServer.Reply postMultipart(String path, String origin, Map<String, ?> fields) {
        TestServer.Multipart mp = TestServer.multipart(fields);
        return s.send(s.request(path).header("Origin", origin).header("Content-Type", mp.contentType())
                .POST(HttpRequest.BodyPublishers.ofByteArray(mp.body())).build());
    }

    private TestServer.Reply preflight(String path, String origin, String method) {
        return s.send(s.request(path).method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", origin)
                .header("Access-Control-Request-Method", method).header("Access-Control-Request-Headers", "content-type").build());
    }
}
