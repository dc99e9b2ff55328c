package dev.ttsqueue.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ttsqueue.testing.SyntheticBackend;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Permanent voices per tenant: a tenant's voices are its own, shared voices (uploaded by an admin
 * key) are everybody's. Every route with a voice name in its path (found as Jersey finds them) and
 * every route that queues a job by voice name answers another tenant's voice exactly as an unknown
 * one.
 */
class VoiceIsolationTest {
    @TempDir
    java.nio.file.Path dir;

    private java.nio.file.Path keys;

    /** How each route that queues a job by voice name names it. */
    private static final Map<String, BiFunction<TestServer, String, TestServer.Reply>> BY_VOICE = Map.of(
            "POST /tts-permanent", (s, v) -> s.postJson("/tts-permanent", Map.of("voice_name", v, "text", "hello")),
            "POST /jobs/tts-permanent-async", (s, v) -> s.postForm("/jobs/tts-permanent-async", Map.of("voice_name", v, "text", "hello")),
            "POST /jobs/submit", (s, v) -> s.postJson("/jobs/submit",
                    Map.of("job_type", "tts_permanent", "parameters", Map.of("voice_name", v, "gen_text", "hello"))));

    @BeforeEach
    void keys() throws Exception {
        keys = dir.resolve("keys.txt");
        Files.writeString(keys, TenantsTest.ALPHA + " alpha 1 0 0\n" + TenantsTest.BETA + " beta 1 0 0\n"
                + TenantsTest.ADMIN + " ops 1 0 0 admin\n");
    }

    private TestServer start() throws Exception {
        return TestServer.builder(dir).backend(SyntheticBackend.builder().build()).config(c -> c.withApiKeysFile(keys)).start();
    }

    private static TestServer.Reply uploadVoice(TestServer s, String name, Map<String, ?> extra) {
        Map<String, Object> f = new LinkedHashMap<>(Map.of("voice_name", name, "audio_file", TestServer.wavFile(0.5), "ref_text", "words"));
        f.putAll(extra);
        return s.postMultipart("/upload-permanent-voice", f);
    }

    @Test
    void anotherTenantsVoiceAnswersAsAnUnknownOneOnEveryRouteThatNamesAVoice() throws Exception {
        List<AudioIsolationTest.Route> routes = AudioIsolationTest.routes(r -> r.path().contains("{voice_name}"));
        Set<String> names = new TreeSet<>();
        routes.forEach(r -> names.add(r.toString()));
        assertEquals(Set.of("DELETE /voices/{voice_name}"), names, "a new route with a voice name must be added to this test");
        try (TestServer s = start()) {
            s.apiKey = TenantsTest.ALPHA;
            assertEquals(200, uploadVoice(s, "alphavoice", Map.of()).status());
            assertTrue(Files.exists(dir.resolve("reference_voices/alpha/alphavoice.wav")), "in alpha's own folder");
            assertFalse(Files.exists(dir.resolve("reference_voices/alphavoice.wav")));

            for (Map.Entry<String, BiFunction<TestServer, String, TestServer.Reply>> route : BY_VOICE.entrySet()) {
                s.apiKey = TenantsTest.BETA;
                TestServer.Reply foreign = route.getValue().apply(s, "alphavoice");
                TestServer.Reply missing = route.getValue().apply(s, "nosuchvoice");
                assertEquals(404, foreign.status(), route.getKey() + ": " + foreign.text());
                assertEquals(missing.text().replace("nosuchvoice", "alphavoice"), foreign.text(), route.getKey());
                s.apiKey = TenantsTest.ALPHA;
                TestServer.Reply own = route.getValue().apply(s, "AlphaVoice");
                assertEquals(200, own.status(), route.getKey() + " with its own key: " + own.text());
                if (own.json().has("job_id")) {
                    s.awaitFinished(own.json().get("job_id").asText());
                }
            }
            for (AudioIsolationTest.Route r : routes) {
                s.apiKey = TenantsTest.BETA;
                TestServer.Reply foreign = s.send(request(s, r, "alphavoice"));
                TestServer.Reply missing = s.send(request(s, r, "nosuchvoice"));
                assertEquals(404, foreign.status(), r + ": " + foreign.text());
                assertEquals(missing.text(), foreign.text(), r.toString());
            }
            assertTrue(Files.exists(dir.resolve("reference_voices/alpha/alphavoice.wav")), "beta deleted nothing");
            s.apiKey = TenantsTest.ADMIN;
            assertEquals(404, s.delete("/voices/alphavoice").status(), "the admin's own voices do not hold it");
            assertEquals(200, s.delete("/voices/alphavoice?tenant=alpha").status());
            assertFalse(Files.exists(dir.resolve("reference_voices/alpha/alphavoice.wav")));
        }
    }

