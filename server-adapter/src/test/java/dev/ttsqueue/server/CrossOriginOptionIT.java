package dev.ttsqueue.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --cors-origins} as an operator meets it: the launcher's log at start, and its refusals. */
class CrossOriginOptionIT {
    private static final Pattern WARNING = Pattern.compile(" WARN .*--cors-origins \\* and no --api-key");
    private static final Pattern ALLOWED = Pattern.compile("browser pages allowed to use the API: (.*)");

    @TempDir
    Path dir;

    @Test
    void theDefaultLetsInLoopbackPagesAndSaysSo() throws Exception {
        try (ServerProcess p = ServerProcess.start(dir.resolve("a"), "--backend", "synthetic", "--store", "memory")) {
            assertTrue(p.awaitLine(ALLOWED, Duration.ofSeconds(10)).group(1).startsWith("pages on loopback"));
            assertEquals(403, post(p, "https://evil.example").statusCode());
            assertEquals(200, post(p, "http://localhost:3000").statusCode());
            assertTrue(p.linesMatching(WARNING).isEmpty(), String.join("\n", p.log()));
        }
    }

    @Test
    void anyOriginWithoutAnApiKeyIsWarnedAbout() throws Exception {
        try (ServerProcess p = ServerProcess.start(dir.resolve("a"), "--backend", "synthetic", "--store", "memory", "--cors-origins", "*")) {
            p.awaitLine(WARNING, Duration.ofSeconds(10));
            assertEquals("any origin (--cors-origins *)", p.awaitLine(ALLOWED, Duration.ofSeconds(10)).group(1));
            HttpResponse<String> r = post(p, "https://evil.example");
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("*", r.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
        }
        // With a key a foreign page still gets nowhere without it: no warning.
        try (ServerProcess p = ServerProcess.start(dir.resolve("b"), Map.of("TTSQ_CORS_ORIGINS", "*", "TTSQ_API_KEY", "k"),
                "--backend", "synthetic", "--store", "memory")) {
            assertEquals("any origin (--cors-origins *)", p.awaitLine(ALLOWED, Duration.ofSeconds(10)).group(1));
            assertTrue(p.linesMatching(WARNING).isEmpty(), String.join("\n", p.log()));
        }
    }

    @Test
    void aValueThatIsNotAnOriginStopsTheStart() throws Exception {
        ServerProcess.Exit e = ServerProcess.startExpectingFailure(dir.resolve("a"), "--backend", "synthetic", "--cors-origins", "null");
        assertEquals(2, e.code(), e.log());
        assertTrue(e.log().contains("--cors-origins cannot list 'null'"), e.log());
    }

    private static HttpResponse<String> post(ServerProcess p, String origin) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
        return http.send(HttpRequest.newBuilder(p.base().resolve("/jobs/cleanup")).header("Origin", origin)
                .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
