package dev.ttsqueue.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs Debian's headless Chromium once per call, with a fresh profile and no background network
 * traffic (the machine has no internet; without those switches Chromium keeps trying to reach it).
 * Every run ends with the browser and its helper processes killed, whatever happened.
 */
final class HeadlessChromium {
    /** Virtual time the page gets: network fetches pause it, so it bounds timers, not loading. */
    static final int VIRTUAL_TIME_BUDGET_MS = 15_000;
    private static final long RUN_TIMEOUT_S = 90;

    private final Path binary;
    private final Path workDir;
    private int runs;

    /**
     * @param binary the Chromium launcher; a missing one is an assertion failure, not a skip
     * @param workDir where profiles and output files go
     */
    HeadlessChromium(Path binary, Path workDir) {
        if (!Files.isExecutable(binary)) {
            throw new AssertionError("headless Chromium is required at " + binary
                    + " (Debian: apt-get install -y chromium)");
        }
        this.binary = binary;
        this.workDir = workDir;
    }

    static Path defaultBinary() {
        return Path.of(System.getProperty("ttsq.test.chromium", "/usr/bin/chromium"));
    }

    /** The DOM after the page's virtual time budget is spent. */
    String dumpDom(String url) throws Exception {
        return run(List.of("--virtual-time-budget=" + VIRTUAL_TIME_BUDGET_MS, "--dump-dom", url)).stdout();
    }

    /**
     * {@link #dumpDom(String)} with host names of the test's choosing resolved to loopback by the
     * browser alone ({@code --host-resolver-rules}), so a page can be served from an origin that is
     * neither the server's nor a loopback one, as a web site would be.
     */
    String dumpDom(String url, List<String> loopbackNames) throws Exception {
        String rules = String.join(",", loopbackNames.stream().map(n -> "MAP " + n + " 127.0.0.1").toList());
        // HTTPS upgrades would try the made-up names over TLS first. Site isolation would put a frame
        // of another site in a process of its own, whose loading virtual time does not wait for: the
        // page would never see the frame's load. Neither changes what the browser sends or lets a page read.
        return run(List.of("--host-resolver-rules=" + rules, "--disable-features=HttpsUpgrades", "--disable-site-isolation-trials",
                "--virtual-time-budget=" + VIRTUAL_TIME_BUDGET_MS, "--dump-dom", url)).stdout();
    }

    /** {@link #dumpDom(String)}, and a PNG of the page at the given window size taken at the same moment. */
    String dumpDom(String url, Path png, int width, int height) throws Exception {
        Files.createDirectories(png.toAbsolutePath().getParent());
        Files.deleteIfExists(png);
        String dom = run(List.of("--virtual-time-budget=" + VIRTUAL_TIME_BUDGET_MS, "--window-size=" + width + "," + height,
                "--hide-scrollbars", "--screenshot=" + png.toAbsolutePath(), "--dump-dom", url)).stdout();
        if (!Files.isRegularFile(png)) {
            throw new AssertionError("Chromium wrote no screenshot to " + png);
        }
        return dom;
    }

    record Output(String stdout, String stderr) {
    }

    private Output run(List<String> extra) throws Exception {
        int n = ++runs;
        Path profile = Files.createDirectories(workDir.resolve("profile-" + n));
        Path out = workDir.resolve("stdout-" + n + ".txt");
        Path err = workDir.resolve("stderr-" + n + ".txt");
        List<String> cmd = new ArrayList<>(List.of(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile));
        cmd.addAll(extra);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        // Chromium keeps its NSS database and caches under HOME; keep them in the temp folder too.
        pb.environment().put("HOME", profile.toString());
        Process p = pb.start();
        try {
            if (!p.waitFor(RUN_TIMEOUT_S, TimeUnit.SECONDS)) {
                throw new AssertionError("Chromium still running after " + RUN_TIMEOUT_S + " s: " + cmd
                        + "\n" + read(err), new TimeoutException());
            }
            Output o = new Output(read(out), read(err));
            if (p.exitValue() != 0) {
                throw new AssertionError("Chromium exited with " + p.exitValue() + ": " + cmd + "\n" + o.stderr());
            }
            return o;
        } finally {
            kill(p);
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

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }
}
