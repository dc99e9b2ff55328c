package dev.ttsqueue.inference.whisper.internal;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.ttsqueue.inference.f5.ExecutionProvider;
import dev.ttsqueue.inference.internal.OrtSessionFactory;
import dev.ttsqueue.inference.whisper.WhisperModelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The two ONNX sessions of a Whisper export in the layout Hugging Face Optimum writes for
 * transformers.js ({@code onnx/encoder_model.onnx} and {@code onnx/decoder_model_merged.onnx}),
 * opened once and checked against that layout:
 *
 * <ul>
 *   <li>encoder: in {@code input_features} float {@code [batch, mels, 3000]}; out
 *       {@code last_hidden_state} float {@code [batch, 1500, d_model]};</li>
 *   <li>merged decoder: in {@code input_ids} int64 {@code [batch, seq]}, {@code encoder_hidden_states}
 *       float {@code [batch, 1500, d_model]}, per layer i {@code past_key_values.i.decoder.key/value}
 *       and {@code past_key_values.i.encoder.key/value} float {@code [batch, heads, len, head_dim]},
 *       {@code use_cache_branch} bool {@code [1]}; out {@code logits} float {@code [batch, seq, vocab]}
 *       and {@code present.i.decoder.key/value}, {@code present.i.encoder.key/value} (further
 *       outputs, such as the attention maps some exports add, are ignored).</li>
 * </ul>
 *
 * Float tensors may be float32 or float16 (the {@code _fp16} files) but must agree within a file.
 */
public final class WhisperSessions implements AutoCloseable {
    public static final String ENCODER = "encoder_model";
    public static final String DECODER = "decoder_model_merged";

    private final OrtSessionFactory factory;
    private final OrtSession encoder;
    private final OrtSession decoder;
    private final int layers;
    private final int heads;
    private final int headDim;
    private final OnnxJavaType encoderFloat;
    private final OnnxJavaType decoderFloat;
    private final String device;

    private WhisperSessions(OrtSessionFactory factory, OrtSession encoder, OrtSession decoder, int layers, int heads,
            int headDim, OnnxJavaType encoderFloat, OnnxJavaType decoderFloat, String device) {
        this.factory = factory;
        this.encoder = encoder;
        this.decoder = decoder;
        this.layers = layers;
        this.heads = heads;
        this.headDim = headDim;
        this.encoderFloat = encoderFloat;
        this.decoderFloat = decoderFloat;
        this.device = device;
    }

    /** Where a model file of the export lives: {@code onnx/NAME.onnx}, else {@code NAME.onnx} beside the configs. */
    public static Path modelFile(Path dir, String name, String variant) {
        String file = name + (variant == null || variant.isEmpty() ? "" : "_" + variant) + ".onnx";
        Path inOnnx = dir.resolve("onnx").resolve(file);
        return Files.isRegularFile(inOnnx) || !Files.isRegularFile(dir.resolve(file)) ? inOnnx : dir.resolve(file);
    }

