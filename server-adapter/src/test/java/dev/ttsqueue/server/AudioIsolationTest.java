package dev.ttsqueue.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ttsqueue.testing.SyntheticBackend;
import jakarta.ws.rs.Path;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.model.Resource;
import org.glassfish.jersey.server.model.ResourceMethod;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audio belongs to a tenant: an upload to the tenant that uploaded it, an output to the tenant of
 * the job that made it. Every route that takes an audio id in its path, and every route that
 * queues a job (found in the resources as Jersey finds them, so a new one fails here until it is
 * classified), answers another tenant's clip exactly as an unknown id, while the owner and the
 * admin key reach it.
 */
class AudioIsolationTest {
    @TempDir
    java.nio.file.Path dir;

    private java.nio.file.Path keys;

    record Route(String method, String path) {
        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    /** How each POST route that may name an audio clip names it: the request to send for a clip id. */
    private static final Map<String, BiFunction<TestServer, String, TestServer.Reply>> REFERENCING = Map.of(
            "POST /jobs/tts-generate-async", (s, id) -> s.postForm("/jobs/tts-generate-async", Map.of("audio_file_id", id, "text", "hello")),
            "POST /jobs/voice-cloning-async", (s, id) -> s.postForm("/jobs/voice-cloning-async", Map.of("audio_file_id", id, "text", "hello")),
            "POST /jobs/submit", (s, id) -> s.postJson("/jobs/submit",
                    Map.of("job_type", "voice_cloning", "parameters", Map.of("audio_file_id", id, "gen_text", "hello"))),
            "POST /tts-generate", (s, id) -> s.postJson("/tts-generate", Map.of("audio_file_id", id, "text", "hello")));

    /** POST routes that take no audio id (a new route must be put in one of the two tables). */
    private static final Set<String> NOT_REFERENCING = Set.of("POST /upload-audio", "POST /upload-permanent-voice",
            "POST /tts-permanent", "POST /jobs/tts-permanent-async", "POST /voice-cloning", "POST /jobs/cleanup");

    static List<Route> routes(Predicate<Route> keep) {
        List<Route> out = new ArrayList<>();
        ResourceConfig scan = new ResourceConfig().packages(true, TtsServer.class.getPackageName());
        for (Class<?> c : scan.getClasses()) {
            if (c.isAnnotationPresent(Path.class)) {
                collect(Resource.from(c), "", out);
            }
        }
        return out.stream().filter(keep).toList();
    }

    private static void collect(Resource r, String prefix, List<Route> out) {
        String path = (prefix + "/" + (r.getPath() == null ? "" : r.getPath())).replaceAll("/+", "/");
        for (ResourceMethod m : r.getResourceMethods()) {
            out.add(new Route(m.getHttpMethod(), path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path));
        }
        for (Resource child : r.getChildResources()) {
            collect(child, path, out);
        }
    }

    @BeforeEach
    void keys() throws Exception {
        keys = dir.resolve("keys.txt");
        Files.writeString(keys, TenantsTest.ALPHA + " alpha 1 0 0\n" + TenantsTest.BETA + " beta 1 0 0\n"
                + TenantsTest.ADMIN + " ops 1 0 0 admin\n");
    }

    private TestServer start() throws Exception {
        return TestServer.builder(dir).backend(SyntheticBackend.builder().build()).directoryAudio()
                .config(c -> c.withApiKeysFile(keys)).start();
    }

    @Test
    void anotherTenantsUploadOrOutputAnswersAsAnUnknownIdOnEveryRouteThatTakesAnAudioId() throws Exception {
        List<Route> routes = routes(r -> r.path().contains("{file_id}"));
        Set<String> names = new TreeSet<>();
        routes.forEach(r -> names.add(r.toString()));
        assertTrue(names.containsAll(List.of("GET /download-audio/{file_id}", "HEAD /download-audio/{file_id}", "DELETE /audio/{file_id}")),
                names.toString());
        try (TestServer s = start()) {
            s.apiKey = TenantsTest.ALPHA;
            String upload = s.upload();
            String job = s.submitAsync(upload, "alpha's words", 0);
            s.awaitFinished(job);
            String output = s.get("/jobs/" + job + "/result").json().get("output_file_id").asText();
            String unknown = UUID.randomUUID().toString();
            for (String clip : List.of(upload, output)) {
                for (Route r : routes) {
                    for (String range : new String[] {null, "bytes=0-9"}) {
                        String what = r + " " + (clip.equals(upload) ? "upload" : "output") + (range == null ? "" : " " + range);
                        s.apiKey = TenantsTest.BETA;
                        TestServer.Reply foreign = s.send(request(s, r, clip, range));
                        TestServer.Reply missing = s.send(request(s, r, unknown, range));
                        assertEquals(404, foreign.status(), what + ": " + foreign.text());
                        assertEquals(missing.status(), foreign.status(), what);
                        assertEquals(missing.text(), foreign.text(), what);
                        if (!r.method().equals("HEAD")) {
                            assertEquals("{\"detail\":\"Audio file not found\"}", foreign.text(), what);
                        }
                        if (!r.method().equals("DELETE")) {
                            for (String key : List.of(TenantsTest.ALPHA, TenantsTest.ADMIN)) {
                                s.apiKey = key;
                                TestServer.Reply own = s.send(request(s, r, clip, range));
                                assertEquals(range == null || r.method().equals("HEAD") ? 200 : 206, own.status(),
                                        what + " with its own or the admin key: " + own.text());
                            }
                        }
                    }
                }
            }
            s.apiKey = TenantsTest.ALPHA;
            assertEquals(200, s.delete("/audio/" + output).status(), "its own tenant deletes it");
            s.apiKey = TenantsTest.ADMIN;
            assertEquals(200, s.delete("/audio/" + upload).status(), "the admin deletes any");
        }
    }

