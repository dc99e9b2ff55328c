package dev.ttsqueue.inference.f5.internal;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.ValueInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The input/output names, element types and ranks of the F5-TTS ONNX export, and the check of a
 * loaded session against them. Float tensors may be float32 or float16 but must all agree.
 *
 * <p>The transformer's step tensors: the export documents input and output both as
 * {@code time_step}, but ONNX cannot give a graph input and a node output one name, so exported
 * files carry {@code time_step} on one side and a suffixed name such as {@code time_step.1} on the
 * other. Any int32 rank-1 tensor whose name is {@code time_step} or starts with {@code time_step}
 * fills that role.
 */
public final class ModelContract {
    /** Kind of element a contract tensor holds. */
    enum Kind {
        INT16, INT32, INT64, FLOAT;

        boolean accepts(OnnxJavaType t) {
            return switch (this) {
                case INT16 -> t == OnnxJavaType.INT16;
                case INT32 -> t == OnnxJavaType.INT32;
                case INT64 -> t == OnnxJavaType.INT64;
                case FLOAT -> t == OnnxJavaType.FLOAT || t == OnnxJavaType.FLOAT16;
            };
        }

        String describe() {
            return this == FLOAT ? "float32 or float16" : name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    record Spec(String name, Kind kind, int rank, String shape) {
    }

    public static final String STEP = "time_step";

    static final List<Spec> PREPROCESS_IN = List.of(
            new Spec("audio", Kind.INT16, 3, "[1,1,audio_len]"),
            new Spec("text_ids", Kind.INT32, 2, "[1,text_len]"),
            new Spec("max_duration", Kind.INT64, 1, "[1]"));
    static final List<Spec> PREPROCESS_OUT = List.of(
            new Spec("noise", Kind.FLOAT, 3, "[1,D,mels]"),
            new Spec("rope_cos_q", Kind.FLOAT, 4, "[2,heads,D,head_dim]"),
            new Spec("rope_sin_q", Kind.FLOAT, 4, "[2,heads,D,head_dim]"),
            new Spec("rope_cos_k", Kind.FLOAT, 4, "[2,heads,head_dim,D]"),
            new Spec("rope_sin_k", Kind.FLOAT, 4, "[2,heads,head_dim,D]"),
            new Spec("cat_mel_text", Kind.FLOAT, 3, "[1,D,cond]"),
            new Spec("cat_mel_text_drop", Kind.FLOAT, 3, "[1,D,cond]"),
            new Spec("ref_signal_len", Kind.INT64, 0, "scalar"));
    /** The transformer's inputs other than its step; fed from the preprocess outputs of the same names. */
    public static final List<String> CONDITIONING = List.of(
            "rope_cos_q", "rope_sin_q", "rope_cos_k", "rope_sin_k", "cat_mel_text", "cat_mel_text_drop");
    static final List<Spec> TRANSFORMER_IN = List.of(
            PREPROCESS_OUT.get(0), PREPROCESS_OUT.get(1), PREPROCESS_OUT.get(2), PREPROCESS_OUT.get(3),
            PREPROCESS_OUT.get(4), PREPROCESS_OUT.get(5), PREPROCESS_OUT.get(6),
            new Spec(STEP, Kind.INT32, 1, "[1]"));
    static final List<Spec> TRANSFORMER_OUT = List.of(
            new Spec("denoised", Kind.FLOAT, 3, "[1,D,mels]"),
            new Spec(STEP, Kind.INT32, 1, "[1]"));
    static final List<Spec> DECODE_IN = List.of(
            new Spec("denoised", Kind.FLOAT, 3, "[1,D,mels]"),
            new Spec("ref_signal_len", Kind.INT64, 0, "scalar"));
    static final List<Spec> DECODE_OUT = List.of(
            new Spec("output_audio", Kind.INT16, 3, "[1,1,samples]"));

    /**
     * What a checked session looks like, in the contract's terms.
     *
     * @param floatType float element type of its float tensors (null when it has none)
     * @param inputs contract input name to the session's actual name (they differ only for the step)
     * @param outputs contract output name to the session's actual name
     */
    public record Checked(OnnxJavaType floatType, Map<String, String> inputs, Map<String, String> outputs) {
        public String input(String contractName) {
            return inputs.getOrDefault(contractName, contractName);
        }

        public String output(String contractName) {
            return outputs.getOrDefault(contractName, contractName);
        }
    }

    private ModelContract() {
    }

    public static Checked checkPreprocess(OrtSession s, String file, List<String> problems) throws OrtException {
        return check(s, file, PREPROCESS_IN, PREPROCESS_OUT, problems);
    }

    public static Checked checkTransformer(OrtSession s, String file, List<String> problems) throws OrtException {
        return check(s, file, TRANSFORMER_IN, TRANSFORMER_OUT, problems);
    }

    public static Checked checkDecode(OrtSession s, String file, List<String> problems) throws OrtException {
        return check(s, file, DECODE_IN, DECODE_OUT, problems);
    }

    private static Checked check(OrtSession s, String file, List<Spec> ins, List<Spec> outs, List<String> problems)
            throws OrtException {
        Map<String, String> inNames = new LinkedHashMap<>();
        Map<String, String> outNames = new LinkedHashMap<>();
        List<OnnxJavaType> floats = new ArrayList<>();
        checkSide(file, "input", s.getInputInfo(), ins, inNames, floats, problems, true);
        checkSide(file, "output", s.getOutputInfo(), outs, outNames, floats, problems, false);
        OnnxJavaType floatType = floats.isEmpty() ? null : floats.get(0);
        for (OnnxJavaType t : floats) {
            if (t != floatType) {
                problems.add(file + ": float tensors mix float32 and float16");
                break;
            }
        }
        return new Checked(floatType, Map.copyOf(inNames), Map.copyOf(outNames));
    }

    private static void checkSide(String file, String side, Map<String, NodeInfo> actual, List<Spec> expected,
            Map<String, String> names, List<OnnxJavaType> floats, List<String> problems, boolean strictExtras) {
        Set<String> used = new java.util.HashSet<>();
        for (Spec spec : expected) {
            String actualName = resolve(spec, actual, used);
            if (actualName == null) {
                problems.add(file + ": missing " + side + " '" + spec.name() + "' (" + spec.kind().describe() + " "
                        + spec.shape() + "); it has " + actual.keySet());
                continue;
            }
            used.add(actualName);
            names.put(spec.name(), actualName);
            ValueInfo info = actual.get(actualName).getInfo();
            if (!(info instanceof TensorInfo t)) {
                problems.add(file + ": " + side + " '" + actualName + "' is not a tensor");
                continue;
            }
            if (!spec.kind().accepts(t.type)) {
                problems.add(file + ": " + side + " '" + actualName + "' has element type " + t.type
                        + ", expected " + spec.kind().describe() + " " + spec.shape());
            } else if (spec.kind() == Kind.FLOAT) {
                floats.add(t.type);
            }
            if (t.getShape().length != spec.rank()) {
                problems.add(file + ": " + side + " '" + actualName + "' has rank " + t.getShape().length
                        + ", expected rank " + spec.rank() + " " + spec.shape());
            }
        }
        if (strictExtras) {
            for (String name : actual.keySet()) {
                if (!used.contains(name)) {
                    problems.add(file + ": unexpected " + side + " '" + name + "' (the F5 export has no such " + side + ")");
                }
            }
        }
    }

    private static String resolve(Spec spec, Map<String, NodeInfo> actual, Set<String> used) {
        if (!spec.name().equals(STEP)) {
            return actual.containsKey(spec.name()) ? spec.name() : null;
        }
        if (actual.containsKey(STEP) && !used.contains(STEP)) {
            return STEP;
        }
        for (String name : actual.keySet()) {
            if (name.startsWith(STEP) && !used.contains(name)) {
                return name;
            }
        }
        return null;
    }
}
