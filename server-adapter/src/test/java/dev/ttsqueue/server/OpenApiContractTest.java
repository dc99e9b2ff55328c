package dev.ttsqueue.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ttsqueue.server.internal.ApiKeyFilter;
import dev.ttsqueue.server.internal.FormFieldNames;
import jakarta.ws.rs.Path;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.glassfish.jersey.model.Parameter;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.model.Resource;
import org.glassfish.jersey.server.model.ResourceMethod;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The served OpenAPI document against the JAX-RS resources, both ways: every resource method of
 * every {@code @Path} class of the server is documented with its path, query and header parameters
 * and its form fields ({@link FormFieldNames}), and nothing is documented that no resource serves.
 * Security and statuses are checked on the real server: an endpoint is documented as needing the
 * key exactly when it answers 401 without it, the query-parameter key exactly where it is taken,
 * and each endpoint's answer to a request without the key, and to a request with it and unknown
 * ids or empty bodies, is one it documents.
 */
class OpenApiContractTest {
    private static final String KEY = "contract-key";
    private static final Set<String> VERBS = Set.of("get", "post", "put", "delete", "head", "patch", "options");
    private static final Pattern TEMPLATE = Pattern.compile("\\{(\\w+)\\s*(?::[^}]*)?}");

    @TempDir
    static java.nio.file.Path dir;
    static TestServer s;
    static JsonNode doc;
    static Map<String, Route> routes;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** One resource method: what the document must say of it. */
    record Route(String method, String path, Set<String> params, Set<String> formFields, boolean form, boolean jsonBody) {
        String key() {
            return method + " " + path;
        }

        /** The path with every template variable replaced by an id nobody has. */
        String probePath() {
            return TEMPLATE.matcher(path).replaceAll("no-such-id");
        }
    }

