package dev.ttsqueue.inference.whisper;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.inference.f5.ExecutionProvider;
import dev.ttsqueue.inference.whisper.testmodel.WhisperTestModelGenerator;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transcriber end to end on the committed test export (see {@link WhisperTestModelGenerator}
 * for the arithmetic the expectations below are worked out from).
 */
class WhisperTranscriberTest {
    private static WhisperTranscriber whisper;

    @TempDir
    Path tmp;

    static Path model() {
        try {
            return Path.of(WhisperTranscriberTest.class.getResource("/whisper-test-model/config.json").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @BeforeAll
    static void open() {
        whisper = WhisperTranscriber.builder(model()).provider(ExecutionProvider.CPU).intraOpThreads(1).build();
    }

    @AfterAll
    static void close() {
        whisper.close();
    }

    static AudioClip tone(double seconds, int rate, double hz) {
        float[] s = new float[(int) Math.round(seconds * rate)];
        for (int i = 0; i < s.length; i++) {
            s[i] = (float) (0.5 * Math.sin(2 * Math.PI * hz * i / rate));
        }
        return new AudioClip(s, rate);
    }

    @Test
    void greedyDecodingFollowsTheForcedStartAndTheCache() throws Exception {
        // count after the forced start <|sot|><|de|><|transcribe|><|notimestamps|> is 4: targets
        // 110, 111, 112, then count - 4 = 3 ends the text; an audible clip puts every feature above -1
        Transcript t = whisper.transcribeDetailed(tone(1.0, 24_000, 440));
        assertEquals(List.of(110, 111, 112), t.tokens());
        assertEquals("The quick fox", t.text());
        assertEquals("de", t.language(), "detected from the start token alone: the model's target there is <|de|>");
    }

    @Test
    void silenceDecodesFromTheOtherBase() throws Exception {
        // silence: every feature is (log10(1e-10) + 4) / 4 = -1.5, not above -1, so base 100
        Transcript t = whisper.transcribeDetailed(AudioClip.silence(16_000, 8_000));
        assertEquals(List.of(100, 101, 102), t.tokens());
        assertEquals("Hello world.", t.text());
    }

    @Test
    void configuredLanguageSkipsDetection() throws Exception {
        try (WhisperTranscriber en = WhisperTranscriber.builder(model()).provider(ExecutionProvider.CPU).language("en").build()) {
            Transcript t = en.transcribeDetailed(tone(0.5, 16_000, 300));
            assertEquals("en", t.language());
            assertEquals(List.of(110, 111, 112), t.tokens());
        }
    }

    @Test
    void suppressedTokensGiveWayToTheRunnerUp() throws Exception {
        // 111 suppressed: at count 5 the best allowed is target - 1 = 110 (logit -1, against -1.5 for 112)
        Path dir = copy(tmp.resolve("suppress"));
        Files.writeString(dir.resolve("generation_config.json"), WhisperTestModelGenerator.generationConfig("[111]", "[220, 50257]"));
        try (WhisperTranscriber w = WhisperTranscriber.builder(dir).provider(ExecutionProvider.CPU).build()) {
            assertEquals(List.of(110, 110, 112), w.transcribeDetailed(tone(1.0, 16_000, 440)).tokens());
        }
    }

    @Test
    void theFirstTokenObeysBeginSuppression() throws Exception {
        // 110 may not start the text: 109 does, then the cache count goes on as before
        Path dir = copy(tmp.resolve("begin"));
        Files.writeString(dir.resolve("generation_config.json"), WhisperTestModelGenerator.generationConfig("[]", "[110, 50257]"));
        try (WhisperTranscriber w = WhisperTranscriber.builder(dir).provider(ExecutionProvider.CPU).build()) {
            Transcript t = w.transcribeDetailed(tone(1.0, 16_000, 440));
            assertEquals(List.of(109, 111, 112), t.tokens());
            assertEquals("A quick fox", t.text());
        }
    }

    @Test
    void maxNewTokensStopsTheSearch() throws Exception {
        try (WhisperTranscriber w = WhisperTranscriber.builder(model()).provider(ExecutionProvider.CPU).maxNewTokens(2).build()) {
            assertEquals(List.of(110, 111), w.transcribeDetailed(tone(1.0, 16_000, 440)).tokens());
        }
    }

    @Test
    void transcriptsAreCachedByContent() throws Exception {
        try (WhisperTranscriber w = WhisperTranscriber.builder(model()).provider(ExecutionProvider.CPU).cacheSize(1).build()) {
            AudioClip a = tone(1.0, 16_000, 440);
            Transcript first = w.transcribeDetailed(a);
            assertSame(first, w.transcribeDetailed(new AudioClip(a.samples().clone(), a.sampleRate())), "same samples, same entry");
            assertEquals(1, w.cachedTranscripts());
            w.transcribeDetailed(AudioClip.silence(16_000, 100));
            assertEquals(1, w.cachedTranscripts(), "bounded: the older entry went");
            w.close();
            // the cached silence still answers after close; anything else needs the models
            assertEquals("Hello world.", w.transcribe(AudioClip.silence(16_000, 100)));
            assertThrows(IllegalStateException.class, () -> w.transcribe(a));
        }
    }

    @Test
    void emptyClipIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> whisper.transcribe(new AudioClip(new float[0], 16_000)));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    @Test
    void cudaGetsTheTunedProviderOptions() {
        AtomicInteger attempts = new AtomicInteger();
        Map<String, String>[] seen = new Map[1];
        try (WhisperTranscriber w = WhisperTranscriber.builder(model()).provider(ExecutionProvider.AUTO)
                .cudaOption("gpu_mem_limit", "1073741824")
                .cudaAppender((options, device, cudaOptions) -> {
                    attempts.incrementAndGet();
                    seen[0] = cudaOptions;
                    throw new ai.onnxruntime.OrtException("no CUDA in this test");
                }).build()) {
            assertEquals("CPU", w.device());
        }
        assertEquals(1, attempts.get(), "tried once for both models");
        assertEquals(Map.of("cudnn_conv_algo_search", "HEURISTIC", "arena_extend_strategy", "kSameAsRequested",
                "gpu_mem_limit", "1073741824"), seen[0]);
    }

    @Test
    void missingFilesAreNamed() throws IOException {
        Path dir = copy(tmp.resolve("partial"));
        Files.delete(dir.resolve("onnx/decoder_model_merged.onnx"));
        WhisperModelException e = assertThrows(WhisperModelException.class,
                () -> WhisperTranscriber.builder(dir).provider(ExecutionProvider.CPU).build());
        assertTrue(e.getMessage().contains("lacks onnx/decoder_model_merged.onnx"), e.getMessage());

        Files.delete(dir.resolve("tokenizer.json"));
        e = assertThrows(WhisperModelException.class, () -> WhisperTranscriber.builder(dir).provider(ExecutionProvider.CPU).build());
        assertTrue(e.getMessage().contains("lacks tokenizer.json"), e.getMessage());
    }

    @Test
    void modelsInTheWrongRolesAreRefused() throws IOException {
        Path dir = copy(tmp.resolve("swapped"));
        Files.copy(dir.resolve("onnx/encoder_model.onnx"), dir.resolve("onnx/decoder_model_merged.onnx"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        WhisperModelException e = assertThrows(WhisperModelException.class,
                () -> WhisperTranscriber.builder(dir).provider(ExecutionProvider.CPU).build());
        assertTrue(e.getMessage().contains("decoder_model_merged.onnx: missing input 'input_ids'"), e.getMessage());
        assertTrue(e.getMessage().contains("decoder_model_merged.onnx: unexpected input 'input_features'"), e.getMessage());
    }

    @Test
    void layerCountMustMatchTheConfig() throws IOException {
        Path dir = copy(tmp.resolve("layers"));
        Files.writeString(dir.resolve("config.json"), WhisperTestModelGenerator.config().replace("\"decoder_layers\": 2", "\"decoder_layers\": 3"));
        WhisperModelException e = assertThrows(WhisperModelException.class,
                () -> WhisperTranscriber.builder(dir).provider(ExecutionProvider.CPU).build());
        assertTrue(e.getMessage().contains("missing input 'past_key_values.2.decoder.key'"), e.getMessage());
    }

    @Test
    void unknownLanguageIsRefusedAtStart() {
        WhisperModelException e = assertThrows(WhisperModelException.class,
                () -> WhisperTranscriber.builder(model()).provider(ExecutionProvider.CPU).language("xx").build());
        assertTrue(e.getMessage().contains("has no language 'xx'; it knows de, en, es, zh"), e.getMessage());
    }

    @Test
    void committedModelMatchesTheGenerator() throws IOException {
        Path regenerated = tmp.resolve("regenerated");
        WhisperTestModelGenerator.generate(regenerated);
        for (String f : List.of("config.json", "generation_config.json", "tokenizer.json", "onnx/encoder_model.onnx",
                "onnx/decoder_model_merged.onnx")) {
            assertArrayEquals(Files.readAllBytes(regenerated.resolve(f)), Files.readAllBytes(model().resolve(f)),
                    f + " differs from the generator's output: run WhisperTestModelGenerator.main");
        }
    }

    private static Path copy(Path to) throws IOException {
        Path from = model();
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        return to;
    }
}
