package dev.ttsqueue.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.server.internal.CommandLineOptions;
import dev.ttsqueue.server.internal.CommandLineOptions.Parsed;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The standalone server's command line: picocli, the TTSQ_* environment and the exit codes. */
class CommandLineTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int launch(Map<String, String> env, String... args) {
        return Launcher.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private List<String> errLines() {
        return err.toString(StandardCharsets.UTF_8).lines().toList();
    }

    private static Parsed parse(String... args) {
        return CommandLineOptions.parse(args, Map.of());
    }

    @Test
    void corsOriginsComeFromTheFlagOrTheEnvironmentAndDefaultToAutomatic() {
        assertEquals(List.of(), parse().server().corsOrigins());
        assertEquals(List.of(), ServerConfig.defaults().corsOrigins());
        assertEquals(List.of("https://app.example.com", "http://localhost:*"),
                parse("--cors-origins", "https://App.example.com/, http://localhost:*").server().corsOrigins());
        assertEquals(List.of("*"), CommandLineOptions.parse(new String[0], Map.of("TTSQ_CORS_ORIGINS", "*")).server().corsOrigins());
        assertEquals(List.of("none"), CommandLineOptions.parse(new String[] {"--cors-origins=none"}, Map.of("TTSQ_CORS_ORIGINS", "*"))
                .server().corsOrigins());
        assertEquals(List.of("loopback", "https://app.example.com"),
                ServerConfig.defaults().withCorsOrigins(List.of("loopback", "https://app.example.com:443")).corsOrigins());
        for (String bad : List.of("null", "localhost:3000", "https://*.example.com", "*,https://app.example.com")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse("--cors-origins", bad), bad);
            assertTrue(e.getMessage().startsWith("--cors-origins"), e.getMessage());
        }
    }

    @Test
    void helpAnywhereOnTheLinePrintsEveryOptionAndExitsZero() {
        assertEquals(0, launch(Map.of(), "--port", "9000", "--help", "--store", "memory"));
        String usage = out().replaceAll("\\s+", " ");
        assertTrue(usage.startsWith("Usage: ttsqueue-server"), usage);
        for (String flag : List.of("--port", "--data-dir", "--api-key", "--metrics-open", "--access-log", "--lease", "--version")) {
            assertTrue(usage.contains(flag), flag + " in " + usage);
        }
        assertTrue(usage.contains("TTSQ_SOME_NAME") && usage.contains("A flag wins over the environment"), usage);
        assertTrue(usage.contains("default 8000"), usage);
        out.reset();
        assertEquals(0, launch(Map.of(), "--no-such-option", "-h"), "help wins over a bad line");
        assertTrue(out().startsWith("Usage: ttsqueue-server"), out());
        assertEquals(List.of(), errLines());
    }

    @Test
    void versionAnywhereOnTheLinePrintsTheVersionAndExitsZero() {
        assertEquals(0, launch(Map.of(), "--store", "memory", "--version"));
        assertEquals("ttsqueue-server " + TtsServer.version(), out().strip());
        assertFalse(TtsServer.version().equals("unknown"), "the build filters version.properties");
        out.reset();
        assertEquals(0, launch(Map.of(), "-V", "--port", "x"));
        assertEquals("ttsqueue-server " + TtsServer.version(), out().strip());
    }

    @Test
    void anUnknownOptionIsNamedInOneLineWithAHintAndExitsTwo() {
        assertEquals(2, launch(Map.of(), "--colour", "red"));
        List<String> lines = errLines();
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(0).startsWith("ttsqueue-server: ") && lines.get(0).contains("'--colour'"), lines.get(0));
        assertEquals("Run 'ttsqueue-server --help' for the options.", lines.get(1));
        assertEquals("", out());
    }

    @Test
    void badValuesNameTheirOption() {
        Map<String[], String> cases = Map.of(
                new String[] {"--port", "x"}, "--port",
                new String[] {"--port", "70000"}, "--port must be 0-65535",
                new String[] {"--retention", "soon"}, "--retention",
                new String[] {"--devices", "0,x"}, "--devices",
                new String[] {"--lease", "1s"}, "--lease must be at least 2s",
                new String[] {"--sync-timeout", "0"}, "--sync-timeout must be positive",
                new String[] {"--store", "redis"}, "--store must be sqlite, memory or a redis://",
                new String[] {"--backend", "gpu"}, "--backend must be auto or synthetic",
                new String[] {"--metrics-open=perhaps"}, "--metrics-open",
                new String[] {"--port"}, "--port");
        cases.forEach((args, named) -> {
            err.reset();
            assertEquals(2, launch(Map.of(), args), String.join(" ", args));
            assertTrue(errLines().get(0).contains(named), String.join(" ", args) + " -> " + errLines());
            assertEquals(2, errLines().size(), errLines().toString());
        });
        err.reset();
        assertEquals(2, launch(Map.of(), "--warm-up", "-5s"));
        assertTrue(errLines().get(0).contains("--warm-up") && errLines().get(0).contains("negative"), errLines().toString());
    }

    @Test
    void aBadValueFromTheEnvironmentNamesTheVariable() {
        assertEquals(2, launch(Map.of("TTSQ_PORT", "eighty")));
        String line = errLines().get(0);
        assertTrue(line.contains("--port") && line.contains("TTSQ_PORT"), line);
    }

    @Test
    void everyOptionKeepsItsEnvironmentVariable() {
        assertEquals(List.of("TTSQ_HOST", "TTSQ_PORT", "TTSQ_DATA_DIR", "TTSQ_MODEL_DIR", "TTSQ_TRANSCRIBER_MODEL_DIR", "TTSQ_DEVICES",
                "TTSQ_WORKERS", "TTSQ_PROVIDER", "TTSQ_STORE", "TTSQ_NODE_ID", "TTSQ_API_KEY", "TTSQ_API_KEYS", "TTSQ_METRICS_OPEN", "TTSQ_ACCESS_LOG",
                "TTSQ_MAX_UPLOAD_BYTES", "TTSQ_MAX_TEXT_LENGTH", "TTSQ_MAX_QUEUE_SIZE", "TTSQ_RETENTION", "TTSQ_UPLOAD_TTL",
                "TTSQ_SYNC_TIMEOUT", "TTSQ_CORS_ORIGINS", "TTSQ_ALLOWED_HOSTS", "TTSQ_LEASE", "TTSQ_WARM_UP", "TTSQ_BACKEND"),
                CommandLineOptions.environmentVariables());
        Map<String, String> env = Map.ofEntries(Map.entry("TTSQ_HOST", "0.0.0.0"), Map.entry("TTSQ_PORT", "7000"),
                Map.entry("TTSQ_DATA_DIR", "/srv/tts"), Map.entry("TTSQ_MODEL_DIR", "/m"), Map.entry("TTSQ_TRANSCRIBER_MODEL_DIR", "/w"),
                Map.entry("TTSQ_DEVICES", "0,1"), Map.entry("TTSQ_WORKERS", "3"), Map.entry("TTSQ_PROVIDER", "CPU"),
                Map.entry("TTSQ_STORE", "memory"), Map.entry("TTSQ_NODE_ID", "gpu-3"), Map.entry("TTSQ_API_KEY", " k "),
                Map.entry("TTSQ_METRICS_OPEN", "true"), Map.entry("TTSQ_ACCESS_LOG", "stdout"), Map.entry("TTSQ_MAX_UPLOAD_BYTES", "1000"),
                Map.entry("TTSQ_MAX_TEXT_LENGTH", "50"), Map.entry("TTSQ_MAX_QUEUE_SIZE", "7"), Map.entry("TTSQ_RETENTION", "90m"),
                Map.entry("TTSQ_UPLOAD_TTL", "2h"), Map.entry("TTSQ_SYNC_TIMEOUT", "30s"), Map.entry("TTSQ_CORS_ORIGINS", "none"),
                Map.entry("TTSQ_ALLOWED_HOSTS", "TTS.example.com, api.example.com"), Map.entry("TTSQ_LEASE", "3s"),
                Map.entry("TTSQ_BACKEND", "auto"), Map.entry("TTSQ_WARM_UP", "0"));
        Parsed p = CommandLineOptions.parse(new String[0], env);
        ServerConfig h = p.server();
        assertEquals("0.0.0.0", h.host());
        assertEquals(7000, h.port());
        assertEquals("k", h.apiKey(), "trimmed, as a value read from a file keeps its newline");
        assertTrue(h.metricsOpen());
        assertEquals("stdout", h.accessLog());
        assertEquals(1000, h.maxUploadBytes());
        assertEquals(Duration.ofSeconds(30), h.syncTimeout());
        assertEquals(List.of("none"), h.corsOrigins());
        assertEquals(List.of("tts.example.com", "api.example.com"), h.allowedHosts());
        var s = p.standalone();
        assertEquals(Path.of("/srv/tts"), s.dataDir());
        assertEquals(Path.of("/m"), s.modelDir());
        assertEquals(Path.of("/w"), s.transcriberModelDir());
        assertEquals(List.of(0, 1), s.devices());
        assertEquals(3, s.workers());
        assertEquals(2, s.workerCount(), "one per listed device");
        assertEquals("cpu", s.provider());
        assertEquals("memory", s.store());
        assertEquals("gpu-3", s.nodeId());
        assertEquals(50, s.maxTextLength());
        assertEquals(7, s.maxQueueSize());
        assertEquals(Duration.ofMinutes(90), s.retention());
        assertEquals(Duration.ofHours(2), s.uploadTtl());
        assertEquals(Duration.ofSeconds(3), s.lease());
        assertEquals(Duration.ZERO, s.warmUp());
    }

    @Test
    void aFlagWinsOverTheEnvironmentWhichWinsOverTheDefault() {
        Map<String, String> env = Map.of("TTSQ_PORT", "7000", "TTSQ_HOST", "0.0.0.0", "TTSQ_LEASE", "9s", "TTSQ_METRICS_OPEN", "true");
        Parsed p = CommandLineOptions.parse(new String[] {"--port", "9001", "--lease=PT2.5S", "--metrics-open=false"}, env);
        assertEquals(9001, p.server().port(), "flag over environment");
        assertEquals(Duration.ofMillis(2500), p.standalone().lease());
        assertFalse(p.server().metricsOpen());
        assertEquals("0.0.0.0", p.server().host(), "environment over default");
        assertEquals(Path.of("data"), p.standalone().dataDir(), "default");
        Parsed blank = CommandLineOptions.parse(new String[0], Map.of("TTSQ_PORT", "  ", "TTSQ_STORE", ""));
        assertEquals(8000, blank.server().port(), "a blank variable counts as unset");
        assertEquals("sqlite", blank.standalone().store());
    }

    @Test
    void defaultsBindLoopback8000WithSqliteUnderData() {
        Parsed p = parse();
        assertEquals(ServerConfig.defaults(), p.server());
        assertEquals("127.0.0.1", p.server().host());
        assertEquals(8000, p.server().port());
        assertNull(p.server().apiKey());
        assertFalse(p.server().metricsOpen());
        assertNull(p.server().accessLog());
        assertEquals(List.of(), p.server().corsOrigins(), "automatic: loopback pages when bound to loopback");
        assertEquals(Path.of("data"), p.standalone().dataDir());
        assertNull(p.standalone().modelDir());
        assertEquals("sqlite", p.standalone().store());
        assertEquals("auto", p.standalone().provider());
        assertEquals("auto", p.standalone().backend());
        assertEquals(1, p.standalone().workerCount());
        assertEquals(Duration.ofHours(24), p.standalone().retention());
        assertEquals(Duration.ofSeconds(30), p.standalone().lease());
        assertEquals(Duration.ofSeconds(10), p.standalone().warmUp(), "the model warms up before the first job");
        assertNull(parse("--retention", "0").standalone().retention(), "0 keeps finished jobs");
    }

    @Test
    void accessLogAndMetricsOpenWorkWithAndWithoutAValue() {
        assertEquals("stdout", parse("--access-log").server().accessLog());
        assertEquals("stdout", parse("--access-log", "--port", "9000").server().accessLog());
        assertEquals("/var/log/tts.log", parse("--access-log", "/var/log/tts.log").server().accessLog());
        assertTrue(parse("--metrics-open").server().metricsOpen());
        assertTrue(parse("--metrics-open", "--port", "9000").server().metricsOpen());
    }

    @Test
    void anEmptyApiKeyIsRefusedRatherThanStartingAnOpenServer() {
        // What "--api-key $KEY" becomes when KEY is unset.
        for (String[] args : List.of(new String[] {"--api-key", ""}, new String[] {"--api-key="}, new String[] {"--api-key", "  "})) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse(args));
            assertTrue(e.getMessage().contains("--api-key is empty"), e.getMessage());
        }
        IllegalArgumentException env = assertThrows(IllegalArgumentException.class,
                () -> CommandLineOptions.parse(new String[0], Map.of("TTSQ_API_KEY", "")));
        assertTrue(env.getMessage().contains("TTSQ_API_KEY is set but empty"), env.getMessage());
    }

    @Test
    void anApiKeyMustBeSendableAsAHeaderAsIs() {
        for (String bad : List.of("p\u00e4ss", "key\n", " key", "a\tb")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse("--api-key", bad), bad);
            assertTrue(e.getMessage().startsWith("--api-key must be printable ASCII"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> ServerConfig.defaults().withApiKey(bad), bad);
        }
        assertEquals("Ab9-_.~+/= !x", parse("--api-key", "Ab9-_.~+/= !x").server().apiKey());
    }

    @Test
    void transcriberAndSyntheticBackendNeedTheRightModelOptions() {
        assertEquals("--transcriber-model-dir needs --model-dir: only F5-TTS uses reference transcripts",
                assertThrows(IllegalArgumentException.class, () -> parse("--transcriber-model-dir", "/w")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("--backend", "synthetic", "--model-dir", "/m"))
                .getMessage().contains("--model-dir"));
        assertEquals("synthetic", parse("--backend", "SYNTHETIC").standalone().backend());
    }

    @Test
    void aRedisStoreKeepsItsUriAsWrittenAndNeverShowsItsPassword() {
        String uri = "redis://app:Pa55-WORD@redis.internal:6380/2";
        Parsed p = CommandLineOptions.parse(new String[] {"--store", uri, "--node-id", "gpu-3"}, Map.of("TTSQ_API_KEY", "key-1"));
        assertEquals(uri, p.standalone().store(), "not lower-cased: the password is case-sensitive");
        String shown = p.standalone() + " " + p.server();
        assertTrue(shown.contains("store=redis://app:****@redis.internal:6380/2"), shown);
        assertTrue(!shown.contains("Pa55-WORD") && !shown.contains("key-1"), shown);
        IllegalArgumentException scheme = assertThrows(IllegalArgumentException.class, () -> parse("--store", "postgres://u:secret@h/db"));
        assertFalse(scheme.getMessage().contains("secret"), scheme.getMessage());
        for (String bad : List.of("two words", "x".repeat(129))) {
            assertThrows(IllegalArgumentException.class, () -> parse("--node-id", bad), bad);
        }
    }
}
