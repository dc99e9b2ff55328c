package dev.ttsqueue.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.audio.WavCodec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The F5 example on the inference module's tiny test export (real ONNX Runtime sessions on the
 * CPU, nonsense audio): it writes the output with measured steps on the way, and a folder without
 * the models gets the layout it needs.
 */
class F5FromModelDirTest {
    private static final Path MODELS = Path.of(System.getProperty("ttsq.test.f5Models",
            "../inference/src/test/resources/f5-test-models/fp32"));
    private static final Path SAMPLES = Path.of(System.getProperty("ttsq.test.samples", "../samples"));

    @Test
    void speaksWithTheModelsOfTheFolderAndReportsEachStep(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Path wav = dir.resolve("f5.wav");
        int status = F5FromModelDir.run(new String[] {"--model-dir", MODELS.toString(), "--provider", "cpu",
            "--reference", SAMPLES.resolve("reference.wav").toString(), "--text", "A short test.", "--out", wav.toString()},
                print(out), print(err));
        String printed = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, printed + err.toString(StandardCharsets.UTF_8));
        assertTrue(printed.contains("F5-TTS on CPU, NFE steps available: [16, 32] (default 32)"), printed);
        assertTrue(printed.matches("(?s).*step \\d+ of \\d+ \\(\\d+%\\), done in \\d+\\.\\d s.*"), printed);
        AudioClip clip = WavCodec.read(wav);
        assertEquals(24_000, clip.sampleRate());
        assertTrue(clip.durationSeconds() > 0.1, "audio was written: " + clip.durationSeconds());
        assertTrue(printed.contains("seed 42 -> " + wav), printed);
    }

    @Test
    void aFolderWithoutTheModelsGetsTheLayoutItNeeds(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("vocab.txt"), " \na\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = F5FromModelDir.run(new String[] {"--model-dir", dir.toString(), "--provider", "cpu"},
                print(new ByteArrayOutputStream()), print(err));
        String message = err.toString(StandardCharsets.UTF_8);
        assertEquals(2, status);
        assertTrue(message.contains("F5_Preprocess.onnx") && message.contains("Expected layout of --model-dir"), message);

        ByteArrayOutputStream bad = new ByteArrayOutputStream();
        assertEquals(2, F5FromModelDir.run(new String[] {"--model-dir", dir.toString(), "--provider", "tpu"},
                print(new ByteArrayOutputStream()), print(bad)));
        assertTrue(bad.toString(StandardCharsets.UTF_8).contains("use auto, cuda or cpu"), bad.toString(StandardCharsets.UTF_8));

        ByteArrayOutputStream none = new ByteArrayOutputStream();
        assertEquals(2, F5FromModelDir.run(new String[0], print(new ByteArrayOutputStream()), print(none)));
        assertTrue(none.toString(StandardCharsets.UTF_8).startsWith("--model-dir is required"));
    }

    private static PrintStream print(ByteArrayOutputStream b) {
        return new PrintStream(b, true, StandardCharsets.UTF_8);
    }
}
