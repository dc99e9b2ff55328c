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
import dev.ttsqueue.inference.GraphOptimizationLevel;
import dev.ttsqueue.inference.internal.OrtSessionFactory;
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
    void configuredDefaultNfeNamesTheMainTransformer() throws IOException {
        Path dir = copyWithout(models("fp32"), tmp.resolve("nfe8"), "F5_Transformer.onnx");
        Files.write(dir.resolve("F5_Transformer.onnx"), TestModelGenerator.transformer(TestModelGenerator.COMMITTED, 8, 0));
        try (F5OnnxBackend b = F5OnnxBackend.builder(dir).provider(ExecutionProvider.CPU).defaultNfeStep(8).build()) {
            assertEquals(Set.of(8, 16), b.info().supportedNfeSteps());
            assertEquals(8, b.info().defaultNfeStep());
        }
    }

    @Test
    void aTransformerWhoseNfeIsNotItsLabelFailsAtStart() {
        // the committed F5_Transformer.onnx has a 32-step table; calling it the 8-step default is caught
        F5ModelException e = assertThrows(F5ModelException.class,
                () -> F5OnnxBackend.builder(models("fp32")).provider(ExecutionProvider.CPU).defaultNfeStep(8).build());
        assertTrue(e.getMessage().contains("F5_Transformer.onnx was exported for nfe_step 32, not 8 (its time table ends after"
                + " step 30): set the default NFE to 32 (defaultNfeStep) or rename it F5_Transformer_nfe32.onnx"), e.getMessage());
    }

    @Test
    void aMislabelledVariantIsNamed() throws IOException {
        Path dir = copyWithout(models("fp32"), tmp.resolve("mislabelled"), "F5_Transformer_nfe16.onnx");
        Files.write(dir.resolve("F5_Transformer_nfe16.onnx"), TestModelGenerator.transformer(TestModelGenerator.COMMITTED, 24, 0));
        F5ModelException e = assertThrows(F5ModelException.class,
                () -> F5OnnxBackend.builder(dir).provider(ExecutionProvider.CPU).build());
        assertTrue(e.getMessage().contains("F5_Transformer_nfe16.onnx was exported for nfe_step 24, not 16"), e.getMessage());
        assertTrue(e.getMessage().contains("rename it F5_Transformer_nfe24.onnx"), e.getMessage());
    }

    @Test
    void aTableThatReadsZerosPastItsEndIsCheckedToo() throws IOException {
        // CUDA's Gather reads zeros past the end instead of failing: a zero step leaves the noise unchanged
        Path dir = copyWithout(models("fp32"), tmp.resolve("zeros"), "F5_Transformer.onnx", "F5_Transformer_nfe16.onnx");
        Files.write(dir.resolve("F5_Transformer.onnx"), TestModelGenerator.transformer(TestModelGenerator.COMMITTED, 32, 40));
        try (F5OnnxBackend b = F5OnnxBackend.builder(dir).provider(ExecutionProvider.CPU).build()) {
            assertEquals(Set.of(32), b.info().supportedNfeSteps());
        }
        Files.write(dir.resolve("F5_Transformer.onnx"), TestModelGenerator.transformer(TestModelGenerator.COMMITTED, 16, 40));
        F5ModelException e = assertThrows(F5ModelException.class, () -> F5OnnxBackend.builder(dir).provider(ExecutionProvider.CPU).build());
        assertTrue(e.getMessage().contains("F5_Transformer.onnx was exported for nfe_step 16, not 32"), e.getMessage());
    }

    @Test
    void autoFallsBackToCpuAfterOneCudaAttempt() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        try (F5OnnxBackend b = F5OnnxBackend.builder(models("fp32")).provider(ExecutionProvider.AUTO)
                .cudaAppender((options, device, cudaOptions) -> {
                    attempts.incrementAndGet();
                    OrtSessionFactory.DEFAULT_CUDA.append(options, device, cudaOptions);
                })
                .build()) {
            if (F5TestSupport.cudaWorks()) {
                // a machine with a working CUDA: both transformer files go to the device
                assertEquals(2, attempts.get());
                assertEquals("CUDA:0", b.info().device());
            } else {
                // no CUDA libraries or device: a real addCUDA fails and the backend runs on the CPU
                assertEquals(1, attempts.get(), "CUDA is tried once, not once per transformer file");
                assertEquals("CPU", b.info().device());
            }
            AudioClip clip = b.synthesize(request("Hello there.", "This is a test.", settings(), 7), new RecordingContext(7));
            assertEquals(106 * 256, clip.length());
        }
    }

    @Test
    void cudaIsAskedForWithOptionsSuitedToChangingLengths() {
        List<java.util.Map<String, String>> seen = new java.util.ArrayList<>();
        try (F5OnnxBackend b = F5OnnxBackend.builder(models("fp32")).provider(ExecutionProvider.AUTO)
                .cudaOption("gpu_mem_limit", "2147483648")
                .cudaOption("arena_extend_strategy", "kNextPowerOfTwo")
                .cudaAppender((options, device, cudaOptions) -> {
                    seen.add(cudaOptions);
                    throw new ai.onnxruntime.OrtException("no CUDA in this test");
                })
                .build()) {
            assertEquals("CPU", b.info().device());
        }
        assertEquals(1, seen.size());
        assertEquals(List.of("cudnn_conv_algo_search=HEURISTIC", "arena_extend_strategy=kNextPowerOfTwo", "gpu_mem_limit=2147483648"),
                seen.get(0).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList(),
                "defaults first, in order; a user's value replaces a default");
    }

    @Test
    void everyGraphOptimisationLevelLoadsAndGivesTheSameAudio() throws Exception {
        float[] reference = null;
        for (GraphOptimizationLevel level : GraphOptimizationLevel.values()) {
            try (F5OnnxBackend b = F5OnnxBackend.builder(models("fp32")).provider(ExecutionProvider.CPU).optimizationLevel(level).build()) {
                float[] samples = b.synthesize(request("Hello there.", "This is a test.", settings(), 4), new RecordingContext(4)).samples();
                if (reference == null) {
                    reference = samples;
                } else {
                    assertEquals(reference.length, samples.length, level.toString());
                    for (int i = 0; i < samples.length; i++) {
                        assertEquals(reference[i], samples[i], 1e-4, level + " at " + i);
                    }
                }
            }
        }
        assertEquals(GraphOptimizationLevel.EXTENDED, GraphOptimizationLevel.parse(" Extended "));
        assertEquals("Unknown graph optimisation level 'max': use none, basic, extended or all",
                assertThrows(IllegalArgumentException.class, () -> GraphOptimizationLevel.parse("max")).getMessage());
    }

    @Test
    void cpuNeverAttemptsCuda() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        try (F5OnnxBackend b = F5OnnxBackend.builder(models("fp32")).provider(ExecutionProvider.CPU)
                .cudaAppender((options, device, cudaOptions) -> attempts.incrementAndGet())
                .build()) {
            b.synthesize(request("Hello there.", "This is a test.", settings(), 7), new RecordingContext(7));
            assertEquals(0, attempts.get());
            assertEquals("CPU", b.info().device());
        }
    }

    @Test
    void requiredCudaRunsThereOrFailsClearly() throws Exception {
        if (F5TestSupport.cudaWorks()) {
            try (F5OnnxBackend b = F5OnnxBackend.builder(models("fp32")).provider(ExecutionProvider.CUDA).build()) {
                assertEquals("CUDA:0", b.info().device());
                assertEquals(106 * 256, b.synthesize(request("Hello there.", "This is a test.", settings(), 7), new RecordingContext(7)).length());
            }
            return;
        }
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
