package dev.ttsqueue.inference.f5;

import static dev.ttsqueue.inference.f5.F5TestSupport.copyWithout;
import static dev.ttsqueue.inference.f5.F5TestSupport.models;
import static dev.ttsqueue.inference.f5.F5TestSupport.request;
import static dev.ttsqueue.inference.f5.F5TestSupport.settings;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.inference.f5.F5TestSupport.RecordingContext;
import dev.ttsqueue.inference.f5.testmodel.OnnxGraphWriter;
import dev.ttsqueue.inference.f5.testmodel.TestModelGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start-up checks of the model directory, execution providers, fp16 exports and the committed models. */
class F5ModelDirectoryTest {
    @TempDir
    Path tmp;

    @Test
    void committedTestModelsMatchTheGenerator() throws IOException {
        Path regenerated = tmp.resolve("regenerated");
        TestModelGenerator.writeCommittedSet(regenerated);
        for (String set : List.of("fp32", "fp16")) {
            List<String> names;
            try (var files = Files.list(regenerated.resolve(set))) {
                names = files.map(p -> p.getFileName().toString()).sorted().toList();
            }
            try (var files = Files.list(models(set))) {
                assertEquals(names, files.map(p -> p.getFileName().toString()).sorted().toList(), set);
            }
            for (String name : names) {
                assertArrayEquals(Files.readAllBytes(regenerated.resolve(set).resolve(name)),
                        Files.readAllBytes(models(set).resolve(name)),
                        set + "/" + name + " differs from the generator's output: run TestModelGenerator.main");
            }
        }
    }

    @Test
    void nonExistentDirectoryIsNamed() {
        Path nowhere = tmp.resolve("nowhere");
        F5ModelException e = assertThrows(F5ModelException.class, () -> F5OnnxBackend.builder(nowhere).build());
        assertTrue(e.getMessage().contains(nowhere.toString()), e.getMessage());
    }

    @Test
    void missingFilesAreListed() {
        Path dir = copyWithout(models("fp32"), tmp.resolve("partial"), "vocab.txt", "F5_Decode.onnx");
        F5ModelException e = assertThrows(F5ModelException.class,
                () -> F5OnnxBackend.builder(dir).provider(ExecutionProvider.CPU).build());
        assertTrue(e.getMessage().contains("lacks F5_Decode.onnx, vocab.txt"), e.getMessage());
    }

    @Test
    void vocabularyWithoutTheSpaceLineIsRefused() throws IOException {
        Path dir = copyWithout(models("fp32"), tmp.resolve("badvocab"), "vocab.txt");
        Files.writeString(dir.resolve("vocab.txt"), "a\nb\n");
        F5ModelException e = assertThrows(F5ModelException.class,
                () -> F5OnnxBackend.builder(dir).provider(ExecutionProvider.CPU).build());
        assertTrue(e.getMessage().contains("first line must be a single space"), e.getMessage());
    }

    @Test
    void wrongTensorTypeIsNamed() throws IOException {
        Path dir = copyWithout(models("fp32"), tmp.resolve("badtype"), "F5_Preprocess.onnx");
        Files.write(dir.resolve("F5_Preprocess.onnx"),
                TestModelGenerator.preprocess(TestModelGenerator.COMMITTED, OnnxGraphWriter.INT32));
        F5ModelException e = assertThrows(F5ModelException.class,
                () -> F5OnnxBackend.builder(dir).provider(ExecutionProvider.CPU).build());
        assertTrue(e.getMessage().contains("F5_Preprocess.onnx: input 'audio' has element type INT32, expected int16"),
                e.getMessage());
    }

    @Test
    void mixedFloatTypesAcrossModelsAreRefused() throws IOException {
        Path dir = copyWithout(models("fp32"), tmp.resolve("mixed"), "F5_Decode.onnx");
        Files.copy(models("fp16").resolve("F5_Decode.onnx"), dir.resolve("F5_Decode.onnx"));
        F5ModelException e = assertThrows(F5ModelException.class,
                () -> F5OnnxBackend.builder(dir).provider(ExecutionProvider.CPU).build());
        assertTrue(e.getMessage().contains("F5_Decode.onnx uses FLOAT16 floats but the transformer uses FLOAT"), e.getMessage());
    }

    @Test
    void modelsSwappedBetweenRolesAreRefused() throws IOException {
        Path dir = copyWithout(models("fp32"), tmp.resolve("swapped"), "F5_Decode.onnx");
        Files.copy(models("fp32").resolve("F5_Transformer.onnx"), dir.resolve("F5_Decode.onnx"));
        F5ModelException e = assertThrows(F5ModelException.class,
                () -> F5OnnxBackend.builder(dir).provider(ExecutionProvider.CPU).build());
        assertTrue(e.getMessage().contains("F5_Decode.onnx: missing output 'output_audio'"), e.getMessage());
        assertTrue(e.getMessage().contains("F5_Decode.onnx: unexpected input 'rope_cos_q'"), e.getMessage());
    }

