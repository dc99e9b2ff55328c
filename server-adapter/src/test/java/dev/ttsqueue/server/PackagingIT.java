package dev.ttsqueue.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the build hands to users of the server: both distributions as folders and as .tar.gz, the
 * CPU flavour with the CPU-only ONNX Runtime (and able to run F5 with it), every shipped jar
 * listed with its licence in THIRD-PARTY.md, and every project jar named as a module.
 */
class PackagingIT {
    private static final Path TARGET = Path.of("target");
    private static final String VERSION = System.getProperty("ttsq.test.version");
    private static final Path MODELS = Path.of(System.getProperty("ttsq.test.f5Models",
            "../inference/src/test/resources/f5-test-models/fp32"));

    @TempDir
    Path dir;

    private static List<String> jars(Path lib) throws IOException {
        try (Stream<Path> s = Files.list(lib)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jar")).sorted().toList();
        }
    }

    @Test
    void theTwoFlavoursDifferOnlyInTheirOnnxRuntime() throws Exception {
        List<String> gpu = jars(TARGET.resolve("ttsqueue-server/lib"));
        List<String> cpu = jars(TARGET.resolve("ttsqueue-server-cpu/lib"));
        String ort = System.getProperty("ttsq.test.onnxruntimeVersion");
        assertTrue(gpu.contains("onnxruntime_gpu-" + ort + ".jar") && !gpu.contains("onnxruntime-" + ort + ".jar"), gpu.toString());
        assertTrue(cpu.contains("onnxruntime-" + ort + ".jar") && !cpu.contains("onnxruntime_gpu-" + ort + ".jar"), cpu.toString());
        List<String> gpuRest = new ArrayList<>(gpu);
        gpuRest.remove("onnxruntime_gpu-" + ort + ".jar");
        List<String> cpuRest = new ArrayList<>(cpu);
        cpuRest.remove("onnxruntime-" + ort + ".jar");
        assertEquals(gpuRest, cpuRest);
        long cpuBytes = folderBytes(TARGET.resolve("ttsqueue-server-cpu"));
        assertTrue(cpuBytes < 200L << 20, "the CPU flavour stays small: " + (cpuBytes >> 20) + " MiB");
    }

    @Test
    void everyShippedJarIsListedWithItsLicenceAndEveryProjectJarIsAModule() throws Exception {
        String thirdParty = Files.readString(Path.of("..", "THIRD-PARTY.md"));
        List<String> unlisted = new ArrayList<>();
        for (String flavour : List.of("ttsqueue-server", "ttsqueue-server-cpu")) {
            Path lib = TARGET.resolve(flavour).resolve("lib");
            for (String jar : jars(lib)) {
                if (jar.startsWith("ttsqueue-")) {
                    try (JarFile j = new JarFile(lib.resolve(jar).toFile())) {
                        String name = j.getManifest().getMainAttributes().getValue("Automatic-Module-Name");
                        assertTrue(name != null && name.startsWith("dev.ttsqueue."), jar + " names its module: " + name);
                    }
                    continue;
                }
                String artifactAndVersion = jar.substring(0, jar.length() - ".jar".length());
                int dash = versionStart(artifactAndVersion);
                String coordinates = ":" + artifactAndVersion.substring(0, dash) + ":" + artifactAndVersion.substring(dash + 1) + "`";
                if (!thirdParty.contains(coordinates)) {
                    unlisted.add(flavour + "/lib/" + jar);
                }
            }
            for (String file : List.of("LICENSE", "NOTICE", "THIRD-PARTY.md", "conf/logback.xml")) {
                assertTrue(Files.isRegularFile(TARGET.resolve(flavour).resolve(file)), flavour + " ships " + file);
            }
            assertTrue(jars(lib).stream().noneMatch(j -> j.startsWith("slf4j-simple-")), flavour + " has one SLF4J binding: Logback");
        }
        assertEquals(List.of(), unlisted, "jars missing from THIRD-PARTY.md");
    }

    /** Where the version starts in {@code artifact-1.2.3}: after the last '-' followed by a digit. */
    private static int versionStart(String artifactAndVersion) {
        for (int i = artifactAndVersion.length() - 2; i > 0; i--) {
            if (artifactAndVersion.charAt(i) == '-' && Character.isDigit(artifactAndVersion.charAt(i + 1))) {
                int earlier = artifactAndVersion.lastIndexOf('-', i - 1);
                if (earlier > 0 && Character.isDigit(artifactAndVersion.charAt(earlier + 1))) {
                    continue; // "4.0.0-M3": keep looking left for the start of the version
                }
                return i;
            }
        }
        throw new AssertionError("no version in " + artifactAndVersion);
    }

    @Test
    void theCpuTarballUnpacksAndRunsF5OnTheCpuOnlyRuntime() throws Exception {
        Path gpuTar = TARGET.resolve("ttsqueue-server-" + VERSION + "-gpu.tar.gz");
        Path cpuTar = TARGET.resolve("ttsqueue-server-" + VERSION + "-cpu.tar.gz");
        assertTrue(Files.isRegularFile(gpuTar), gpuTar + " is built");
        assertTrue(Files.isRegularFile(cpuTar), cpuTar + " is built");

        run(dir, "tar", "xzf", cpuTar.toAbsolutePath().toString());
        Path home = dir.resolve("ttsqueue-server-cpu-" + VERSION);
        Path launcher = home.resolve("bin/ttsqueue-server");
        assertTrue(Files.getPosixFilePermissions(launcher).contains(PosixFilePermission.OWNER_EXECUTE), "the launcher is executable");
        assertEquals(jars(TARGET.resolve("ttsqueue-server-cpu/lib")), jars(home.resolve("lib")), "the tarball holds the folder");
        assertTrue(Files.isRegularFile(home.resolve("conf/logback.xml")), "the tarball holds the logging configuration");
        assertFalse(Files.exists(home.resolve("lib/onnxruntime_gpu-" + System.getProperty("ttsq.test.onnxruntimeVersion") + ".jar")));

        try (ServerProcess server = ServerProcess.start(launcher, dir.resolve("data"), "--model-dir",
                MODELS.toAbsolutePath().toString(), "--provider", "cpu", "--store", "memory")) {
            JsonNode health = server.get("/health").json();
            assertEquals("f5-tts-onnx", health.get("backend").asText(), health.toString());
            assertFalse(server.linesMatching(Pattern.compile(
                    "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}\\S* INFO  \\[.+] dev\\.ttsqueue\\.server\\.TtsServer - TTS server listening on .*"))
                    .isEmpty(), "logged through conf/logback.xml, with time and level: " + server.log());
            assertTrue(health.get("model_loaded").asBoolean(), health.toString());
            TestServer.Reply up = server.postMultipart("/upload-audio", Map.of("audio_file", TestServer.wavFile(1.0)));
            assertEquals(200, up.status(), up.text());
            TestServer.Reply gen = server.postJson("/tts-generate", TestServer.JSON.writeValueAsString(Map.of(
                    "audio_file_id", up.json().get("file_id").asText(), "text", "Hello there.", "ref_text", "A short reference.")));
            assertEquals(200, gen.status(), gen.text());
            assertEquals(200, server.get("/download-audio/" + gen.json().get("audio_file_id").asText()).status());
            server.stop();
        }
    }

    private static void run(Path cwd, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", command) + " finished");
        assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + output);
    }

    private static long folderBytes(Path folder) throws IOException {
        try (Stream<Path> s = Files.walk(folder)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
