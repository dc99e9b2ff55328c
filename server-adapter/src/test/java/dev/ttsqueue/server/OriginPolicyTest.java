package dev.ttsqueue.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.server.internal.OriginPolicy;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OriginPolicyTest {
    private static final OriginPolicy LOOPBACK_DEFAULT = OriginPolicy.of(List.of(), true);
    private static final OriginPolicy ELSEWHERE_DEFAULT = OriginPolicy.of(List.of(), false);

    @ParameterizedTest
    @ValueSource(strings = {"http://localhost:5173", "http://localhost", "https://localhost:8443", "http://127.0.0.1:3000",
            "https://127.0.0.1", "http://[::1]:8080", "https://[::1]"})
    void onLoopbackPagesOnLoopbackNamesAreAllowedOnAnyPort(String origin) {
        assertEquals(origin, LOOPBACK_DEFAULT.allowOriginValue(origin));
        assertEquals(Optional.empty(), LOOPBACK_DEFAULT.refusal("POST", origin, "127.0.0.1:8000", null));
        assertNull(ELSEWHERE_DEFAULT.allowOriginValue(origin), "bound elsewhere, loopback pages are the client's, not ours");
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://evil.example", "http://evil.example:8000", "null", "http://127.0.0.2:3000",
            "http://localhost.evil.example", "http://sub.localhost:3000", "file://", "ftp://localhost", "http://localhost:3000/path",
            "not an origin", "http://localhost:99999"})
    void otherOriginsAreNeitherAllowedNorMayTheyChangeAnything(String origin) {
        assertNull(LOOPBACK_DEFAULT.allowOriginValue(origin));
        for (String method : List.of("POST", "PUT", "PATCH", "DELETE", "PROPFIND")) {
            Optional<String> refusal = LOOPBACK_DEFAULT.refusal(method, origin, "127.0.0.1:8000", null);
            assertTrue(refusal.isPresent(), method + " " + origin);
            assertTrue(refusal.get().startsWith("Cross-origin request refused"), refusal.get());
        }
        for (String method : List.of("GET", "HEAD", "OPTIONS")) {
            assertEquals(Optional.empty(), LOOPBACK_DEFAULT.refusal(method, origin, "127.0.0.1:8000", null), "reading is left to CORS");
        }
    }

    @Test
    void theRefusalSaysWhatToDo() {
        assertEquals("Cross-origin request refused: a page from https://evil.example may not change anything on this server; "
                + "allow its origin with --cors-origins https://evil.example (ServerConfig.corsOrigins when embedded)",
                LOOPBACK_DEFAULT.refusal("POST", "https://evil.example", "127.0.0.1:8000", null).orElseThrow());
        assertTrue(LOOPBACK_DEFAULT.refusal("DELETE", "null", "127.0.0.1:8000", null).orElseThrow().contains("only --cors-origins '*'"));
        // A header that is not an origin is not echoed.
        assertEquals("Cross-origin request refused: the Origin header is not an origin this server allows",
                LOOPBACK_DEFAULT.refusal("POST", "<script>\"", "127.0.0.1:8000", null).orElseThrow());
    }

    @Test
    void clientsThatAreNotBrowsersSendNoOriginAndPass() {
        for (OriginPolicy p : List.of(LOOPBACK_DEFAULT, ELSEWHERE_DEFAULT, OriginPolicy.of(List.of("none"), true))) {
            assertEquals(Optional.empty(), p.refusal("POST", null, "127.0.0.1:8000", null));
            assertEquals(Optional.empty(), p.refusal("DELETE", null, null, null));
            assertEquals(Optional.empty(), p.refusal("POST", null, "127.0.0.1:8000", "same-origin"));
            assertEquals(Optional.empty(), p.refusal("POST", null, "127.0.0.1:8000", "none"));
            // A browser marked it cross-site but its Origin was dropped (an extension, a proxy): refused.
            assertTrue(p.refusal("POST", null, "127.0.0.1:8000", "cross-site").isPresent());
            assertTrue(p.refusal("DELETE", null, "127.0.0.1:8000", "Cross-Site").isPresent());
            assertEquals(Optional.empty(), p.refusal("GET", null, "127.0.0.1:8000", "cross-site"));
        }
    }

    @Test
    void theServersOwnOriginAlwaysPasses() {
        OriginPolicy none = OriginPolicy.of(List.of("none"), true);
        assertNull(none.allowOriginValue("http://localhost:3000"));
        assertTrue(none.refusal("POST", "http://localhost:3000", "127.0.0.1:8000", null).isPresent());
        assertEquals(Optional.empty(), none.refusal("POST", "http://127.0.0.1:8000", "127.0.0.1:8000", null));
        assertEquals(Optional.empty(), none.refusal("POST", "http://localhost:8000", "LOCALHOST:8000", null));
        assertEquals(Optional.empty(), none.refusal("POST", "http://[::1]:8000", "[::1]:8000", null));
        assertEquals(Optional.empty(), ELSEWHERE_DEFAULT.refusal("POST", "http://tts.example.com", "tts.example.com", null));
        assertEquals(Optional.empty(), ELSEWHERE_DEFAULT.refusal("POST", "http://tts.example.com:80", "tts.example.com:80", null));
        // Behind a TLS proxy that passes its Host: the page is https, the request to us plain HTTP.
        assertEquals(Optional.empty(), ELSEWHERE_DEFAULT.refusal("POST", "https://tts.example.com", "tts.example.com", null));
        assertEquals(Optional.empty(), ELSEWHERE_DEFAULT.refusal("POST", "https://tts.example.com", "tts.example.com:443", null));
        // Another port or name is another origin.
        assertTrue(ELSEWHERE_DEFAULT.refusal("POST", "http://tts.example.com:8080", "tts.example.com:8000", null).isPresent());
        assertTrue(ELSEWHERE_DEFAULT.refusal("POST", "http://tts.example.com", "tts.example.com:8000", null).isPresent());
        assertTrue(ELSEWHERE_DEFAULT.refusal("POST", "http://evil.example:8000", "tts.example.com:8000", null).isPresent());
        assertTrue(ELSEWHERE_DEFAULT.refusal("POST", "http://tts.example.com", null, null).isPresent(), "HTTP/1.0: no Host to compare");
        assertTrue(ELSEWHERE_DEFAULT.refusal("POST", "null", "tts.example.com", null).isPresent());
    }

    @Test
    void listedOriginsExactlyOrOnAnyPort() {
        OriginPolicy p = OriginPolicy.of(List.of("https://app.example.com", "http://dev.example:*", "http://ten.example:10"), true);
        assertEquals("https://app.example.com", p.allowOriginValue("https://app.example.com"));
        assertEquals("https://app.example.com:443", p.allowOriginValue("https://app.example.com:443"));
        assertNull(p.allowOriginValue("http://app.example.com"));
        assertNull(p.allowOriginValue("https://app.example.com:8443"));
        assertNull(p.allowOriginValue("https://app.example.com.evil.example"));
        assertNull(p.allowOriginValue("https://evilapp.example.com"));
        assertEquals("http://dev.example:1234", p.allowOriginValue("http://dev.example:1234"));
        assertEquals("http://dev.example", p.allowOriginValue("http://dev.example"));
        assertNull(p.allowOriginValue("https://dev.example:1234"));
        assertEquals("http://ten.example:10", p.allowOriginValue("http://ten.example:10"));
        assertNull(p.allowOriginValue("http://ten.example:100"));
        // A list replaces the automatic loopback origins; 'loopback' puts them back.
        assertNull(p.allowOriginValue("http://localhost:3000"));
        OriginPolicy withLoopback = OriginPolicy.of(List.of("loopback", "https://app.example.com"), false);
        assertEquals("http://localhost:3000", withLoopback.allowOriginValue("http://localhost:3000"));
        assertEquals("https://app.example.com", withLoopback.allowOriginValue("https://app.example.com"));
        assertNull(withLoopback.allowOriginValue("null"));
    }

    @Test
    void anyOriginIsTheOldServersWayAndRefusesNothing() {
        OriginPolicy any = OriginPolicy.of(List.of("*"), true);
        assertTrue(any.allowsAnyOrigin());
        assertEquals("*", any.allowOriginValue("https://evil.example"));
        assertEquals("*", any.allowOriginValue("null"));
        assertNull(any.allowOriginValue(null));
        assertEquals(Optional.empty(), any.refusal("DELETE", "https://evil.example", "127.0.0.1:8000", null));
        assertEquals(Optional.empty(), any.refusal("POST", "null", "127.0.0.1:8000", null));
        assertEquals(Optional.empty(), any.refusal("POST", null, "127.0.0.1:8000", "cross-site"));
        assertTrue(any.startWarning(false).orElseThrow().contains("--api-key"));
        assertEquals(Optional.empty(), any.startWarning(true), "with a key, a foreign page still cannot do anything");
        assertEquals(Optional.empty(), LOOPBACK_DEFAULT.startWarning(false));
        assertFalse(LOOPBACK_DEFAULT.allowsAnyOrigin());
    }

    @Test
    void settingsAreCheckedAndSpelledOneWay() {
        assertEquals(List.of("http://localhost:3000", "https://app.example.com", "http://x.example", "https://y.example:8443",
                        "http://[::1]:*", "loopback"),
                OriginPolicy.normalize(List.of(" HTTP://LocalHost:3000/ ", "https://app.example.com:443", "http://x.example:80", "",
                        "https://y.example:8443", "http://[::1]:*", "LOOPBACK", "http://localhost:3000")));
        assertEquals(List.of("*"), OriginPolicy.normalize(List.of("*")));
        assertEquals(List.of("none"), OriginPolicy.normalize(List.of("None")));
        assertEquals(List.of(), OriginPolicy.normalize(List.of(" ")));
        for (List<String> bad : List.of(List.of("null"), List.of("localhost:3000"), List.of("http://localhost:3000/app"),
                List.of("https://*.example.com"), List.of("*", "http://a.example"), List.of("none", "loopback"),
                List.of("http://user@host.example"), List.of("http://a.example:65536"), List.of("http://a.example:x"))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OriginPolicy.normalize(bad), bad::toString);
            assertTrue(e.getMessage().startsWith("--cors-origins"), e.getMessage());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> OriginPolicy.normalize(List.of("https://*.example.com")))
                .getMessage().contains("wildcards are not supported"));
    }

    @Test
    void theStartLogSaysWhoIsLetIn() {
        assertTrue(LOOPBACK_DEFAULT.describe().startsWith("pages on loopback"), LOOPBACK_DEFAULT.describe());
        assertEquals("the server's own origin only", ELSEWHERE_DEFAULT.describe());
        assertEquals("https://a.example and the server's own origin", OriginPolicy.of(List.of("https://a.example"), true).describe());
        assertEquals("any origin (--cors-origins *)", OriginPolicy.of(List.of("*"), false).describe());
    }
}