    @Test
    void variantClashingWithTheDefaultIsRefused() throws IOException {
        Path dir = copyWithout(models("fp32"), tmp.resolve("clash"));
        Files.copy(dir.resolve("F5_Transformer.onnx"), dir.resolve("F5_Transformer_nfe32.onnx"));
        F5ModelException e = assertThrows(F5ModelException.class,
                () -> F5OnnxBackend.builder(dir).provider(ExecutionProvider.CPU).build());
        assertTrue(e.getMessage().contains("F5_Transformer_nfe32.onnx"), e.getMessage());
    }

    @Test
    void configuredDefaultNfeNamesTheMainTransformer() {
        try (F5OnnxBackend b = F5OnnxBackend.builder(models("fp32")).provider(ExecutionProvider.CPU).defaultNfeStep(8).build()) {
            assertEquals(Set.of(8, 16), b.info().supportedNfeSteps());
            assertEquals(8, b.info().defaultNfeStep());
        }
    }

    @Test
    void autoFallsBackToCpuAfterOneCudaAttempt() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        try (F5OnnxBackend b = F5OnnxBackend.builder(models("fp32")).provider(ExecutionProvider.AUTO)
                .cudaAppender((options, device) -> {
                    attempts.incrementAndGet();
                    options.addCUDA(device);
                })
                .build()) {
            // this machine has no CUDA libraries: a real addCUDA fails and the backend runs on the CPU
            assertEquals(1, attempts.get(), "CUDA is tried once, not once per transformer file");
            assertEquals("CPU", b.info().device());
            AudioClip clip = b.synthesize(request("Hello there.", "This is a test.", settings(), 7), new RecordingContext(7));
            assertEquals(106 * 256, clip.length());
        }
    }

    @Test
    void cpuNeverAttemptsCuda() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        try (F5OnnxBackend b = F5OnnxBackend.builder(models("fp32")).provider(ExecutionProvider.CPU)
                .cudaAppender((options, device) -> attempts.incrementAndGet())
                .build()) {
            b.synthesize(request("Hello there.", "This is a test.", settings(), 7), new RecordingContext(7));
            assertEquals(0, attempts.get());
            assertEquals("CPU", b.info().device());
        }
    }

    @Test
    void requiredCudaThatCannotStartFailsClearly() {
        F5ModelException e = assertThrows(F5ModelException.class,
                () -> F5OnnxBackend.builder(models("fp32")).provider(ExecutionProvider.CUDA).build());
        assertTrue(e.getMessage().startsWith("CUDA execution provider was requested (device 0) but cannot start"), e.getMessage());
    }

    @Test
    void fp16ExportRunsAndIsDeterministic() throws Exception {
        try (F5OnnxBackend b = F5OnnxBackend.builder(models("fp16")).provider(ExecutionProvider.CPU).build()) {
            AudioClip one = b.synthesize(request("Hello there.", "This is a test.", settings(), 21), new RecordingContext(21));
            AudioClip two = b.synthesize(request("Hello there.", "This is a test.", settings(), 21), new RecordingContext(21));
            assertEquals(106 * 256, one.length());
            assertArrayEquals(one.samples(), two.samples());
        }
        try (F5OnnxBackend b32 = F5OnnxBackend.builder(models("fp32")).provider(ExecutionProvider.CPU).build();
                F5OnnxBackend b16 = F5OnnxBackend.builder(models("fp16")).provider(ExecutionProvider.CPU).build()) {
            // same arithmetic, half precision in between: close to the fp32 result, not identical
            float[] a = b32.synthesize(request("Hello there.", "This is a test.", settings(), 21), new RecordingContext(21)).samples();
            float[] h = b16.synthesize(request("Hello there.", "This is a test.", settings(), 21), new RecordingContext(21)).samples();
            double maxDiff = 0;
            for (int i = 0; i < a.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(a[i] - h[i]));
            }
            assertTrue(maxDiff < 0.02, "fp16 strays from fp32 by " + maxDiff);
        }
    }

    @Test
    void providerNamesParse() {
        assertEquals(ExecutionProvider.AUTO, ExecutionProvider.parse("auto"));
        assertEquals(ExecutionProvider.CUDA, ExecutionProvider.parse(" CUDA "));
        assertEquals(ExecutionProvider.CPU, ExecutionProvider.parse("cpu"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ExecutionProvider.parse("tpu"));
        assertEquals("Unknown execution provider 'tpu': use auto, cuda or cpu", e.getMessage());
    }
}
