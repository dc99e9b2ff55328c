package dev.ttsqueue.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServerConfigTest {
    @Test
    void defaultsBindLoopback8000WithSqliteUnderData() {
        ServerConfig c = ServerConfig.parse(new String[0], Map.of());
        assertEquals("127.0.0.1", c.host());
        assertEquals(8000, c.port());
        assertEquals(Path.of("data"), c.dataDir());
        assertNull(c.modelDir());
        assertEquals("sqlite", c.store());
        assertEquals("auto", c.provider());
        assertNull(c.apiKey());
        assertEquals(1, c.workerCount());
        assertEquals(Duration.ofHours(24), c.retention());
    }

    @Test
    void apiKeyMustBeSendableAsAHeaderAsIs() {
        // Header bytes are read as Latin-1 and surrounding spaces are trimmed: a UTF-8 client
        // (curl) could never match "p\u00e4ss", nor anyone a key read from a file with its newline.
        for (String bad : List.of("p\u00e4ss", "\u043a\u043b\u044e\u0447", "key\n", " key", "key ", "a\tb")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ServerConfig.parse(new String[] {"--api-key", bad}, Map.of()), bad);
            assertTrue(e.getMessage().contains("api-key"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> ServerConfig.defaults().withApiKey(bad), bad);
        }
        assertEquals("Ab9-_.~+/= !x", ServerConfig.parse(new String[] {"--api-key", "Ab9-_.~+/= !x"}, Map.of()).apiKey());
    }

    @Test
    void allowedHostsComeFromTheFlagOrTheEnvironmentAndDefaultToAutomatic() {
        assertEquals(List.of(), ServerConfig.parse(new String[0], Map.of()).allowedHosts());
        assertEquals(List.of("tts.example.com", "api.example.com"),
                ServerConfig.parse(new String[] {"--allowed-hosts", "TTS.example.com, api.example.com"}, Map.of()).allowedHosts());
        assertEquals(List.of("*"), ServerConfig.parse(new String[0], Map.of("TTSQ_ALLOWED_HOSTS", "*")).allowedHosts());
    }

    @Test
    void corsOriginsComeFromTheFlagOrTheEnvironmentAndDefaultToAutomatic() {
        assertEquals(List.of(), ServerConfig.parse(new String[0], Map.of()).corsOrigins());
        assertEquals(List.of(), ServerConfig.defaults().corsOrigins());
        assertEquals(List.of("https://app.example.com", "http://localhost:*"),
                ServerConfig.parse(new String[] {"--cors-origins", "https://App.example.com/, http://localhost:*"}, Map.of()).corsOrigins());
        assertEquals(List.of("*"), ServerConfig.parse(new String[0], Map.of("TTSQ_CORS_ORIGINS", "*")).corsOrigins());
        assertEquals(List.of("none"), ServerConfig.parse(new String[] {"--cors-origins=none"}, Map.of("TTSQ_CORS_ORIGINS", "*")).corsOrigins());
        assertEquals(List.of("loopback", "https://app.example.com"),
                ServerConfig.defaults().withCorsOrigins(List.of("loopback", "https://app.example.com:443")).corsOrigins());
        for (String bad : List.of("null", "localhost:3000", "https://*.example.com", "*,https://app.example.com")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ServerConfig.parse(new String[] {"--cors-origins", bad}, Map.of()), bad);
            assertTrue(e.getMessage().startsWith("--cors-origins"), e.getMessage());
        }
    }

    @Test
    void anEmptyApiKeyFlagIsRefusedRatherThanStartingAnOpenServer() {
        // What "--api-key $KEY" becomes when KEY is unset.
        for (String[] args : List.of(new String[] {"--api-key", ""}, new String[] {"--api-key="}, new String[] {"--api-key", "  "})) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServerConfig.parse(args, Map.of()));
            assertTrue(e.getMessage().contains("--api-key is empty"), e.getMessage());
        }
        IllegalArgumentException env = assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.parse(new String[0], Map.of("TTSQ_API_KEY", "")));
        assertTrue(env.getMessage().contains("TTSQ_API_KEY is set but empty"), env.getMessage());
    }

    @Test
    void transcriberModelDirComesFromFlagOrEnvironmentAndNeedsAModel() {
        assertNull(ServerConfig.parse(new String[] {"--model-dir", "/models/f5"}, Map.of()).transcriberModelDir());
        assertEquals(Path.of("/models/whisper"), ServerConfig.parse(new String[] {"--model-dir", "/models/f5"},
                Map.of("TTSQ_TRANSCRIBER_MODEL_DIR", "/models/whisper")).transcriberModelDir());
        assertEquals(Path.of("/w2"), ServerConfig.parse(new String[] {"--model-dir", "/m", "--transcriber-model-dir=/w2"},
                Map.of("TTSQ_TRANSCRIBER_MODEL_DIR", "/w1")).transcriberModelDir());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.parse(new String[] {"--transcriber-model-dir", "/models/whisper"}, Map.of()));
        assertEquals("--transcriber-model-dir needs --model-dir: only F5-TTS uses reference transcripts", e.getMessage());
    }

    @Test
    void flagsWinOverEnvironment() {
        ServerConfig c = ServerConfig.parse(new String[] {"--port", "9001", "--store=memory", "--devices", "0,1", "--retention", "90m"},
                Map.of("TTSQ_PORT", "7000", "TTSQ_HOST", "0.0.0.0", "TTSQ_API_KEY", "k", "TTSQ_MAX_UPLOAD_BYTES", "1000",
                        "TTSQ_MODEL_DIR", "/models/f5", "TTSQ_PROVIDER", "CPU"));
        assertEquals(9001, c.port());
        assertEquals("0.0.0.0", c.host());
        assertEquals("memory", c.store());
        assertEquals(List.of(0, 1), c.devices());
        assertEquals(2, c.workerCount());
        assertEquals("k", c.apiKey());
        assertEquals(1000, c.maxUploadBytes());
        assertEquals(Path.of("/models/f5"), c.modelDir());
        assertEquals("cpu", c.provider());
        assertEquals(Duration.ofMinutes(90), c.retention());
        assertNull(ServerConfig.parse(new String[] {"--retention", "0"}, Map.of()).retention());
    }

    @Test
    void badOptionsNameTheOption() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ServerConfig.parse(new String[] {"--port", "x"}, Map.of()))
                .getMessage().contains("--port"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ServerConfig.parse(new String[] {"--colour", "red"}, Map.of()))
                .getMessage().contains("--colour"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ServerConfig.parse(new String[] {"--store", "redis"}, Map.of()))
                .getMessage().contains("store"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ServerConfig.parse(new String[] {"--retention", "soon"}, Map.of()))
                .getMessage().contains("--retention"));
        assertThrows(IllegalArgumentException.class, () -> ServerConfig.parse(new String[] {"--port"}, Map.of()));
        assertThrows(IllegalArgumentException.class, () -> ServerConfig.parse(new String[] {"--devices", "0,x"}, Map.of()));
    }

    @Test
    void aRedisStoreKeepsItsUriAsWrittenAndNeverShowsItsPassword() {
        String uri = "redis://app:Pa55-WORD@redis.internal:6380/2";
        ServerConfig c = ServerConfig.parse(new String[] {"--store", uri, "--node-id", "gpu-3"}, Map.of("TTSQ_API_KEY", "key-1"));
        assertEquals(uri, c.store(), "not lower-cased: the password is case-sensitive");
        assertEquals("gpu-3", c.nodeId());
        assertTrue(c.toString().contains("store=redis://app:****@redis.internal:6380/2"), c.toString());
        assertTrue(!c.toString().contains("Pa55-WORD") && !c.toString().contains("key-1"), c.toString());
        for (String ok : List.of("rediss://h:6379", "redis-sentinel://s1:26379,s2:26379/0#main", "REDIS://h")) {
            assertEquals(ok, ServerConfig.parse(new String[0], Map.of("TTSQ_STORE", ok)).store());
        }
        assertNull(ServerConfig.parse(new String[0], Map.of()).nodeId(), "the store picks host and pid");
    }

    @Test
    void badRedisStoresAndNodeIdsNameTheProblemWithoutThePassword() {
        IllegalArgumentException scheme = assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.parse(new String[] {"--store", "postgres://u:secret@h/db"}, Map.of()));
        assertTrue(scheme.getMessage().contains("store must be sqlite, memory or a redis://"), scheme.getMessage());
        assertTrue(!scheme.getMessage().contains("secret"), scheme.getMessage());
        IllegalArgumentException noHost = assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.parse(new String[] {"--store", "redis://:secret@/0"}, Map.of()));
        assertTrue(!noHost.getMessage().contains("secret"), noHost.getMessage());
        for (String bad : List.of("two words", "", "x".repeat(129))) {
            assertThrows(IllegalArgumentException.class, () -> ServerConfig.parse(new String[] {"--node-id", bad}, Map.of()), bad);
        }
    }

    @Test
    void leaseAndBackendDefaultToTheQueueAndRealSpeech() {
        ServerConfig d = ServerConfig.parse(new String[0], Map.of());
        assertEquals(Duration.ofSeconds(30), d.lease());
        assertEquals("auto", d.backend());

        ServerConfig c = ServerConfig.parse(new String[] {"--backend", "SYNTHETIC"}, Map.of("TTSQ_LEASE", "3s"));
        assertEquals(Duration.ofSeconds(3), c.lease());
        assertEquals("synthetic", c.backend());
        assertEquals(Duration.ofMillis(2500), ServerConfig.parse(new String[] {"--lease=PT2.5S"}, Map.of("TTSQ_LEASE", "9s")).lease());
    }

    @Test
    void leaseTooShortOrBackendUnknownIsRefused() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ServerConfig.parse(new String[] {"--lease", "1s"}, Map.of()))
                .getMessage().contains("lease"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ServerConfig.parse(new String[] {"--lease", "0"}, Map.of()))
                .getMessage().contains("--lease"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ServerConfig.parse(new String[] {"--backend", "gpu"}, Map.of()))
                .getMessage().contains("backend"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.parse(new String[] {"--backend", "synthetic", "--model-dir", "/models/f5"}, Map.of()))
                .getMessage().contains("--model-dir"));
    }

    @Test
    void everyOptionHasAnEnvironmentVariable() {
        for (ServerConfig.Option o : ServerConfig.options()) {
            String expected = "TTSQ_" + o.flag().substring(2).replace('-', '_').toUpperCase(java.util.Locale.ROOT);
            assertEquals(expected, o.env());
        }
    }
}
