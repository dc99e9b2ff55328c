package dev.ttsqueue.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged distribution ({@code target/ttsqueue-server/bin/ttsqueue-server}) run as its own
 * process on a free port, for the tests that stop, kill and restart it. Keeps every log line, so
 * readiness, shutdown and recovery are read from the log rather than guessed with sleeps, and
 * talks to it over HTTP. {@link #close()} kills it for good; call it in a {@code finally} or
 * {@code @AfterEach} so no process outlives a failed test.
 */
final class ServerProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)/");
    private static final String EOF = "<eof>";

    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private URI base;

    private ServerProcess(Process process) {
        this.process = process;
    }

    /**
     * Starts the launcher with {@code --port 0 --data-dir dataDir} and {@code args}, and waits until
     * it listens.
     *
     * @throws AssertionError when the module is not packaged or the server does not come up in 60 s
     *     (the process is killed then)
     */
    static ServerProcess start(Path dataDir, String... args) throws IOException, InterruptedException {
        return start(Path.of("target/ttsqueue-server/bin/ttsqueue-server").toAbsolutePath(), dataDir, Map.of(), args);
    }

    /** As {@link #start(Path, String...)}, with the launcher of another copy of the distribution. */
    static ServerProcess start(Path launcher, Path dataDir, String... args) throws IOException, InterruptedException {
        return start(launcher, dataDir, Map.of(), args);
    }

    /** As {@link #start(Path, String...)}, with {@code env} added to the launcher's environment ({@code JAVA_OPTS}, ...). */
    static ServerProcess start(Path dataDir, Map<String, String> env, String... args) throws IOException, InterruptedException {
        return start(Path.of("target/ttsqueue-server/bin/ttsqueue-server").toAbsolutePath(), dataDir, env, args);
    }

    /** The launcher of {@code launcher}'s distribution, with {@code env} added to its environment. */
    static ServerProcess start(Path launcher, Path dataDir, Map<String, String> env, String... args) throws IOException, InterruptedException {
        assertTrue(Files.isExecutable(launcher), "package the module first: " + launcher);
        List<String> cmd = new ArrayList<>(List.of(launcher.toString(), "--port", "0", "--data-dir", dataDir.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        ServerProcess p = new ServerProcess(pb.start());
        Thread pump = new Thread(p::pumpLog, "server-log-" + p.process.pid());
        pump.setDaemon(true);
        pump.start();
        try {
            int port = Integer.parseInt(p.awaitLine(LISTENING, Duration.ofSeconds(60)).group(1));
            p.base = URI.create("http://127.0.0.1:" + port);
            return p;
        } catch (AssertionError | RuntimeException | InterruptedException e) {
            p.close();
            throw e;
        }
    }

    /** How a server that was expected not to come up ended. */
    record Exit(int code, String log) {
    }

    /**
     * Starts the launcher like {@link #start} when it is expected to fail at start-up: waits up to
     * 60 s for it to exit and returns its exit code and whole log.
     *
     * @throws AssertionError when it is still running after 60 s (it is killed then)
     */
    static Exit startExpectingFailure(Path dataDir, String... args) throws IOException, InterruptedException {
        Path launcher = Path.of("target/ttsqueue-server/bin/ttsqueue-server").toAbsolutePath();
        assertTrue(Files.isExecutable(launcher), "package the module first: " + launcher);
        List<String> cmd = new ArrayList<>(List.of(launcher.toString(), "--port", "0", "--data-dir", dataDir.toString()));
        cmd.addAll(List.of(args));
        Process process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        java.util.concurrent.CompletableFuture<String> log = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "<log unreadable: " + e + ">";
            }
        });
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.toHandle().destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
            throw new AssertionError("the server was expected to fail at start but still ran after 60 s");
        }
        try {
            return new Exit(process.exitValue(), log.get(30, TimeUnit.SECONDS));
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError("could not read the log of the failed server", e);
        }
    }

    private void pumpLog() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String l = r.readLine(); l != null; l = r.readLine()) {
                add(l);
            }
        } catch (IOException ignored) {
            // the process ended
        }
        add(EOF);
    }

    private synchronized void add(String line) {
        lines.add(line);
        notifyAll();
    }

    URI base() {
        return base;
    }

    /** The server's process id (the launcher execs the JVM, so it is the JVM's). */
    long pid() {
        return process.pid();
    }

    /** Whether the process still runs. */
    boolean isAlive() {
        return process.isAlive();
    }

    /** Every log line so far. */
    synchronized List<String> log() {
        return List.copyOf(lines);
    }

    /** The value of an unlabelled gauge or counter on {@code /metrics}; fails when it is not there. */
    double metric(String name) throws InterruptedException {
        String text = get("/metrics").text();
        for (String line : text.split("\n")) {
            if (line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(name.length() + 1).trim());
            }
        }
        throw new AssertionError("no metric " + name + " in:\n" + text);
    }

    /**
     * The first log line (from the start) matching {@code pattern}, waiting up to {@code timeout}
     * for it to appear.
     *
     * @throws AssertionError with the whole log when no such line comes, or the log ends first
     */
    synchronized Matcher awaitLine(Pattern pattern, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int next = 0;
        while (true) {
            for (; next < lines.size(); next++) {
                Matcher m = pattern.matcher(lines.get(next));
                if (m.find()) {
                    return m;
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0 || (!lines.isEmpty() && lines.get(lines.size() - 1).equals(EOF))) {
                throw new AssertionError("no log line matching " + pattern + " in:\n" + String.join("\n", lines));
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    /** Log lines so far matching {@code pattern}. */
    synchronized List<String> linesMatching(Pattern pattern) {
        return lines.stream().filter(l -> pattern.matcher(l).find()).toList();
    }

    /** SIGTERM, then waits for the clean shutdown the launcher promises: the hook ran and the exit was normal. */
    void stop() throws InterruptedException {
        process.toHandle().destroy(); // SIGTERM; unlike Process.destroy() it leaves the log stream open
        awaitLine(Pattern.compile("shutting down"), Duration.ofSeconds(30));
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "stopped after SIGTERM");
        assertTrue(List.of(0, 143).contains(process.exitValue()), "exit " + process.exitValue());
    }

    /** SIGKILL (the launcher execs the JVM, so this is the server itself), and waits until it is gone. */
    void kill() throws InterruptedException {
        process.toHandle().destroyForcibly();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "gone after SIGKILL");
    }

    /** Kills the process if it still runs and waits for it; safe to call more than once. */
    @Override
    public void close() {
        process.toHandle().destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- HTTP -------------------------------------------------------------------------------

    HttpClient http() {
        return http;
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30));
    }

    /**
     * Sends {@code request}.
     *
     * @throws UncheckedIOException when the server cannot be reached or drops the connection
     */
    TestServer.Reply send(HttpRequest request) throws InterruptedException {
        try {
            HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            return new TestServer.Reply(r.statusCode(), r.headers(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    TestServer.Reply get(String path) throws InterruptedException {
        return send(request(path).GET().build());
    }

    TestServer.Reply postJson(String path, String json) throws InterruptedException {
        return send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    TestServer.Reply postMultipart(String path, Map<String, ?> fields) throws InterruptedException {
        TestServer.Multipart mp = TestServer.multipart(fields);
        return send(request(path).header("Content-Type", mp.contentType())
                .POST(HttpRequest.BodyPublishers.ofByteArray(mp.body())).build());
    }
}
