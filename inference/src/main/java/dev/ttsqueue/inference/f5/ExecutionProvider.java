package dev.ttsqueue.inference.f5;

import java.util.Locale;

/** Where the F5 transformer runs. Preprocess and decode always run on the CPU, as in the reference scripts. */
public enum ExecutionProvider {
    /** CUDA when its libraries and a device are present, otherwise the CPU (one log line says so). */
    AUTO,
    /** CUDA or nothing: start-up fails with a clear message when CUDA cannot be used. */
    CUDA,
    /** The CPU only; CUDA is never touched. */
    CPU;

    /**
     * Parses {@code auto}, {@code cuda} or {@code cpu} (any case).
     *
     * @throws IllegalArgumentException naming the accepted values when {@code value} is none of them or null
     */
    public static ExecutionProvider parse(String value) {
        if (value != null) {
            for (ExecutionProvider p : values()) {
                if (p.name().equalsIgnoreCase(value.trim())) {
                    return p;
                }
            }
        }
        throw new IllegalArgumentException("Unknown execution provider '" + value + "': use auto, cuda or cpu");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
