package dev.ttsqueue.store.redis.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} (Debian's package, {@code /usr/bin/redis-server}, or the path in the
 * {@code ttsq.test.redisServer} system property) started by a test on a free loopback port, with
 * its files in a folder of the test's. Readiness and restarts are read from its log, not guessed.
 * Tests fail, never skip, when the program is missing: {@code .ci/run} installs it.
 */
public final class RedisServer implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final Path dir;
    private final int port;
    private final List<String> options;
    /** Null for a server; for a Sentinel, its configuration file (Sentinel rewrites it). */
    private final Path sentinelConfig;
    private Process process;
    private final List<String> log = new ArrayList<>();

    private RedisServer(Path dir, int port, List<String> options, Path sentinelConfig) {
        this.dir = dir;
        this.port = port;
        this.options = options;
        this.sentinelConfig = sentinelConfig;
    }

    /**
     * A Redis Sentinel that monitors {@code master} under the name {@code masterName} (quorum 1),
     * ready once it announced the master.
     */
    public static RedisServer sentinel(Path dir, RedisServer master, String masterName) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        int port = freePort();
        Path config = dir.resolve("sentinel.conf");
        Files.writeString(config, "port " + port + "\nbind 127.0.0.1\nsentinel monitor " + masterName + " 127.0.0.1 " + master.port()
                + " 1\n");
        RedisServer sentinel = new RedisServer(dir, port, List.of(), config);
        sentinel.launch();
        return sentinel;
    }

    /** A server without persistence. */
    public static RedisServer start(Path dir) throws IOException, InterruptedException {
        return start(dir, List.of("--save", "", "--appendonly", "no"));
    }

    /**
     * A server with the given {@code redis-server} options (e.g. {@code --appendonly yes}), its data
     * files in {@code dir}.
     */
    public static RedisServer start(Path dir, List<String> options) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            RedisServer server = new RedisServer(dir, freePort(), List.copyOf(options), null);
            try {
                server.launch();
                return server;
            } catch (IOException e) {
                // Another program took the port between the probe and the bind: try another.
                last = e;
            }
        }
        throw last;
    }

    /**
     * A node for a Redis Cluster ({@code --cluster-enabled yes}), on a port whose cluster bus port
     * (10,000 above it) is free too; {@link RedisCluster} joins such nodes into a cluster.
     */
    public static RedisServer startClusterNode(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        List<String> options = List.of("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                "--cluster-node-timeout", "5000", "--save", "", "--appendonly", "no");
        java.util.Random random = new java.util.Random();
        IOException last = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            int port = 20_000 + random.nextInt(10_000);
            if (!isFree(port) || !isFree(port + 10_000)) {
                continue;
            }
            RedisServer server = new RedisServer(dir, port, options, null);
            try {
                server.launch();
                return server;
            } catch (IOException e) {
                last = e;
            }
        }
        throw last != null ? last : new IOException("no free pair of ports for a cluster node");
    }

    private static boolean isFree(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String executable() {
        String path = System.getProperty("ttsq.test.redisServer", "/usr/bin/redis-server");
        if (!Files.isExecutable(Path.of(path))) {
            throw new AssertionError("redis-server is needed for this test and is not at " + path
                    + ": install Debian's package (apt-get install redis-server), as .ci/run does");
        }
        return path;
    }

    private void launch() throws IOException, InterruptedException {
        List<String> cmd = sentinelConfig != null
                ? new ArrayList<>(List.of(executable(), sentinelConfig.toString(), "--sentinel", "--daemonize", "no", "--logfile", ""))
                : new ArrayList<>(List.of(executable(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                        "--dir", dir.toString(), "--daemonize", "no", "--logfile", "", "--protected-mode", "yes"));
        cmd.addAll(options);
        String ready = sentinelConfig != null ? "+monitor master" : "Ready to accept connections";
        synchronized (this) {
            log.clear();
        }
        process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        Process p = process;
        Thread pump = new Thread(() -> pump(p), "redis-log-" + port);
        pump.setDaemon(true);
        pump.start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        synchronized (this) {
            while (true) {
                if (log.stream().anyMatch(l -> l.contains(ready))) {
                    return;
                }
                if (log.stream().anyMatch(l -> l.contains("Address already in use"))) {
                    p.destroyForcibly();
                    throw new IOException("port " + port + " is taken");
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || !p.isAlive() && log.contains("<eof>")) {
                    p.destroyForcibly();
                    throw new AssertionError("redis-server did not start:\n" + String.join("\n", log));
                }
                TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
            }
        }
    }

    private void pump(Process p) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String l = r.readLine(); l != null; l = r.readLine()) {
                add(l);
            }
        } catch (IOException ignored) {
            // the process ended
        }
        add("<eof>");
    }

    private synchronized void add(String line) {
        log.add(line);
        notifyAll();
    }

    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:port/0}. */
    public String uri() {
        return "redis://127.0.0.1:" + port + "/0";
    }

    /** The folder of its data files. */
    public Path dir() {
        return dir;
    }

    /** SIGKILL: the server gets no chance to write anything more. Waits until it is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("redis-server still runs 30 s after SIGKILL");
        }
    }

    /** Starts it again on the same port and folder, with the same options (after {@link #kill}). */
    public void restart() throws IOException, InterruptedException {
        if (process.isAlive()) {
            throw new IllegalStateException("kill it first");
        }
        launch();
    }

    /** Its log so far. */
    public synchronized List<String> log() {
        return List.copyOf(log);
    }

    @Override
    public void close() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Runs {@code redis-cli} against it (for tests that look at what the stores wrote). */
    public String cli(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(executable()).resolveSibling("redis-cli").toString(), "-p",
                Integer.toString(port)));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out;
        try {
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("redis-cli " + args + " failed: " + out);
        }
        return out.strip();
    }
}