    /**
     * Opens and checks both models.
     *
     * @throws WhisperModelException listing missing files and every mismatch with the layout, or
     *     when CUDA was required and cannot start
     */
    public static WhisperSessions open(Path dir, String variant, WhisperConfig config, OrtSessionFactory factory,
            ExecutionProvider provider, int deviceId) {
        Path encoderFile = modelFile(dir, ENCODER, variant);
        Path decoderFile = modelFile(dir, DECODER, variant);
        List<String> missing = new ArrayList<>();
        for (Path p : List.of(encoderFile, decoderFile)) {
            if (!Files.isRegularFile(p)) {
                missing.add(dir.relativize(p).toString());
            }
        }
        if (!missing.isEmpty()) {
            throw new WhisperModelException("Whisper model folder " + dir + " lacks " + String.join(", ", missing)
                    + " (the transformers.js layout: onnx/" + ENCODER + ".onnx and onnx/" + DECODER + ".onnx)");
        }
        List<OrtSession> opened = new ArrayList<>();
        try {
            OrtSession enc;
            OrtSession dec;
            String device = "CPU";
            if (provider == ExecutionProvider.CPU) {
                enc = factory.onCpu(encoderFile, opened);
                dec = factory.onCpu(decoderFile, opened);
            } else {
                OrtSessionFactory.Placed e = factory.onCuda(encoderFile, deviceId, provider == ExecutionProvider.CUDA,
                        "the Whisper transcriber", opened);
                enc = e.session();
                device = e.device();
                // CUDA is tried once: when the encoder could not use it, neither can the decoder
                dec = e.onCuda() ? factory.onCuda(decoderFile, deviceId, true, "the Whisper transcriber", opened).session()
                        : factory.onCpu(decoderFile, opened);
            }
            List<String> problems = new ArrayList<>();
            String encName = encoderFile.getFileName().toString();
            String decName = decoderFile.getFileName().toString();
            Map<String, NodeInfo> encIn = enc.getInputInfo();
            Map<String, NodeInfo> encOut = enc.getOutputInfo();
            exactInputs(encName, encIn.keySet(), Set.of("input_features"), problems);
            OnnxJavaType encFloat = floatTensor(encName, "input", encIn, "input_features", 3, problems);
            OnnxJavaType hiddenFloat = floatTensor(encName, "output", encOut, "last_hidden_state", 3, problems);
            long mels = dim(encIn, "input_features", 1);
            if (mels > 0 && mels != config.melBins()) {
                problems.add(encName + ": input_features has " + mels + " mel bins but config.json says num_mel_bins = " + config.melBins());
            }

            Map<String, NodeInfo> decIn = dec.getInputInfo();
            Map<String, NodeInfo> decOut = dec.getOutputInfo();
            Set<String> expectedIn = new HashSet<>(List.of("input_ids", "encoder_hidden_states", "use_cache_branch"));
            for (int i = 0; i < config.decoderLayers(); i++) {
                for (String kind : List.of("decoder", "encoder")) {
                    for (String kv : List.of("key", "value")) {
                        expectedIn.add(pastName(i, kind, kv));
                    }
                }
            }
            exactInputs(decName, decIn.keySet(), expectedIn, problems);
            tensor(decName, "input", decIn, "input_ids", OnnxJavaType.INT64, 2, problems);
            tensor(decName, "input", decIn, "use_cache_branch", OnnxJavaType.BOOL, 1, problems);
            OnnxJavaType decFloat = floatTensor(decName, "input", decIn, "encoder_hidden_states", 3, problems);
            floatTensor(decName, "output", decOut, "logits", 3, problems);
            if (hiddenFloat != null && decFloat != null && hiddenFloat != decFloat) {
                problems.add(encName + " puts out " + hiddenFloat + " but " + decName + " takes " + decFloat
                        + " encoder_hidden_states; both files must come from the same export variant");
            }
            for (int i = 0; i < config.decoderLayers(); i++) {
                for (String kind : List.of("decoder", "encoder")) {
                    for (String kv : List.of("key", "value")) {
                        sameFloat(decName, decFloat, floatTensor(decName, "input", decIn, pastName(i, kind, kv), 4, problems), problems);
                        sameFloat(decName, decFloat, floatTensor(decName, "output", decOut, presentName(i, kind, kv), 4, problems), problems);
                    }
                }
            }
            int heads = (int) dim(decIn, pastName(0, "decoder", "key"), 1);
            int headDim = (int) dim(decIn, pastName(0, "decoder", "key"), 3);
            if (problems.isEmpty() && (heads <= 0 || headDim <= 0)) {
                problems.add(decName + ": the attention heads and head size of " + pastName(0, "decoder", "key")
                        + " are not fixed in the model ([batch, heads, len, head_dim] expected with fixed heads and head_dim)");
            }
            if (!problems.isEmpty()) {
                throw new WhisperModelException("Whisper model folder " + dir + " does not match the transformers.js export layout:\n  - "
                        + String.join("\n  - ", problems));
            }
            return new WhisperSessions(factory, enc, dec, config.decoderLayers(), heads, headDim, encFloat, decFloat, device);
        } catch (OrtException e) {
            OrtSessionFactory.closeAll(opened);
            throw new WhisperModelException("Cannot load the Whisper models in " + dir + ": " + e.getMessage(), e);
        } catch (OrtSessionFactory.CudaUnavailableException e) {
            OrtSessionFactory.closeAll(opened);
            throw new WhisperModelException(e.getMessage(), e.getCause());
        } catch (RuntimeException e) {
            OrtSessionFactory.closeAll(opened);
            throw e;
        }
    }

