package dev.ttsqueue.client;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server's launcher ({@code dev.ttsqueue.server.Launcher}) run as its own JVM, with the
 * runtime classpath the build wrote for it, so that it can be killed and started again. Readiness
 * and shutdown are read from its log, never guessed with sleeps. {@link #close()} kills it for
 * good; call it in an {@code @AfterEach} so no process outlives a failed test.
 */
final class ServerProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)/");
    private static final String EOF = "<eof>";

    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private int port;

    private ServerProcess(Process process) {
        this.process = process;
    }

    /**
     * Starts the server on {@code port} (0: a free one) and waits until it listens.
     *
     * @throws AssertionError when it does not come up within 60 s (it is killed then)
     */
    static ServerProcess start(int port, Path dataDir, String... args) throws IOException, InterruptedException {
        String classpathFile = System.getProperty("ttsq.test.serverClasspath");
        assertTrue(classpathFile != null && Files.isRegularFile(Path.of(classpathFile)),
                "run through Maven (failsafe), which writes the server's classpath: " + classpathFile);
        String classpath = Files.readString(Path.of(classpathFile)).strip();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> cmd = new ArrayList<>(List.of(java.toString(), "-cp", classpath, dev.ttsqueue.server.Launcher.class.getName(),
                "--port", Integer.toString(port), "--data-dir", dataDir.toString()));
        cmd.addAll(List.of(args));
        ServerProcess p = new ServerProcess(new ProcessBuilder(cmd).redirectErrorStream(true).start());
        Thread pump = new Thread(p::pumpLog, "server-log-" + p.process.pid());
        pump.setDaemon(true);
        pump.start();
        try {
            p.port = Integer.parseInt(p.awaitLine(LISTENING, Duration.ofSeconds(60)).group(1));
            return p;
        } catch (AssertionError | RuntimeException | InterruptedException e) {
            p.close();
            throw e;
        }
    }

    int port() {
        return port;
    }

    URI baseUrl() {
        return URI.create("http://127.0.0.1:" + port);
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

    /**
     * The first log line matching {@code pattern}, waiting up to {@code timeout} for it.
     *
     * @throws AssertionError with the whole log when none comes, or the log ends first
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

    /** SIGTERM, then waits for the clean exit the server promises. */
    void stop() throws InterruptedException {
        process.toHandle().destroy();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "stopped after SIGTERM");
        awaitLine(Pattern.compile("shutting down"), Duration.ofSeconds(1));
    }

    /** SIGKILL, and waits until the process is gone (its port is free again then). */
    void kill() throws InterruptedException {
        process.toHandle().destroyForcibly();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "gone after SIGKILL");
    }

    @Override
    public void close() {
        process.toHandle().destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
