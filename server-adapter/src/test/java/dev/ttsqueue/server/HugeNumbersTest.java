package dev.ttsqueue.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Numbers whose exponent is near an int's limits ({@code 1e2147483647}) in every numeric field, in
 * every position the API takes one (form fields URL-encoded and multipart, query parameters, JSON
 * strings and JSON numbers): each is a client error, never a 500. They once overflowed
 * {@code BigDecimal} arithmetic while being turned into integers.
 */
class HugeNumbersTest {
    private static final List<String> HUGE = List.of("1e2147483647", "-1e2147483647", "9e2147483647", "1000e2147483647",
            "1E+2147483647", "-0.5e2147483647", "1e-2147483647", "1e-2147483648");
    /**
     * Values so close to 0 that a real number field may take them (as 0), and so may any field when
     * they come as JSON numbers, which are read as doubles (0.0), as Python's json reads them.
     */
    private static final Set<String> TINY = Set.of("1e-2147483647", "1e-2147483648");
    private static final Set<String> REAL_FIELDS = Set.of("speed", "cross_fade_duration", "max_age_hours");
    /** Fields a huge value must be refused in; a seed outside 0..2^31-1 is documented to mean "draw one". */
    private static final Set<String> REFUSED = Set.of("priority", "nfe_step", "speed", "cross_fade_duration", "limit", "max_age_hours");

    @TempDir
    static Path dir;
    private static TestServer s;
    private static String ref;

    @BeforeAll
    static void start() throws Exception {
        s = TestServer.builder(dir).start();
        ref = s.upload();
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    @Test
    void formFieldsUrlEncodedAndMultipart() {
        List<String> failures = new ArrayList<>();
        for (String field : List.of("priority", "seed", "nfe_step", "speed", "cross_fade_duration")) {
            for (String value : HUGE) {
                Map<String, Object> form = new LinkedHashMap<>();
                form.put("audio_file_id", ref);
                form.put("text", "a huge number");
                form.put(field, value);
                check(failures, field, "form " + field + "=" + value, s.postForm("/jobs/tts-generate-async", form));
                check(failures, field, "multipart " + field + "=" + value, s.postMultipart("/jobs/voice-cloning-async", form));
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    @Test
    void queryParameters() {
        List<String> failures = new ArrayList<>();
        for (String value : HUGE) {
            String q = URLEncoder.encode(value, StandardCharsets.UTF_8);
            check(failures, "limit", "limit=" + value, s.get("/jobs?limit=" + q));
            check(failures, "max_age_hours", "max_age_hours=" + value, s.send(s.request("/jobs/cleanup?max_age_hours=" + q)
                    .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build()));
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    @Test
    void jsonStringsAndNumbersAtTheTopAndNested() {
        List<String> failures = new ArrayList<>();
        for (String value : HUGE) {
            for (boolean asNumber : List.of(false, true)) {
                ObjectNode top = submitBody();
                put(top, "priority", value, asNumber);
                check(failures, "priority", "submit priority=" + value + (asNumber ? " (number)" : ""), s.postJson("/jobs/submit", top.toString()));
                for (String field : List.of("seed", "nfe_step", "speed", "cross_fade_duration")) {
                    ObjectNode nested = submitBody();
                    put(((ObjectNode) nested.get("parameters")).putObject("inference_settings"), field, value, asNumber);
                    check(failures, field, "submit inference_settings." + field + "=" + value + (asNumber ? " (number)" : ""),
                            s.postJson("/jobs/submit", nested.toString()));
                    ObjectNode sync = JsonNodeFactory.instance.objectNode().put("audio_file_id", ref).put("text", "a huge number");
                    put(sync.putObject("settings"), field, value, asNumber);
                    check(failures, field, "tts-generate settings." + field + "=" + value + (asNumber ? " (number)" : ""),
                            s.postJson("/tts-generate", sync.toString()));
                }
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    private static ObjectNode submitBody() {
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("job_type", "voice_cloning");
        body.putObject("parameters").put("audio_file_id", ref).put("gen_text", "a huge number");
        return body;
    }

    /** As a JSON string, or as a JSON number written with the very exponent (not as a rounded double). */
    private static void put(ObjectNode node, String field, String value, boolean asNumber) {
        if (asNumber) {
            node.put(field, new BigDecimal(value.replace("e-2147483648", "e-2147483647")));
        } else {
            node.put(field, value);
        }
    }

    private static void check(List<String> failures, String field, String what, TestServer.Reply r) {
        boolean tiny = TINY.stream().anyMatch(what::contains);
        boolean mayPass = !REFUSED.contains(field) || (tiny && (REAL_FIELDS.contains(field) || what.endsWith("(number)")));
        boolean ok = mayPass ? r.status() < 500 : r.status() == 400 || r.status() == 422;
        if (!ok) {
            failures.add(what + " -> " + r);
        }
    }
}