    public static String pastName(int layer, String kind, String kv) {
        return "past_key_values." + layer + "." + kind + "." + kv;
    }

    public static String presentName(int layer, String kind, String kv) {
        return "present." + layer + "." + kind + "." + kv;
    }

    private static void exactInputs(String file, Set<String> actual, Set<String> expected, List<String> problems) {
        for (String name : expected) {
            if (!actual.contains(name)) {
                problems.add(file + ": missing input '" + name + "'");
            }
        }
        for (String name : actual) {
            if (!expected.contains(name)) {
                problems.add(file + ": unexpected input '" + name + "' (the export has no such input)");
            }
        }
    }

    private static OnnxJavaType floatTensor(String file, String side, Map<String, NodeInfo> infos, String name, int rank,
            List<String> problems) {
        TensorInfo t = tensorInfo(file, side, infos, name, problems);
        if (t == null) {
            return null;
        }
        if (t.type != OnnxJavaType.FLOAT && t.type != OnnxJavaType.FLOAT16) {
            problems.add(file + ": " + side + " '" + name + "' has element type " + t.type + ", expected float32 or float16");
        }
        rank(file, side, t, name, rank, problems);
        return t.type;
    }

    private static void tensor(String file, String side, Map<String, NodeInfo> infos, String name, OnnxJavaType type,
            int rank, List<String> problems) {
        TensorInfo t = tensorInfo(file, side, infos, name, problems);
        if (t == null) {
            return;
        }
        if (t.type != type) {
            problems.add(file + ": " + side + " '" + name + "' has element type " + t.type + ", expected " + type);
        }
        rank(file, side, t, name, rank, problems);
    }

    private static TensorInfo tensorInfo(String file, String side, Map<String, NodeInfo> infos, String name, List<String> problems) {
        NodeInfo n = infos.get(name);
        if (n == null) {
            if (side.equals("output")) {
                problems.add(file + ": missing output '" + name + "'");
            }
            return null;
        }
        if (!(n.getInfo() instanceof TensorInfo t)) {
            problems.add(file + ": " + side + " '" + name + "' is not a tensor");
            return null;
        }
        return t;
    }

    private static void rank(String file, String side, TensorInfo t, String name, int rank, List<String> problems) {
        if (t.getShape().length != rank) {
            problems.add(file + ": " + side + " '" + name + "' has rank " + t.getShape().length + ", expected " + rank);
        }
    }

    private static void sameFloat(String file, OnnxJavaType expected, OnnxJavaType actual, List<String> problems) {
        if (expected != null && actual != null && expected != actual && !problems.contains(file + ": float tensors mix float32 and float16")) {
            problems.add(file + ": float tensors mix float32 and float16");
        }
    }

    private static long dim(Map<String, NodeInfo> infos, String name, int axis) {
        NodeInfo n = infos.get(name);
        if (n == null || !(n.getInfo() instanceof TensorInfo t) || t.getShape().length <= axis) {
            return -1;
        }
        return t.getShape()[axis];
    }

    public OrtSessionFactory factory() {
        return factory;
    }

    public OrtSession encoder() {
        return encoder;
    }

    public OrtSession decoder() {
        return decoder;
    }

    public int layers() {
        return layers;
    }

    public int heads() {
        return heads;
    }

    public int headDim() {
        return headDim;
    }

    /** Float type of the encoder's input (its output shares it). */
    public OnnxJavaType encoderFloat() {
        return encoderFloat;
    }

    /** Float type of the decoder's float inputs and outputs. */
    public OnnxJavaType decoderFloat() {
        return decoderFloat;
    }

    /** {@code CUDA:n} or {@code CPU}. */
    public String device() {
        return device;
    }

    @Override
    public void close() {
        OrtSessionFactory.closeAll(List.of(encoder, decoder));
    }
}