    @BeforeAll
    static void start() throws Exception {
        s = TestServer.builder(dir).config(c -> c.withApiKey(KEY)).start();
        TestServer.Reply r = s.get("/openapi.json");
        assertEquals(200, r.status(), "the document is open");
        doc = r.json();
        routes = resourceRoutes();
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    // ---- the resources ----------------------------------------------------------------------

    /** Every resource method of the server's {@code @Path} classes, found as Jersey finds them. */
    private static Map<String, Route> resourceRoutes() {
        Map<String, Route> out = new TreeMap<>();
        ResourceConfig scan = new ResourceConfig().packages(true, TtsServer.class.getPackageName());
        Object serverCode = TtsServer.class.getProtectionDomain().getCodeSource().getLocation();
        for (Class<?> c : scan.getClasses()) {
            if (c.isAnnotationPresent(Path.class) && serverCode.equals(c.getProtectionDomain().getCodeSource().getLocation())) {
                collect(Resource.from(c), "", out);
            }
        }
        assertTrue(out.size() > 20, "found too few resource methods: " + out.keySet());
        return out;
    }

    private static void collect(Resource r, String prefix, Map<String, Route> out) {
        String path = normalize(prefix + "/" + (r.getPath() == null ? "" : r.getPath()));
        for (ResourceMethod m : r.getResourceMethods()) {
            Set<String> params = new TreeSet<>();
            Matcher t = TEMPLATE.matcher(path);
            while (t.find()) {
                params.add("path:" + t.group(1));
            }
            boolean entity = false;
            for (Parameter p : m.getInvocable().getParameters()) {
                switch (p.getSource()) {
                    case QUERY -> params.add("query:" + p.getSourceName());
                    case HEADER -> params.add("header:" + p.getSourceName());
                    case PATH -> assertTrue(params.contains("path:" + p.getSourceName()), p.getSourceName() + " not in " + path);
                    case ENTITY -> entity = true;
                    case FORM, BEAN_PARAM, MATRIX, COOKIE -> throw new AssertionError(
                            m.getInvocable().getHandlingMethod() + ": " + p.getSource() + " parameters are not checked against the document; "
                                    + "extend this test");
                    default -> {
                        // @Context, @Suspended: not part of the request's contract
                    }
                }
            }
            FormFieldNames form = m.getInvocable().getHandlingMethod().getAnnotation(FormFieldNames.class);
            Set<String> fields = new TreeSet<>();
            if (form != null) {
                fields.addAll(List.of(form.value()));
                if (form.settings()) {
                    fields.addAll(FormFieldNames.SETTINGS);
                }
            }
            Route route = new Route(m.getHttpMethod().toLowerCase(Locale.ROOT), path, params, fields, form != null, entity);
            Route before = out.put(route.key(), route);
            assertEquals(null, before, "two resource methods serve " + route.key());
        }
        for (Resource child : r.getChildResources()) {
            collect(child, path, out);
        }
    }

    private static String normalize(String path) {
        String p = TEMPLATE.matcher(path.replaceAll("/+", "/")).replaceAll("{$1}");
        return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    // ---- the document -----------------------------------------------------------------------

    private static Map<String, JsonNode> documentedOperations() {
        Map<String, JsonNode> out = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = doc.get("paths").fields(); paths.hasNext();) {
            Map.Entry<String, JsonNode> p = paths.next();
            for (Iterator<String> verbs = p.getValue().fieldNames(); verbs.hasNext();) {
                String verb = verbs.next();
                if (VERBS.contains(verb)) {
                    out.put(verb + " " + p.getKey(), p.getValue().get(verb));
                }
            }
        }
        return out;
    }

    /** The documented operation of {@code r}, or null. */
    private static JsonNode operation(Route r) {
        JsonNode path = doc.get("paths").get(r.path());
        return path == null ? null : path.get(r.method());
    }

    private static JsonNode resolve(JsonNode node) {
        while (node != null && node.has("$ref")) {
            String ref = node.get("$ref").asText();
            assertTrue(ref.startsWith("#/"), ref);
            node = doc.at(ref.substring(1));
            assertFalse(node.isMissingNode(), "dangling " + ref);
        }
        return node;
    }

    private static Set<String> documentedParams(Route r) {
        Set<String> out = new TreeSet<>();
        List<JsonNode> all = new ArrayList<>();
        doc.get("paths").get(r.path()).path("parameters").forEach(all::add);
        operation(r).path("parameters").forEach(all::add);
        for (JsonNode p : all) {
            JsonNode param = resolve(p);
            out.add(param.get("in").asText() + ":" + param.get("name").asText());
        }
        return out;
    }

    /** The security requirements in force for {@code op}: its own, else the document's. */
    private static JsonNode security(JsonNode op) {
        return op.has("security") ? op.get("security") : doc.path("security");
    }

    /** Documented as needing the key: at least one requirement, none of them empty ({@code {}} means "or nothing"). */
    private static boolean documentsKey(JsonNode op) {
        JsonNode sec = security(op);
        if (sec.isMissingNode() || sec.isEmpty()) {
            return false;
        }
        for (JsonNode requirement : sec) {
            if (requirement.isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /** Documented as taking the key in the query: a requirement on a query API key scheme of the filter's parameter name. */
    private static boolean documentsQueryKey(JsonNode op) {
        for (JsonNode requirement : security(op)) {
            for (Iterator<String> names = requirement.fieldNames(); names.hasNext();) {
                JsonNode scheme = resolve(doc.path("components").path("securitySchemes").path(names.next()));
                assertFalse(scheme.isMissingNode(), "undefined security scheme in " + requirement);
                if ("query".equals(scheme.path("in").asText())) {
                    assertEquals(ApiKeyFilter.QUERY_PARAMETER, scheme.path("name").asText());
                    return true;
                }
            }
        }
        return false;
    }

    private static Set<String> statuses(JsonNode op) {
        Set<String> out = new TreeSet<>();
        op.path("responses").fieldNames().forEachRemaining(out::add);
        return out;
    }

    // ---- routes -----------------------------------------------------------------------------

    @Test
    void everyResourceMethodIsDocumentedAndNothingElse() {
        Set<String> documented = documentedOperations().keySet();
        Set<String> undocumented = new TreeSet<>(routes.keySet());
        undocumented.removeAll(documented);
        Set<String> served = new TreeSet<>(documented);
        served.removeAll(routes.keySet());
        assertEquals(Set.of(), undocumented, "resource methods missing from openapi.json");
        assertEquals(Set.of(), served, "documented in openapi.json, served by no resource");
    }

    @Test
    void parametersAreTheOnesTheResourcesRead() {
        List<String> wrong = new ArrayList<>();
        for (Route r : routes.values()) {
            if (operation(r) == null) {
                continue; // reported by everyResourceMethodIsDocumentedAndNothingElse
            }
            Set<String> documented = documentedParams(r);
            if (!documented.equals(r.params())) {
                wrong.add(r.key() + ": documented " + documented + ", read " + r.params());
            }
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void requestBodiesAreTheFormsAndJsonTheResourcesRead() {
        List<String> wrong = new ArrayList<>();
        for (Route r : routes.values()) {
            JsonNode op = operation(r);
            if (op == null) {
                continue;
            }
            JsonNode content = resolve(op.path("requestBody")).path("content");
            boolean documentedJson = content.has("application/json");
            if (documentedJson != r.jsonBody()) {
                wrong.add(r.key() + ": JSON body documented " + documentedJson + ", read " + r.jsonBody());
            }
            int forms = 0;
            for (String type : List.of("multipart/form-data", "application/x-www-form-urlencoded")) {
                if (!content.has(type)) {
                    continue;
                }
                forms++;
                Set<String> documented = new TreeSet<>();
                resolve(content.get(type).get("schema")).path("properties").fieldNames().forEachRemaining(documented::add);
                if (!documented.equals(r.formFields())) {
                    wrong.add(r.key() + " " + type + ": documented " + documented + ", read " + r.formFields());
                }
            }
            if ((forms > 0) != r.form()) {
                wrong.add(r.key() + ": form documented " + (forms > 0) + ", read " + r.form());
            }
            if (content.size() != forms + (documentedJson ? 1 : 0)) {
                wrong.add(r.key() + ": a request body of a type no resource reads: " + content.fieldNames().next());
            }
        }
        assertEquals(List.of(), wrong);
    }

    // ---- tags -------------------------------------------------------------------------------

    @Test
    void everyOperationHasOneDeclaredTagAndEveryTagIsUsed() {
        Set<String> declared = new HashSet<>();
        doc.path("tags").forEach(t -> {
            assertFalse(t.path("description").asText().isBlank(), "tag " + t + " has no description");
            declared.add(t.get("name").asText());
        });
        assertTrue(declared.containsAll(Set.of("jobs", "audio", "voices", "service")), declared.toString());
        Set<String> used = new HashSet<>();
        List<String> wrong = new ArrayList<>();
        documentedOperations().forEach((key, op) -> {
            JsonNode tags = op.path("tags");
            if (tags.size() != 1 || !declared.contains(tags.get(0).asText())) {
                wrong.add(key + ": " + tags);
            } else {
                used.add(tags.get(0).asText());
            }
        });
        assertEquals(List.of(), wrong, "operations without exactly one declared tag");
        assertEquals(declared, used, "declared tags no operation uses");
    }

    // ---- security and statuses, on the running server ----------------------------------------

    @Test
    void theKeyIsDocumentedExactlyWhereTheServerAsksForIt() throws Exception {
        List<String> wrong = new ArrayList<>();
        for (Route r : routes.values()) {
            JsonNode op = operation(r);
            if (op == null) {
                continue;
            }
            int without = status(r, null, null);
            boolean asks = without == 401;
            if (asks != documentsKey(op)) {
                wrong.add(r.key() + ": answers " + without + " without the key, documented as needing it: " + documentsKey(op));
            }
            if (asks) {
                boolean takesQueryKey = status(r, null, KEY) != 401;
                if (takesQueryKey != documentsQueryKey(op)) {
                    wrong.add(r.key() + ": takes ?" + ApiKeyFilter.QUERY_PARAMETER + "= " + takesQueryKey
                            + ", documented: " + documentsQueryKey(op));
                }
            } else if (documentsQueryKey(op)) {
                wrong.add(r.key() + ": open, yet documents a query key");
            }
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void theStatusesEachEndpointCanAnswerAreDocumented() throws Exception {
        List<String> wrong = new ArrayList<>();
        for (Route r : routes.values()) {
            JsonNode op = operation(r);
            if (op == null) {
                continue;
            }
            Set<String> documented = statuses(op);
            op.path("responses").fields().forEachRemaining(e -> {
                if (resolve(e.getValue()).path("description").asText().isBlank()) {
                    wrong.add(r.key() + " " + e.getKey() + ": no description");
                }
            });
            Set<String> expected = new TreeSet<>();
            if (documentsKey(op)) {
                expected.add("401");
            }
            if (r.params().stream().anyMatch(p -> p.startsWith("path:"))) {
                expected.add("404"); // an id, a name or a file nobody has
            }
            if (r.form() || r.jsonBody()) {
                expected.add("413"); // every body has a limit
                expected.add("422"); // a missing or mistyped field
            }
            if (r.params().stream().anyMatch(p -> p.startsWith("query:"))) {
                expected.add("422");
            }
            // What the real server answers with the key to unknown ids and empty bodies, and without it.
            expected.add(Integer.toString(status(r, KEY, null)));
            expected.add(Integer.toString(status(r, null, null)));
            Set<String> missing = new TreeSet<>(expected);
            missing.removeAll(documented);
            if (!missing.isEmpty()) {
                wrong.add(r.key() + ": answers " + missing + ", documents " + documented);
            }
            if (!documentsKey(op) && documented.contains("401")) {
                wrong.add(r.key() + ": open, yet documents 401");
            }
        }
        assertEquals(List.of(), wrong);
    }

    /**
     * The status of one request to {@code r}, its path ids unknown and its body empty, with the key
     * in the header or the query (or neither). Read from the headers: an event stream never ends.
     */
    private static int status(Route r, String headerKey, String queryKey) throws Exception {
        String path = r.probePath() + (queryKey == null ? "" : "?" + ApiKeyFilter.QUERY_PARAMETER + "=" + queryKey);
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.server.port() + path))
                .timeout(Duration.ofSeconds(30));
        if (headerKey != null) {
            b.header(ApiKeyFilter.HEADER, headerKey);
        }
        HttpRequest.BodyPublisher empty = HttpRequest.BodyPublishers.noBody();
        if (r.jsonBody()) {
            b.header("Content-Type", "application/json");
            empty = HttpRequest.BodyPublishers.ofString("{}");
        } else if (r.form()) {
            b.header("Content-Type", "application/x-www-form-urlencoded");
        }
        b.method(r.method().toUpperCase(Locale.ROOT), empty);
        HttpResponse<InputStream> response = HTTP.sendAsync(b.build(), HttpResponse.BodyHandlers.ofInputStream())
                .get(30, TimeUnit.SECONDS);
        try (InputStream body = response.body()) {
            return response.statusCode();
        } catch (IOException ignored) {
            return response.statusCode();
        }
    }
}
