package dev.ttsqueue.inference.f5.testmodel;

import static dev.ttsqueue.inference.f5.testmodel.OnnxGraphWriter.FLOAT;
import static dev.ttsqueue.inference.f5.testmodel.OnnxGraphWriter.FLOAT16;
import static dev.ttsqueue.inference.f5.testmodel.OnnxGraphWriter.INT16;
import static dev.ttsqueue.inference.f5.testmodel.OnnxGraphWriter.INT32;
import static dev.ttsqueue.inference.f5.testmodel.OnnxGraphWriter.INT64;
import static dev.ttsqueue.inference.f5.testmodel.OnnxGraphWriter.floatTensorAttr;
import static dev.ttsqueue.inference.f5.testmodel.OnnxGraphWriter.intAttr;
import static dev.ttsqueue.inference.f5.testmodel.OnnxGraphWriter.intsAttr;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes small F5-TTS ONNX model sets with exactly the input/output names, element types and ranks
 * of the public export (see F5-ONNX.md), but tiny arithmetic instead of a trained network:
 *
 * <ul>
 *   <li>{@code F5_Preprocess}: {@code ref_signal_len = audio_len / 256 + 1}; every float output
 *       has {@code D = max_duration} frames and depends on the text ids and the audio; the
 *       {@code noise} output is zeros (the backend replaces it with seeded noise anyway).</li>
 *   <li>{@code F5_Transformer}: {@code time_step + 1}; {@code denoised = noise + g[time_step] (x -
 *       noise)} with {@code x = 0.9 noise + 0.05 tanh(noise W) + 0.1 s}, where {@code s} mixes the
 *       means of all other inputs and the step, so every input shapes the result. {@code g} is the
 *       step-size table the real export bakes in: NFE-1 entries of 1, so step NFE-1 is out of range
 *       (a {@code Gather} error on the CPU, as in the real file); optionally padded with zeros,
 *       which is what the CUDA {@code Gather} reads past the end.</li>
 *   <li>{@code F5_Decode}: drops the first {@code ref_signal_len} frames and turns each remaining
 *       frame into 256 int16 samples of a fixed wave offset by the frame's mean, so the output has
 *       exactly {@code (D - ref_signal_len) * 256} samples and follows the noise (hence the seed).</li>
 * </ul>
 *
 * <p>Run {@link #main} to rewrite the committed set under {@code src/test/resources/f5-test-models};
 * a test regenerates into a temporary folder and compares bytes, so the two cannot drift.
 */
public final class TestModelGenerator {
    /** Sample count per mel frame (the export's hop length). */
    public static final int HOP = 256;

    /** The committed set: fp32 and fp16, default NFE 32 plus a 16-step variant. */
    public static final Dims COMMITTED = new Dims(2, 4, 8, 12, false, 1, true);

    private TestModelGenerator() {
    }

    /**
     * Sizes of a generated model set.
     *
     * @param heads attention heads (16 in the real model)
     * @param headDim head size (64)
     * @param mels mel channels (100)
     * @param condDim width of {@code cat_mel_text} (612)
     * @param fp16 float16 float tensors instead of float32
     * @param layers how many {@code noise W} mixing layers the transformer applies
     * @param stepInputRenamed ONNX forbids one value name for a graph input and a node output, so
     *     the export cannot call both step tensors {@code time_step}; true names the input
     *     {@code time_step.1} and the output {@code time_step} (how the exporter renames a
     *     clashing input), false the other way round; the backend accepts both
     */
    public record Dims(int heads, int headDim, int mels, int condDim, boolean fp16, int layers, boolean stepInputRenamed) {
        public Dims withFp16(boolean v) {
            return new Dims(heads, headDim, mels, condDim, v, layers, stepInputRenamed);
        }

        public Dims withStepInputRenamed(boolean v) {
            return new Dims(heads, headDim, mels, condDim, fp16, layers, v);
        }
    }

    public static void main(String[] args) throws IOException {
        Path root = Path.of(args.length > 0 ? args[0] : "inference/src/test/resources/f5-test-models");
        writeCommittedSet(root);
        System.out.println("wrote " + root.toAbsolutePath());
    }

    /** Writes {@code fp32/} and {@code fp16/} model folders under {@code root}. */
    public static void writeCommittedSet(Path root) throws IOException {
        generate(root.resolve("fp32"), COMMITTED, List.of(16));
        generate(root.resolve("fp16"), COMMITTED.withFp16(true).withStepInputRenamed(false), List.of(16));
    }

    /**
     * Writes one complete model folder: preprocess, transformer (+ one file per extra NFE), decode
     * and vocab.
     */
    public static void generate(Path dir, Dims dims, List<Integer> extraNfe) throws IOException {
        Files.createDirectories(dir);
        Files.write(dir.resolve("F5_Preprocess.onnx"), preprocess(dims, INT16));
        Files.write(dir.resolve("F5_Transformer.onnx"), transformer(dims, DEFAULT_NFE, 0));
        for (int nfe : extraNfe) {
            Files.write(dir.resolve("F5_Transformer_nfe" + nfe + ".onnx"), transformer(dims, nfe, 0));
        }
        Files.write(dir.resolve("F5_Decode.onnx"), decode(dims));
        Files.writeString(dir.resolve("vocab.txt"), vocab(), StandardCharsets.UTF_8);
    }

    /** The preprocess graph; {@code audioType} other than INT16 makes a deliberately wrong model. */
    public static byte[] preprocess(Dims d, int audioType) {
        OnnxGraphWriter g = new OnnxGraphWriter("f5_preprocess");
        int ft = d.fp16() ? FLOAT16 : FLOAT;
        g.input("audio", audioType, 1L, 1L, "audio_len");
        g.input("text_ids", INT32, 1L, "text_len");
        g.input("max_duration", INT64, 1L);

        g.constLongs("c_idx2", new long[] {}, 2);
        g.constLongs("c_hop", new long[] {}, HOP);
        g.constLongs("c_one", new long[] {}, 1);
        g.constLongs("c_zero", new long[] {}, 0);
        g.constLongs("c_axis0", new long[] {1}, 0);
        g.constLongs("c_one_1", new long[] {1}, 1);
        g.constLongs("c_two_heads", new long[] {2}, 2, d.heads());
        g.constLongs("c_mels", new long[] {1}, d.mels());
        g.constLongs("c_cond", new long[] {1}, d.condDim());
        g.constLongs("c_headdim", new long[] {1}, d.headDim());
        g.constLongs("c_shape_line3", new long[] {3}, 1, -1, 1);
        g.constLongs("c_shape_q", new long[] {4}, 1, 1, -1, 1);
        g.constLongs("c_shape_k", new long[] {4}, 1, 1, 1, -1);
        g.constFloats("c_pos_scale", new long[] {}, 0.01f);
        g.constFloats("c_text_scale", new long[] {}, 0.01f);
        g.constFloats("c_audio_scale", new long[] {}, 1f / 32768f);
        g.constFloats("c_half", new long[] {}, 0.5f);

        g.node("Shape", new String[] {"audio"}, new String[] {"audio_shape"});
        g.node("Gather", new String[] {"audio_shape", "c_idx2"}, new String[] {"audio_len"}, intAttr("axis", 0));
        g.node("Div", new String[] {"audio_len", "c_hop"}, new String[] {"frames"});
        g.node("Add", new String[] {"frames", "c_one"}, new String[] {"ref_signal_len"});

        g.node("Squeeze", new String[] {"max_duration", "c_axis0"}, new String[] {"d"});
        g.node("Range", new String[] {"c_zero", "d", "c_one"}, new String[] {"range_i"});
        g.node("Cast", new String[] {"range_i"}, new String[] {"range_f"}, intAttr("to", FLOAT));
        g.node("Mul", new String[] {"range_f", "c_pos_scale"}, new String[] {"pos"});

        g.node("Cast", new String[] {"audio"}, new String[] {"audio_f"}, intAttr("to", FLOAT));
        g.node("ReduceMean", new String[] {"audio_f"}, new String[] {"audio_mean_raw"}, intAttr("keepdims", 0));
        g.node("Mul", new String[] {"audio_mean_raw", "c_audio_scale"}, new String[] {"audio_mean"});
        g.node("Cast", new String[] {"text_ids"}, new String[] {"text_f"}, intAttr("to", FLOAT));
        g.node("ReduceMean", new String[] {"text_f"}, new String[] {"text_mean_raw"}, intAttr("keepdims", 0));
        g.node("Mul", new String[] {"text_mean_raw", "c_text_scale"}, new String[] {"text_mean"});
        g.node("Add", new String[] {"text_mean", "audio_mean"}, new String[] {"feature"});
        g.node("Add", new String[] {"pos", "feature"}, new String[] {"cond_line"});

        g.node("Concat", new String[] {"c_one_1", "max_duration", "c_mels"}, new String[] {"shape_noise"}, intAttr("axis", 0));
        g.node("ConstantOfShape", new String[] {"shape_noise"}, new String[] {"noise_f"}, floatTensorAttr("value", 0f));

        g.node("Concat", new String[] {"c_one_1", "max_duration", "c_cond"}, new String[] {"shape_cond"}, intAttr("axis", 0));
        g.node("Reshape", new String[] {"cond_line", "c_shape_line3"}, new String[] {"cond3"});
        g.node("Expand", new String[] {"cond3", "shape_cond"}, new String[] {"cat_mel_text_f"});
        g.node("Mul", new String[] {"cat_mel_text_f", "c_half"}, new String[] {"cat_mel_text_drop_f"});

        g.node("Cos", new String[] {"pos"}, new String[] {"cos_line"});
        g.node("Sin", new String[] {"pos"}, new String[] {"sin_line"});
        g.node("Concat", new String[] {"c_two_heads", "max_duration", "c_headdim"}, new String[] {"shape_q"}, intAttr("axis", 0));
        g.node("Concat", new String[] {"c_two_heads", "c_headdim", "max_duration"}, new String[] {"shape_k"}, intAttr("axis", 0));
        for (String fn : new String[] {"cos", "sin"}) {
            g.node("Reshape", new String[] {fn + "_line", "c_shape_q"}, new String[] {fn + "_q4"});
            g.node("Expand", new String[] {fn + "_q4", "shape_q"}, new String[] {"rope_" + fn + "_q_f"});
            g.node("Reshape", new String[] {fn + "_line", "c_shape_k"}, new String[] {fn + "_k4"});
            g.node("Expand", new String[] {fn + "_k4", "shape_k"}, new String[] {"rope_" + fn + "_k_f"});
        }
        String[] floatOuts = {"noise", "rope_cos_q", "rope_sin_q", "rope_cos_k", "rope_sin_k", "cat_mel_text", "cat_mel_text_drop"};
        for (String name : floatOuts) {
            g.node("Cast", new String[] {name + "_f"}, new String[] {name}, intAttr("to", ft));
        }
        g.output("noise", ft, 1L, "max_duration", (long) d.mels());
        g.output("rope_cos_q", ft, 2L, (long) d.heads(), "max_duration", (long) d.headDim());
        g.output("rope_sin_q", ft, 2L, (long) d.heads(), "max_duration", (long) d.headDim());
        g.output("rope_cos_k", ft, 2L, (long) d.heads(), (long) d.headDim(), "max_duration");
        g.output("rope_sin_k", ft, 2L, (long) d.heads(), (long) d.headDim(), "max_duration");
        g.output("cat_mel_text", ft, 1L, "max_duration", (long) d.condDim());
        g.output("cat_mel_text_drop", ft, 1L, "max_duration", (long) d.condDim());
        g.output("ref_signal_len", INT64);
        return g.toBytes();
    }

    /** The NFE of {@code F5_Transformer.onnx} in generated sets (the export's default). */
    public static final int DEFAULT_NFE = 32;

    /**
     * The transformer graph: one "Euler step" that uses every input and advances {@code time_step},
     * exported for {@code nfe} steps.
     *
     * @param zeroPadding zeros after the NFE-1 step sizes (0 for a table that ends where the real one does)
     */
    public static byte[] transformer(Dims d, int nfe, int zeroPadding) {
        OnnxGraphWriter g = new OnnxGraphWriter("f5_transformer");
        int ft = d.fp16() ? FLOAT16 : FLOAT;
        String[] floats = {"noise", "rope_cos_q", "rope_sin_q", "rope_cos_k", "rope_sin_k", "cat_mel_text", "cat_mel_text_drop"};
        g.input("noise", ft, 1L, "max_duration", (long) d.mels());
        g.input("rope_cos_q", ft, 2L, (long) d.heads(), "max_duration", (long) d.headDim());
        g.input("rope_sin_q", ft, 2L, (long) d.heads(), "max_duration", (long) d.headDim());
        g.input("rope_cos_k", ft, 2L, (long) d.heads(), (long) d.headDim(), "max_duration");
        g.input("rope_sin_k", ft, 2L, (long) d.heads(), (long) d.headDim(), "max_duration");
        g.input("cat_mel_text", ft, 1L, "max_duration", (long) d.condDim());
        g.input("cat_mel_text_drop", ft, 1L, "max_duration", (long) d.condDim());
        String stepIn = d.stepInputRenamed() ? "time_step.1" : "time_step";
        String stepOut = d.stepInputRenamed() ? "time_step" : "time_step.1";
        g.input(stepIn, INT32, 1L);

        float[] w = new float[d.mels() * d.mels()];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (0.2 * Math.sin(0.7 * i + 0.3));
        }
        g.constFloats("c_w", new long[] {d.mels(), d.mels()}, w);
        g.constInts("c_step_one", new long[] {1}, 1);
        g.constFloats("c_keep", new long[] {}, 0.9f);
        g.constFloats("c_mix", new long[] {}, 0.05f);
        g.constFloats("c_drift", new long[] {}, 0.1f);
        g.constFloats("c_drop_w", new long[] {}, 0.5f);
        g.constFloats("c_rope_w", new long[] {}, 0.1f);
        g.constFloats("c_step_w", new long[] {}, 0.01f);
        float[] gains = new float[nfe - 1 + zeroPadding];
        java.util.Arrays.fill(gains, 0, nfe - 1, 1f);
        g.constFloats("c_gain", new long[] {gains.length}, gains);

        for (String name : floats) {
            g.node("Cast", new String[] {name}, new String[] {name + "_f"}, intAttr("to", FLOAT));
            g.node("ReduceMean", new String[] {name + "_f"}, new String[] {name + "_mean"}, intAttr("keepdims", 0));
        }
        g.node("Add", new String[] {"rope_cos_q_mean", "rope_sin_q_mean"}, new String[] {"rope_q"});
        g.node("Add", new String[] {"rope_cos_k_mean", "rope_sin_k_mean"}, new String[] {"rope_k"});
        g.node("Add", new String[] {"rope_q", "rope_k"}, new String[] {"rope_sum"});
        g.node("Mul", new String[] {"rope_sum", "c_rope_w"}, new String[] {"rope_part"});
        g.node("Mul", new String[] {"cat_mel_text_drop_mean", "c_drop_w"}, new String[] {"drop_part"});
        g.node("Add", new String[] {"cat_mel_text_mean", "drop_part"}, new String[] {"cond_part"});
        g.node("Cast", new String[] {stepIn}, new String[] {"step_f"}, intAttr("to", FLOAT));
        g.node("Mul", new String[] {"step_f", "c_step_w"}, new String[] {"step_part"});
        g.node("Add", new String[] {"cond_part", "rope_part"}, new String[] {"s0"});
        g.node("Add", new String[] {"s0", "step_part"}, new String[] {"s"});
        g.node("Mul", new String[] {"s", "c_drift"}, new String[] {"drift"});

        String x = "noise_f";
        for (int l = 0; l < d.layers(); l++) {
            g.node("MatMul", new String[] {x, "c_w"}, new String[] {"mm" + l});
            g.node("Tanh", new String[] {"mm" + l}, new String[] {"act" + l});
            g.node("Mul", new String[] {"act" + l, "c_mix"}, new String[] {"mix" + l});
            g.node("Mul", new String[] {x, "c_keep"}, new String[] {"kept" + l});
            g.node("Add", new String[] {"kept" + l, "mix" + l}, new String[] {"x" + (l + 1)});
            x = "x" + (l + 1);
        }
        g.node("Add", new String[] {x, "drift"}, new String[] {"stepped"});
        g.node("Gather", new String[] {"c_gain", stepIn}, new String[] {"gain"}, intAttr("axis", 0));
        g.node("Sub", new String[] {"stepped", "noise_f"}, new String[] {"update"});
        g.node("Mul", new String[] {"update", "gain"}, new String[] {"scaled_update"});
        g.node("Add", new String[] {"noise_f", "scaled_update"}, new String[] {"denoised_f"});
        g.node("Cast", new String[] {"denoised_f"}, new String[] {"denoised"}, intAttr("to", ft));
        g.node("Add", new String[] {stepIn, "c_step_one"}, new String[] {stepOut});
        g.output("denoised", ft, 1L, "max_duration", (long) d.mels());
        g.output(stepOut, INT32, 1L);
        return g.toBytes();
    }

    /** The decode graph: {@code (D - ref_signal_len) * 256} int16 samples. */
    public static byte[] decode(Dims d) {
        OnnxGraphWriter g = new OnnxGraphWriter("f5_decode");
        int ft = d.fp16() ? FLOAT16 : FLOAT;
        g.input("denoised", ft, 1L, "max_duration", (long) d.mels());
        g.input("ref_signal_len", INT64);

        float[] wave = new float[HOP];
        for (int s = 0; s < HOP; s++) {
            wave[s] = (float) (0.3 * Math.sin(2 * Math.PI * 4 * s / HOP));
        }
        g.constFloats("c_wave", new long[] {1, 1, HOP}, wave);
        g.constLongs("c_shape1", new long[] {1}, 1);
        g.constLongs("c_end", new long[] {1}, Long.MAX_VALUE);
        g.constLongs("c_axis1", new long[] {1}, 1);
        g.constLongs("c_out_shape", new long[] {3}, 1, 1, -1);
        g.constFloats("c_amp", new long[] {}, 0.5f * 32767f);

        g.node("Cast", new String[] {"denoised"}, new String[] {"x"}, intAttr("to", FLOAT));
        g.node("Reshape", new String[] {"ref_signal_len", "c_shape1"}, new String[] {"start"});
        g.node("Slice", new String[] {"x", "start", "c_end", "c_axis1"}, new String[] {"generated"});
        g.node("ReduceMean", new String[] {"generated"}, new String[] {"frame_mean"}, intsAttr("axes", 2), intAttr("keepdims", 1));
        g.node("Add", new String[] {"frame_mean", "c_wave"}, new String[] {"shaped"});
        g.node("Tanh", new String[] {"shaped"}, new String[] {"bounded"});
        g.node("Mul", new String[] {"bounded", "c_amp"}, new String[] {"scaled"});
        g.node("Cast", new String[] {"scaled"}, new String[] {"pcm"}, intAttr("to", INT16));
        g.node("Reshape", new String[] {"pcm", "c_out_shape"}, new String[] {"output_audio"});
        g.output("output_audio", INT16, 1L, 1L, "generated_len");
        return g.toBytes();
    }

    /**
     * A small vocabulary in the real file's layout: line 0 is a single space, then punctuation,
     * Latin letters, digits and a few tone-numbered pinyin syllables.
     */
    public static String vocab() {
        List<String> tokens = new ArrayList<>();
        tokens.add(" ");
        for (char c : "!\"',-.:;?".toCharArray()) {
            tokens.add(String.valueOf(c));
        }
        for (char c = 'A'; c <= 'Z'; c++) {
            tokens.add(String.valueOf(c));
        }
        for (char c = 'a'; c <= 'z'; c++) {
            tokens.add(String.valueOf(c));
        }
        for (char c = '0'; c <= '9'; c++) {
            tokens.add(String.valueOf(c));
        }
        tokens.addAll(List.of("ni3", "ni2", "hao3", "zhong1", "wen2", "shi4", "jie4", "。", "，"));
        StringBuilder sb = new StringBuilder();
        for (String t : tokens) {
            sb.append(t).append('\n');
        }
        return sb.toString();
    }
}
