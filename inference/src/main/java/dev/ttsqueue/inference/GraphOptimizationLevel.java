package dev.ttsqueue.inference;

import ai.onnxruntime.OrtSession;
import java.util.Locale;

/**
 * How much ONNX Runtime rewrites a model's graph when it loads it. Higher levels fuse more
 * operators (faster runs) and take longer to load; {@link #ALL} is the default of every backend
 * here. Lower levels help when a provider mishandles a fused operator or start-up time matters
 * more than speed.
 */
public enum GraphOptimizationLevel {
    /** No rewriting: the graph runs as exported. */
    NONE(OrtSession.SessionOptions.OptLevel.NO_OPT),
    /** Constant folding and redundant-node removal only. */
    BASIC(OrtSession.SessionOptions.OptLevel.BASIC_OPT),
    /** Basic plus operator fusions (attention, layer norm, GELU). */
    EXTENDED(OrtSession.SessionOptions.OptLevel.EXTENDED_OPT),
    /** Extended plus layout changes: the fastest graphs. */
    ALL(OrtSession.SessionOptions.OptLevel.ALL_OPT);

    private final OrtSession.SessionOptions.OptLevel ort;

    GraphOptimizationLevel(OrtSession.SessionOptions.OptLevel ort) {
        this.ort = ort;
    }

    /** The ONNX Runtime level this stands for. */
    public OrtSession.SessionOptions.OptLevel ortLevel() {
        return ort;
    }

    /**
     * Parses {@code none}, {@code basic}, {@code extended} or {@code all} (any case).
     *
     * @throws IllegalArgumentException naming the accepted values when {@code value} is none of them or null
     */
    public static GraphOptimizationLevel parse(String value) {
        if (value != null) {
            for (GraphOptimizationLevel l : values()) {
                if (l.name().equalsIgnoreCase(value.trim())) {
                    return l;
                }
            }
        }
        throw new IllegalArgumentException("Unknown graph optimisation level '" + value + "': use none, basic, extended or all");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
