package dev.ttsqueue.inference.whisper.testmodel;

import static dev.ttsqueue.inference.f5.testmodel.OnnxGraphWriter.BOOL;
import static dev.ttsqueue.inference.f5.testmodel.OnnxGraphWriter.FLOAT;
import static dev.ttsqueue.inference.f5.testmodel.OnnxGraphWriter.INT64;
import static dev.ttsqueue.inference.f5.testmodel.OnnxGraphWriter.graphAttr;
import static dev.ttsqueue.inference.f5.testmodel.OnnxGraphWriter.intAttr;
import static dev.ttsqueue.inference.f5.testmodel.OnnxGraphWriter.intsAttr;

import dev.ttsqueue.inference.f5.testmodel.OnnxGraphWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Makes a small Whisper export in the transformers.js layout, with exactly the names, element
 * types and ranks of {@code onnx/encoder_model.onnx} and {@code onnx/decoder_model_merged.onnx}
 * (the decoder's two branches joined by an {@code If} on {@code use_cache_branch}, as Optimum
 * merges them), the real 80 x 3000 features, 1500 encoder frames, the multilingual vocabulary size
 * and special-token ids, but tiny arithmetic (2 layers, 2 heads of 2) whose output can be worked out
 * by hand:
 *
 * <ul>
 *   <li>encoder: each of the 1500 output frames is the mean of two feature frames over all mel bins,
 *       repeated in its 4 channels; so the mean of the whole output is the mean of the features;</li>
 *   <li>decoder: {@code present.i.decoder.*} = past + one row per new token; {@code count} = the
 *       length of that cache (tokens seen so far); {@code m} = the mean of the encoder states (no-cache
 *       branch) or of {@code past_key_values.0.encoder.key} (cache branch, whose
 *       {@code present.i.encoder.*} outputs are -5 everywhere: callers must keep the first call's);
 *       the logits of every position peak at one {@code target}: {@code <|de|>} (50261) when
 *       count = 1, else {@code base + count - 4} while count - 4 &lt; 3, then
 *       {@code <|endoftext|>}, where {@code base} = 110 when m &gt; -1 and 100 otherwise.
 *       logit(v) = -|v - target| - 0.5 [v &gt; target], so the runner-up is {@code target - 1}.</li>
 * </ul>
 *
 * So after the forced start (4 tokens) the greedy search produces {@code base, base+1, base+2}:
 * "The quick fox" for audible input (all features above -1), "Hello world." for silence
 * (features exactly -1.5); without a language it detects {@code de}.
 */
public final class WhisperTestModelGenerator {
    public static final int MELS = 80;
    public static final int FRAMES = 3000;
    public static final int ENC_FRAMES = 1500;
    public static final int D_MODEL = 4;
    public static final int HEADS = 2;
    public static final int HEAD_DIM = 2;
    public static final int LAYERS = 2;
    public static final int VOCAB = 51_865;
    public static final int EOT = 50_257;
    public static final int LANG_DE = 50_261;
    public static final int TEXT_TOKENS = 3;

    private WhisperTestModelGenerator() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "inference/src/test/resources/whisper-test-model");
        generate(dir);
        System.out.println("wrote " + dir.toAbsolutePath());
    }

    /** Writes the whole folder: configs, tokenizer and the two models under {@code onnx/}. */
    public static void generate(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("onnx"));
        Files.write(dir.resolve("onnx/encoder_model.onnx"), encoder());
        Files.write(dir.resolve("onnx/decoder_model_merged.onnx"), decoder());
        Files.writeString(dir.resolve("config.json"), config(), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("generation_config.json"), generationConfig("[1, 2, 7]", "[220, 50257]"), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("tokenizer.json"), tokenizerJson(), StandardCharsets.UTF_8);
    }

    public static byte[] encoder() {
        OnnxGraphWriter g = new OnnxGraphWriter("whisper_encoder");
        g.input("input_features", FLOAT, "batch_size", (long) MELS, (long) FRAMES);
        g.constLongs("c_pairs", new long[] {3}, -1, ENC_FRAMES, 2);
        g.constFloats("c_channels", new long[] {1, 1, D_MODEL}, 1f, 1f, 1f, 1f);
        g.node("ReduceMean", new String[] {"input_features"}, new String[] {"frame_means"}, intsAttr("axes", 1), intAttr("keepdims", 0));
        g.node("Reshape", new String[] {"frame_means", "c_pairs"}, new String[] {"pairs"});
        g.node("ReduceMean", new String[] {"pairs"}, new String[] {"pair_means"}, intsAttr("axes", 2), intAttr("keepdims", 1));
        g.node("Mul", new String[] {"pair_means", "c_channels"}, new String[] {"last_hidden_state"});
        g.output("last_hidden_state", FLOAT, "batch_size", (long) ENC_FRAMES, (long) D_MODEL);
        return g.toBytes();
    }

    private static String past(int layer, String kind, String kv) {
        return "past_key_values." + layer + "." + kind + "." + kv;
    }

    private static String present(int layer, String kind, String kv) {
        return "present." + layer + "." + kind + "." + kv;
    }

    public static byte[] decoder() {
        OnnxGraphWriter g = new OnnxGraphWriter("whisper_decoder_merged");
        g.input("input_ids", INT64, "batch_size", "decoder_sequence_length");
        g.input("encoder_hidden_states", FLOAT, "batch_size", "encoder_sequence_length / 2", (long) D_MODEL);
        for (int i = 0; i < LAYERS; i++) {
            for (String kv : new String[] {"key", "value"}) {
                g.input(past(i, "decoder", kv), FLOAT, "batch_size", (long) HEADS, "past_decoder_sequence_length", (long) HEAD_DIM);
                g.input(past(i, "encoder", kv), FLOAT, "batch_size", (long) HEADS, "encoder_sequence_length_out", (long) HEAD_DIM);
            }
        }
        g.input("use_cache_branch", BOOL, 1L);

        g.constFloats("c_kv_ones", new long[] {1, HEADS, 1, HEAD_DIM}, 1f, 1f, 1f, 1f);
        g.constLongs("c_axes13", new long[] {2}, 1, 3);
        g.constLongs("c_idx2", new long[] {}, 2);
        g.constLongs("c_enc_split", new long[] {4}, -1, ENC_FRAMES, HEADS, HEAD_DIM);
        g.constFloats("c_zero", new long[] {}, 0f);
        g.constFloats("c_minus5", new long[] {}, -5f);
        g.constFloats("c_one", new long[] {}, 1f);
        g.constFloats("c_four", new long[] {}, 4f);
        g.constFloats("c_minus1", new long[] {}, -1f);
        g.constFloats("c_ten", new long[] {}, 10f);
        g.constFloats("c_hundred", new long[] {}, 100f);
        g.constFloats("c_text_len", new long[] {}, TEXT_TOKENS);
        g.constFloats("c_eot", new long[] {}, EOT);
        g.constFloats("c_lang", new long[] {}, LANG_DE);
        g.constFloats("c_half", new long[] {}, 0.5f);
        g.constFloats("c_vocab", new long[] {}, VOCAB);
        g.constLongs("c_vocab_1", new long[] {1}, VOCAB);

        // the decoder's own cache: one row per new token, whatever the branch
        g.node("Cast", new String[] {"input_ids"}, new String[] {"ids_f"}, intAttr("to", FLOAT));
        g.node("Unsqueeze", new String[] {"ids_f", "c_axes13"}, new String[] {"ids_4d"});
        g.node("Mul", new String[] {"ids_4d", "c_kv_ones"}, new String[] {"new_kv"});
        for (int i = 0; i < LAYERS; i++) {
            for (String kv : new String[] {"key", "value"}) {
                g.node("Concat", new String[] {past(i, "decoder", kv), "new_kv"}, new String[] {present(i, "decoder", kv)}, intAttr("axis", 2));
            }
        }
        g.node("Shape", new String[] {present(0, "decoder", "key")}, new String[] {"cache_shape"});
        g.node("Gather", new String[] {"cache_shape", "c_idx2"}, new String[] {"count_i"}, intAttr("axis", 0));
        g.node("Cast", new String[] {"count_i"}, new String[] {"count"}, intAttr("to", FLOAT));

        // with cache: the mean comes from the cross-attention cache passed in; presents are junk
        OnnxGraphWriter withCache = new OnnxGraphWriter("with_cache");
        withCache.node("ReduceMean", new String[] {past(0, "encoder", "key")}, new String[] {"wc_mean"}, intAttr("keepdims", 0));
        withCache.output("wc_mean", FLOAT);
        // without cache: the cross-attention cache is computed from the encoder states
        OnnxGraphWriter noCache = new OnnxGraphWriter("without_cache");
        noCache.node("ReduceMean", new String[] {"encoder_hidden_states"}, new String[] {"nc_mean"}, intAttr("keepdims", 0));
        noCache.node("Reshape", new String[] {"encoder_hidden_states", "c_enc_split"}, new String[] {"nc_split"});
        noCache.node("Transpose", new String[] {"nc_split"}, new String[] {"nc_kv"}, intsAttr("perm", 0, 2, 1, 3));
        noCache.output("nc_mean", FLOAT);
        String[] ifOutputs = new String[1 + 2 * LAYERS];
        ifOutputs[0] = "enc_mean";
        int o = 1;
        for (int i = 0; i < LAYERS; i++) {
            for (String kv : new String[] {"key", "value"}) {
                String wc = "wc_" + i + "_" + kv;
                String zeroed = "wc_zeroed_" + i + "_" + kv;
                withCache.node("Mul", new String[] {past(i, "encoder", kv), "c_zero"}, new String[] {zeroed});
                withCache.node("Add", new String[] {zeroed, "c_minus5"}, new String[] {wc});
                withCache.output(wc, FLOAT, "batch_size", (long) HEADS, "encoder_sequence_length_out", (long) HEAD_DIM);
                String nc = "nc_" + i + "_" + kv;
                noCache.node("Identity", new String[] {"nc_kv"}, new String[] {nc});
                noCache.output(nc, FLOAT, "batch_size", (long) HEADS, "encoder_sequence_length_out", (long) HEAD_DIM);
                ifOutputs[o++] = present(i, "encoder", kv);
            }
        }
        g.node("If", new String[] {"use_cache_branch"}, ifOutputs, graphAttr("then_branch", withCache), graphAttr("else_branch", noCache));

        g.node("Greater", new String[] {"enc_mean", "c_minus1"}, new String[] {"audible"});
        g.node("Cast", new String[] {"audible"}, new String[] {"audible_f"}, intAttr("to", FLOAT));
        g.node("Mul", new String[] {"audible_f", "c_ten"}, new String[] {"base_shift"});
        g.node("Add", new String[] {"c_hundred", "base_shift"}, new String[] {"base"});
        g.node("Sub", new String[] {"count", "c_four"}, new String[] {"text_index"});
        g.node("Add", new String[] {"base", "text_index"}, new String[] {"text_target"});
        g.node("GreaterOrEqual", new String[] {"text_index", "c_text_len"}, new String[] {"done"});
        g.node("Where", new String[] {"done", "c_eot", "text_target"}, new String[] {"after_start"});
        g.node("Equal", new String[] {"count", "c_one"}, new String[] {"at_start"});
        g.node("Where", new String[] {"at_start", "c_lang", "after_start"}, new String[] {"target"});

        g.node("Range", new String[] {"c_zero", "c_vocab", "c_one"}, new String[] {"ids_range"});
        g.node("Sub", new String[] {"ids_range", "target"}, new String[] {"distance"});
        g.node("Abs", new String[] {"distance"}, new String[] {"abs_distance"});
        g.node("Neg", new String[] {"abs_distance"}, new String[] {"closeness"});
        g.node("Greater", new String[] {"distance", "c_zero"}, new String[] {"above"});
        g.node("Cast", new String[] {"above"}, new String[] {"above_f"}, intAttr("to", FLOAT));
        g.node("Mul", new String[] {"above_f", "c_half"}, new String[] {"above_penalty"});
        g.node("Sub", new String[] {"closeness", "above_penalty"}, new String[] {"row"});
        g.node("Shape", new String[] {"input_ids"}, new String[] {"ids_shape"});
        g.node("Concat", new String[] {"ids_shape", "c_vocab_1"}, new String[] {"logits_shape"}, intAttr("axis", 0));
        g.node("Expand", new String[] {"row", "logits_shape"}, new String[] {"logits"});

        g.output("logits", FLOAT, "batch_size", "decoder_sequence_length", (long) VOCAB);
        for (int i = 0; i < LAYERS; i++) {
            for (String kv : new String[] {"key", "value"}) {
                g.output(present(i, "decoder", kv), FLOAT, "batch_size", (long) HEADS, "past_decoder_sequence_length + 1", (long) HEAD_DIM);
                g.output(present(i, "encoder", kv), FLOAT, "batch_size", (long) HEADS, "encoder_sequence_length_out", (long) HEAD_DIM);
            }
        }
        return g.toBytes();
    }

    public static String config() {
        return "{\n  \"architectures\": [\"WhisperForConditionalGeneration\"],\n  \"d_model\": " + D_MODEL
                + ",\n  \"decoder_attention_heads\": " + HEADS + ",\n  \"decoder_layers\": " + LAYERS
                + ",\n  \"max_target_positions\": 448,\n  \"model_type\": \"whisper\",\n  \"num_mel_bins\": " + MELS
                + ",\n  \"vocab_size\": " + VOCAB + "\n}\n";
    }

    public static String generationConfig(String suppress, String beginSuppress) {
        return "{\n  \"begin_suppress_tokens\": " + beginSuppress + ",\n  \"decoder_start_token_id\": 50258,\n"
                + "  \"eos_token_id\": 50257,\n  \"is_multilingual\": true,\n  \"no_timestamps_token_id\": 50363,\n"
                + "  \"suppress_tokens\": " + suppress + "\n}\n";
    }

    /** A tokenizer.json in the Hugging Face layout: a BPE model vocabulary plus the special tokens. */
    public static String tokenizerJson() {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        vocab.put("!", 0);
        vocab.put("\"", 1);
        vocab.put("#", 2);
        vocab.put("\u0120Hello", 100);
        vocab.put("\u0120world", 101);
        vocab.put(".", 102);
        vocab.put("\u0120caf", 103);
        vocab.put("\u00C3\u00A9", 104); // the two bytes of "é" in byte-level characters
        vocab.put("\u0120A", 109);
        vocab.put("\u0120The", 110);
        vocab.put("\u0120quick", 111);
        vocab.put("\u0120fox", 112);
        vocab.put("\u0120jumps", 113);
        vocab.put("\u0120", 220);
        Map<String, Integer> added = new LinkedHashMap<>();
        added.put("<|endoftext|>", 50_257);
        added.put("<|startoftranscript|>", 50_258);
        added.put("<|en|>", 50_259);
        added.put("<|zh|>", 50_260);
        added.put("<|de|>", 50_261);
        added.put("<|es|>", 50_262);
        added.put("<|translate|>", 50_358);
        added.put("<|transcribe|>", 50_359);
        added.put("<|startoflm|>", 50_360);
        added.put("<|startofprev|>", 50_361);
        added.put("<|nocaptions|>", 50_362);
        added.put("<|notimestamps|>", 50_363);
        added.put("<|0.00|>", 50_364);
        StringBuilder sb = new StringBuilder("{\n  \"version\": \"1.0\",\n  \"added_tokens\": [\n");
        int n = 0;
        for (Map.Entry<String, Integer> e : added.entrySet()) {
            sb.append("    {\"id\": ").append(e.getValue()).append(", \"content\": \"").append(e.getKey())
                    .append("\", \"single_word\": false, \"lstrip\": false, \"rstrip\": false, \"normalized\": false, \"special\": true}")
                    .append(++n < added.size() ? ",\n" : "\n");
        }
        sb.append("  ],\n  \"model\": {\n    \"type\": \"BPE\",\n    \"vocab\": {");
        n = 0;
        for (Map.Entry<String, Integer> e : vocab.entrySet()) {
            sb.append(n++ == 0 ? "" : ", ").append('"').append(jsonEscape(e.getKey())).append("\": ").append(e.getValue());
        }
        sb.append("},\n    \"merges\": [\"\\u0120 t\", \"h e\"]\n  }\n}\n");
        return sb.toString();
    }

    private static String jsonEscape(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c > 0x7e) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
