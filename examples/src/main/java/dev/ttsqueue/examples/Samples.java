package dev.ttsqueue.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The transcript beside a reference clip: {@code reference.txt} for {@code reference.wav}. */
final class Samples {
    private Samples() {
    }

    /**
     * The text of the {@code .txt} file beside {@code wav}, or empty when there is none (a backend
     * that needs transcripts then says so when the job is submitted).
     */
    static String transcriptOf(Path wav) throws IOException {
        String name = wav.getFileName().toString();
        int dot = name.lastIndexOf('.');
        Path txt = wav.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + ".txt");
        return Files.isRegularFile(txt) ? Files.readString(txt).strip() : "";
    }
}