    @Test
    void aJobReferencingAnotherTenantsClipIsRefusedAsAnUnknownOneOnEveryRouteThatQueuesAJob() throws Exception {
        Set<String> posts = new TreeSet<>();
        routes(r -> r.method().equals("POST")).forEach(r -> posts.add(r.toString()));
        Set<String> classified = new HashSet<>(REFERENCING.keySet());
        classified.addAll(NOT_REFERENCING);
        assertEquals(new TreeSet<>(classified), posts, "every POST route says whether it takes an audio id");
        try (TestServer s = start()) {
            s.apiKey = TenantsTest.ALPHA;
            String upload = s.upload();
            String job = s.submitAsync(upload, "alpha's words", 0);
            s.awaitFinished(job);
            String output = s.get("/jobs/" + job + "/result").json().get("output_file_id").asText();
            String unknown = UUID.randomUUID().toString();
            for (Map.Entry<String, BiFunction<TestServer, String, TestServer.Reply>> route : REFERENCING.entrySet()) {
                for (String clip : List.of(upload, output)) {
                    String what = route.getKey() + " with " + (clip.equals(upload) ? "an upload" : "an output");
                    s.apiKey = TenantsTest.BETA;
                    TestServer.Reply foreign = route.getValue().apply(s, clip);
                    TestServer.Reply missing = route.getValue().apply(s, unknown);
                    assertEquals(404, foreign.status(), what + ": " + foreign.text());
                    assertEquals(missing.text(), foreign.text(), what);
                    assertEquals("{\"detail\":\"Audio file not found. Please upload audio first.\"}", foreign.text(), what);
                    for (String key : List.of(TenantsTest.ALPHA, TenantsTest.ADMIN)) {
                        s.apiKey = key;
                        TestServer.Reply own = route.getValue().apply(s, clip);
                        assertEquals(200, own.status(), what + " with its own or the admin key: " + own.text());
                        if (own.json().has("job_id")) {
                            s.awaitFinished(own.json().get("job_id").asText());
                        }
                    }
                }
            }
        }
    }

    @Test
    void refAudioPathToAnotherTenantsUploadIsRefusedAsAPathOutsideTheServer() throws Exception {
        try (TestServer s = start()) {
            s.apiKey = TenantsTest.ALPHA;
            String upload = s.upload();
            java.nio.file.Path file = dir.resolve("audio/uploads/" + upload + ".wav");
            assertTrue(Files.exists(file));
            java.nio.file.Path absent = dir.resolve("audio/uploads/" + UUID.randomUUID() + ".wav");
            s.apiKey = TenantsTest.BETA;
            TestServer.Reply foreign = submitPath(s, file);
            TestServer.Reply missing = submitPath(s, absent);
            assertEquals(400, foreign.status(), foreign.text());
            assertEquals(missing.text(), foreign.text());
            for (String key : List.of(TenantsTest.ALPHA, TenantsTest.ADMIN)) {
                s.apiKey = key;
                TestServer.Reply own = submitPath(s, file);
                assertEquals(200, own.status(), own.text());
                s.awaitFinished(own.json().get("job_id").asText());
            }
        }
    }

    private static TestServer.Reply submitPath(TestServer s, java.nio.file.Path path) {
        return s.postJson("/jobs/submit", Map.of("job_type", "tts_generate",
                "parameters", Map.of("ref_audio_path", path.toString(), "gen_text", "hello")));
    }

    @Test
    void listAudioShowsATenantItsOwnClipsAndTheAdminEveryClip() throws Exception {
        try (TestServer s = start()) {
            s.apiKey = TenantsTest.ALPHA;
            String alphaUpload = s.upload();
            String job = s.submitAsync(alphaUpload, "alpha's words", 0);
            s.awaitFinished(job);
            String alphaOutput = s.get("/jobs/" + job + "/result").json().get("output_file_id").asText();
            s.apiKey = TenantsTest.BETA;
            String betaUpload = s.upload();

            assertEquals(Set.of(betaUpload), listed(s));
            s.apiKey = TenantsTest.ALPHA;
            assertEquals(Set.of(alphaUpload, alphaOutput), listed(s));
            s.apiKey = TenantsTest.ADMIN;
            assertEquals(Set.of(alphaUpload, alphaOutput, betaUpload), listed(s));
        }
    }

    private static Set<String> listed(TestServer s) {
        TestServer.Reply r = s.get("/list-audio");
        assertEquals(200, r.status(), r.text());
        Set<String> ids = new HashSet<>();
        for (JsonNode f : r.json().get("files")) {
            ids.add(f.get("file_id").asText());
        }
        assertEquals(ids.size(), r.json().get("total_files").asInt());
        return ids;
    }

    private static HttpRequest request(TestServer s, Route r, String id, String range) {
        HttpRequest.Builder b = s.request(r.path().replace("{file_id}", id))
                .method(r.method().toUpperCase(Locale.ROOT), HttpRequest.BodyPublishers.noBody());
        if (range != null) {
            b.header("Range", range);
        }
        return b.build();
    }
}
