package dev.ttsqueue.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One page of Debian's headless Chromium, driven over the DevTools protocol: navigate, run
 * script, wait for a condition in the page, take screenshots. Unlike {@link HeadlessChromium}'s
 * one-shot runs, the page stays open while the test changes the server under it. The browser
 * runs with a fresh profile and no background traffic, and is killed on {@link #close()}.
 */
final class DevToolsPage implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");
    private static final long COMMAND_TIMEOUT_S = 60;

    private final Process process;
    private final WebSocket socket;
    private final String sessionId;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final List<String> problems = new CopyOnWriteArrayList<>();
    private final List<String> stderr = new CopyOnWriteArrayList<>();
    private volatile CompletableFuture<Void> loaded = new CompletableFuture<>();

    private DevToolsPage(Process process, URI browser) throws Exception {
        this.process = process;
        this.socket = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(30))
                .buildAsync(browser, new Listener()).get(30, TimeUnit.SECONDS);
        String target = command(null, "Target.createTarget", Map.of("url", "about:blank")).get("targetId").asText();
        this.sessionId = command(null, "Target.attachToTarget", Map.of("targetId", target, "flatten", true)).get("sessionId").asText();
        send("Page.enable", Map.of());
        send("Runtime.enable", Map.of());
    }

    /** Starts Chromium; a missing binary is an assertion failure, not a skip. */
    static DevToolsPage launch(Path binary, Path workDir) throws Exception {
        if (!Files.isExecutable(binary)) {
            throw new AssertionError("headless Chromium is required at " + binary + " (Debian: apt-get install -y chromium)");
        }
        Path profile = Files.createDirectories(workDir.resolve("devtools-profile"));
        ProcessBuilder pb = new ProcessBuilder(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--autoplay-policy=no-user-gesture-required", "--remote-debugging-port=0", "--user-data-dir=" + profile,
                "about:blank").redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("HOME", profile.toString());
        Process p = pb.start();
        List<String> lines = new ArrayList<>();
        try {
            URI browser = null;
            BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
            for (String line = err.readLine(); line != null; line = err.readLine()) {
                lines.add(line);
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    browser = URI.create(m.group(1));
                    break;
                }
            }
            if (browser == null) {
                throw new AssertionError("Chromium did not open its DevTools port:\n" + String.join("\n", lines));
            }
            DevToolsPage page = new DevToolsPage(p, browser);
            page.stderr.addAll(lines);
            Thread drain = new Thread(() -> {
                try {
                    for (String line = err.readLine(); line != null; line = err.readLine()) {
                        page.stderr.add(line);
                    }
                } catch (IOException ignored) {
                    // the browser is gone
                }
            }, "chromium-stderr");
            drain.setDaemon(true);
            drain.start();
            return page;
        } catch (Exception | Error e) {
            kill(p);
            throw e;
        }
    }

    /** Opens {@code url} and waits for its load event. */
    void navigate(String url) throws Exception {
        loaded = new CompletableFuture<>();
        JsonNode r = send("Page.navigate", Map.of("url", url));
        if (r.has("errorText")) {
            throw new AssertionError("navigation to " + url + " failed: " + r.get("errorText").asText());
        }
        loaded.get(COMMAND_TIMEOUT_S, TimeUnit.SECONDS);
    }

    /** Reloads the page and waits for its load event. */
    void reload() throws Exception {
        loaded = new CompletableFuture<>();
        send("Page.reload", Map.of());
        loaded.get(COMMAND_TIMEOUT_S, TimeUnit.SECONDS);
    }

    /** The value of a JavaScript expression (a promise is awaited); a thrown error fails the test. */
    JsonNode eval(String expression) throws Exception {
        JsonNode r = send("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true, "awaitPromise", true));
        if (r.has("exceptionDetails")) {
            throw new AssertionError("script failed: " + expression + "\n" + r.get("exceptionDetails") + "\n" + report());
        }
        return r.path("result").path("value");
    }

    /**
     * Waits until the expression is truthy in the page, checking whenever the DOM changes (and every
     * 50 ms, for state the DOM does not show, such as an audio element's metadata); its value.
     */
    JsonNode waitFor(String expression, Duration timeout) throws Exception {
        String script = "new Promise((resolve, reject) => {"
                + " const check = () => { let v; try { v = (" + expression + "); } catch (e) { v = undefined; }"
                + "   if (v) { observer.disconnect(); clearInterval(timer); clearTimeout(limit); resolve(v instanceof Node ? true : v); } };"
                + " const observer = new MutationObserver(check);"
                + " observer.observe(document, {subtree: true, childList: true, attributes: true, characterData: true});"
                + " const timer = setInterval(check, 50);"
                + " const limit = setTimeout(() => { observer.disconnect(); clearInterval(timer);"
                + "   reject(new Error('timed out waiting for: ' + " + TestServer.JSON.writeValueAsString(expression) + ")); }, "
                + timeout.toMillis() + ");"
                + " check(); })";
        return eval(script);
    }

    /** Types into a field as a user would (the input event included). */
    void type(String selector, String text) throws Exception {
        eval("(() => { const e = document.querySelector(" + TestServer.JSON.writeValueAsString(selector) + "); e.focus(); "
                + "e.value = " + TestServer.JSON.writeValueAsString(text) + "; e.dispatchEvent(new Event('input', {bubbles: true})); "
                + "return true; })()");
    }

    /** Clicks the element a selector finds; fails when there is none. */
    void click(String selector) throws Exception {
        JsonNode clicked = eval("(() => { const e = document.querySelector(" + TestServer.JSON.writeValueAsString(selector)
                + "); if (!e) return false; e.click(); return true; })()");
        if (!clicked.asBoolean()) {
            throw new AssertionError("nothing to click at " + selector + "\n" + report());
        }
    }

    /** A PNG of the whole page laid out {@code width} CSS pixels wide. */
    byte[] screenshot(int width, boolean mobile) throws Exception {
        send("Emulation.setDeviceMetricsOverride", Map.of("width", width, "height", 800, "deviceScaleFactor", 1, "mobile", mobile));
        int height = eval("Math.ceil(document.documentElement.scrollHeight)").asInt();
        send("Emulation.setDeviceMetricsOverride", Map.of("width", width, "height", Math.min(Math.max(height, 400), 4000),
                "deviceScaleFactor", 1, "mobile", mobile));
        JsonNode shot = send("Page.captureScreenshot", Map.of("format", "png"));
        return Base64.getDecoder().decode(shot.get("data").asText());
    }

    /** Script errors and console errors the page reported so far. */
    List<String> problems() {
        return List.copyOf(problems);
    }

    String report() {
        return "page problems: " + problems + "\nchromium stderr (last lines): "
                + stderr.subList(Math.max(0, stderr.size() - 20), stderr.size());
    }

    private JsonNode send(String method, Map<String, Object> params) throws Exception {
        return command(sessionId, method, params);
    }

    private JsonNode command(String session, String method, Map<String, Object> params) throws Exception {
        long id = ids.incrementAndGet();
        ObjectNode msg = TestServer.JSON.createObjectNode();
        msg.put("id", id);
        msg.put("method", method);
        msg.set("params", TestServer.JSON.valueToTree(params));
        if (session != null) {
            msg.put("sessionId", session);
        }
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        socket.sendText(TestServer.JSON.writeValueAsString(msg), true).get(COMMAND_TIMEOUT_S, TimeUnit.SECONDS);
        JsonNode r = reply.get(COMMAND_TIMEOUT_S, TimeUnit.SECONDS);
        if (r.has("error")) {
            throw new AssertionError(method + " failed: " + r.get("error"));
        }
        return r.path("result");
    }

    private void onMessage(String text) {
        JsonNode msg;
        try {
            msg = TestServer.JSON.readTree(text);
        } catch (IOException e) {
            problems.add("unreadable DevTools message: " + e);
            return;
        }
        if (msg.has("id")) {
            CompletableFuture<JsonNode> f = pending.remove(msg.get("id").asLong());
            if (f != null) {
                f.complete(msg);
            }
            return;
        }
        String method = msg.path("method").asText();
        JsonNode params = msg.path("params");
        switch (method) {
            case "Page.loadEventFired" -> loaded.complete(null);
            case "Runtime.exceptionThrown" -> problems.add("exception: " + params.path("exceptionDetails"));
            case "Runtime.consoleAPICalled" -> {
                if (params.path("type").asText().equals("error")) {
                    problems.add("console.error: " + params.path("args"));
                }
            }
            default -> {
                // not needed
            }
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                onMessage(text);
            }
            ws.request(1);
            return null;
        }
    }

    @Override
    public void close() {
        socket.abort();
        try {
            kill(process);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    /** Kills the helper processes first: once the browser is gone they are no longer its descendants. */
    private static void kill(Process p) throws InterruptedException {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("Chromium (pid " + p.pid() + ") did not die");
        }
    }
}