    @Test
    void sharedVoicesAreUploadedAndDeletedByAdminKeysOnlyAndSpeakForEveryTenant() throws Exception {
        try (TestServer s = start()) {
            s.apiKey = TenantsTest.BETA;
            TestServer.Reply refused = uploadVoice(s, "common", Map.of("shared", "true"));
            assertEquals(403, refused.status(), refused.text());
            assertEquals("Only an admin key may upload a shared voice", refused.detail());
            assertFalse(Files.exists(dir.resolve("reference_voices/common.wav")), "nothing stored");
            s.apiKey = TenantsTest.ADMIN;
            assertEquals(200, uploadVoice(s, "common", Map.of("shared", "true")).status());
            assertTrue(Files.exists(dir.resolve("reference_voices/common.wav")), "the shared folder keeps the old layout");
            for (String key : List.of(TenantsTest.ALPHA, TenantsTest.BETA)) {
                s.apiKey = key;
                TestServer.Reply own = BY_VOICE.get("POST /jobs/tts-permanent-async").apply(s, "common");
                assertEquals(200, own.status(), own.text());
                s.awaitFinished(own.json().get("job_id").asText());
                assertEquals(403, s.delete("/voices/common?shared=true").status(), "a tenant never deletes a shared voice");
                assertEquals(404, s.delete("/voices/common").status(), "nor finds it among its own");
                assertEquals(403, s.delete("/voices/common?tenant=ops").status());
            }
            assertTrue(Files.exists(dir.resolve("reference_voices/common.wav")));
            s.apiKey = TenantsTest.ADMIN;
            assertEquals(400, s.delete("/voices/common?shared=true&tenant=alpha").status());
            assertEquals(400, s.delete("/voices/common?tenant=..").status(), "a tenant name that is no folder");
            assertEquals(422, s.delete("/voices/common?shared=maybe").status());
            assertEquals(200, s.delete("/voices/common?shared=true").status());
            assertFalse(Files.exists(dir.resolve("reference_voices/common.wav")));
        }
    }

    @Test
    void aTenantListsTheSharedVoicesAndItsOwnAndTheAdminListsAll() throws Exception {
        try (TestServer s = start()) {
            s.apiKey = TenantsTest.ADMIN;
            uploadVoice(s, "common", Map.of("shared", "yes"));
            s.apiKey = TenantsTest.ALPHA;
            uploadVoice(s, "mine", Map.of());
            uploadVoice(s, "common", Map.of()); // its own voice of the same name as a shared one
            s.apiKey = TenantsTest.BETA;
            uploadVoice(s, "theirs", Map.of());

            assertEquals(Set.of("common@", "theirs@beta"), listed(s));
            s.apiKey = TenantsTest.ALPHA;
            assertEquals(Set.of("common@", "common@alpha", "mine@alpha"), listed(s));
            s.apiKey = TenantsTest.ADMIN;
            assertEquals(Set.of("common@", "common@alpha", "mine@alpha", "theirs@beta"), listed(s));
        }
    }

    @Test
    void withoutAKeysFileVoicesStayFlatAndListedAsBefore() throws Exception {
        try (TestServer s = TestServer.builder(dir).backend(SyntheticBackend.builder().build()).start()) {
            assertEquals(200, uploadVoice(s, "anna", Map.of()).status());
            try (Stream<java.nio.file.Path> files = Files.list(dir.resolve("reference_voices"))) {
                assertEquals(List.of("anna.wav", "anna_ref.txt"), files.map(p -> p.getFileName().toString()).sorted().toList());
            }
            JsonNode voice = s.get("/list-voices").json().get("voices").get(0);
            List<String> fields = new ArrayList<>();
            voice.fieldNames().forEachRemaining(fields::add);
            assertEquals(List.of("name", "filename", "duration", "ref_text"), fields, "no tenant field for old clients");
            assertEquals(200, s.delete("/voices/anna").status());
        }
    }

    private static Set<String> listed(TestServer s) {
        TestServer.Reply r = s.get("/list-voices");
        assertEquals(200, r.status(), r.text());
        Map<String, Integer> seen = new HashMap<>();
        Set<String> out = new TreeSet<>();
        for (JsonNode v : r.json().get("voices")) {
            String entry = v.get("name").asText() + "@" + (v.get("tenant").isNull() ? "" : v.get("tenant").asText());
            assertEquals(null, seen.put(entry, 1), "listed once: " + entry);
            out.add(entry);
        }
        assertEquals(out.size(), r.json().get("total_voices").asInt());
        return out;
    }

    private static HttpRequest request(TestServer s, AudioIsolationTest.Route r, String name) {
        return s.request(r.path().replace("{voice_name}", name)).method(r.method().toUpperCase(Locale.ROOT), HttpRequest.BodyPublishers.noBody())
                .build();
    }
}
