package dev.ttsqueue.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.testing.SyntheticBackend;
import jakarta.ws.rs.Path;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.UUID;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.model.Resource;
import org.glassfish.jersey.server.model.ResourceMethod;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every route that takes a job id, found in the resources as Jersey finds them (a new one is
 * checked without being listed here): another tenant's job answers exactly as an unknown id does,
 * while its own tenant and the admin key reach it.
 */
class TenantIsolationTest {
    @TempDir
    java.nio.file.Path dir;

    record Route(String method, String path) {
    }

    static List<Route> jobRoutes() {
        List<Route> out = new ArrayList<>();
        ResourceConfig scan = new ResourceConfig().packages(true, TtsServer.class.getPackageName());
        for (Class<?> c : scan.getClasses()) {
            if (c.isAnnotationPresent(Path.class)) {
                collect(Resource.from(c), "", out);
            }
        }
        return out;
    }

    private static void collect(Resource r, String prefix, List<Route> out) {
        String path = (prefix + "/" + (r.getPath() == null ? "" : r.getPath())).replaceAll("/+", "/");
        for (ResourceMethod m : r.getResourceMethods()) {
            if (path.contains("{job_id}")) {
                out.add(new Route(m.getHttpMethod(), path.endsWith("/") ? path.substring(0, path.length() - 1) : path));
            }
        }
        for (Resource child : r.getChildResources()) {
            collect(child, path, out);
        }
    }

    @Test
    void anotherTenantsJobAnswersAsAnUnknownOneOnEveryRouteThatTakesAJobId() throws Exception {
        List<Route> routes = jobRoutes();
        TreeSet<String> names = new TreeSet<>();
        routes.forEach(r -> names.add(r.method() + " " + r.path()));
        assertTrue(names.containsAll(List.of("GET /jobs/{job_id}/status", "GET /jobs/{job_id}/result", "DELETE /jobs/{job_id}",
                "GET /jobs/{job_id}/events", "GET /jobs/{job_id}/audio-stream")), names.toString());
        java.nio.file.Path keys = dir.resolve("keys.txt");
        Files.writeString(keys, TenantsTest.ALPHA + " alpha 1 0 0\n" + TenantsTest.BETA + " beta 1 0 0\n"
                + TenantsTest.ADMIN + " ops 1 0 0 admin\n");
        try (TestServer s = TestServer.builder(dir).backend(SyntheticBackend.builder().build())
                .config(c -> c.withApiKeysFile(keys)).start()) {
            s.apiKey = TenantsTest.ALPHA;
            String job = s.submitAsync(s.upload(), "alpha's words", 0);
            s.awaitFinished(job);
            String unknown = UUID.randomUUID().toString();
            for (Route r : routes) {
                s.apiKey = TenantsTest.BETA;
                TestServer.Reply foreign = s.send(request(s, r, job));
                TestServer.Reply missing = s.send(request(s, r, unknown));
                String what = r.method() + " " + r.path();
                assertEquals(404, foreign.status(), what + ": " + foreign.text());
                assertEquals(missing.status(), foreign.status(), what);
                assertEquals(missing.text(), foreign.text(), what);
                assertEquals("{\"detail\":\"Job not found\"}", foreign.text(), what);
                if (!r.method().equals("DELETE")) {
                    for (String key : List.of(TenantsTest.ALPHA, TenantsTest.ADMIN)) {
                        s.apiKey = key;
                        TestServer.Reply own = s.send(request(s, r, job));
                        assertEquals(200, own.status(), what + " with its own or the admin key: " + own.text());
                    }
                }
            }
            s.apiKey = TenantsTest.ALPHA;
            assertEquals(409, s.delete("/jobs/" + job).status(), "its own tenant reaches it (already finished)");
        }
    }

    @Test
    void aJobsStatusNamesItsTenantOnlyWhenItHasOne() throws Exception {
        java.nio.file.Path keys = dir.resolve("keys.txt");
        Files.writeString(keys, TenantsTest.ALPHA + " alpha 1 0 0\n");
        try (TestServer s = TestServer.builder(dir).backend(SyntheticBackend.builder().build())
                .config(c -> c.withApiKeysFile(keys)).start()) {
            s.apiKey = TenantsTest.ALPHA;
            String job = s.submitAsync(s.upload(), "alpha's words", 0);
            s.awaitFinished(job);
            assertEquals("alpha", s.get("/jobs/" + job + "/status").json().get("tenant").asText());
            assertEquals("alpha", s.get("/jobs?limit=5").json().get("jobs").get(0).get("tenant").asText());
        }
        try (TestServer s = TestServer.builder(dir.resolve("open")).backend(SyntheticBackend.builder().build()).start()) {
            String job = s.submitAsync(s.upload(), "anyone's words", 0);
            s.awaitFinished(job);
            assertTrue(s.get("/jobs/" + job + "/status").json().path("tenant").isMissingNode(), "old clients' JSON unchanged");
        }
    }

    private static HttpRequest request(TestServer s, Route r, String id) {
        return s.request(r.path().replace("{job_id}", id)).method(r.method().toUpperCase(Locale.ROOT), HttpRequest.BodyPublishers.noBody())
                .build();
    }
}
