package dev.ttsqueue.inference.f5.internal;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.ttsqueue.inference.f5.ExecutionProvider;
import dev.ttsqueue.inference.f5.F5ModelException;
import dev.ttsqueue.inference.internal.OrtSessionFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The ONNX sessions of one F5 model directory, created once and closed together: one transformer
 * session per exported NFE on the chosen provider, preprocess and decode on the CPU (or on CUDA
 * with the transformer, when asked). Construction checks every model against {@link ModelContract}
 * and each transformer's NFE against its file name ({@link NfeProbe}), and fails with all problems listed.
 */
public final class F5Sessions implements AutoCloseable {
    public static final String PREPROCESS = "F5_Preprocess.onnx";
    public static final String TRANSFORMER = "F5_Transformer.onnx";
    public static final String DECODE = "F5_Decode.onnx";
    public static final String VOCAB = "vocab.txt";
    private static final Pattern VARIANT = Pattern.compile("F5_Transformer_nfe(\\d+)\\.onnx");

    /**
     * How to open a model directory.
     *
     * @param provider where the transformer runs
     * @param preprocessOnCuda run the preprocess model on CUDA too when the transformer is there
     * @param decodeOnCuda run the decode model on CUDA too when the transformer is there
     */
    public record Options(ExecutionProvider provider, int deviceId, int defaultNfe, OrtSessionFactory factory,
            boolean preprocessOnCuda, boolean decodeOnCuda) {
    }

    private final OrtEnvironment env;
    private final Vocabulary vocabulary;
    private final OrtSession preprocess;
    private final OrtSession decode;
    private final Map<Integer, OrtSession> transformers;
    private final Map<Integer, ModelContract.Checked> transformerNames;
    private final ModelContract.Checked preprocessNames;
    private final ModelContract.Checked decodeNames;
    private final OnnxJavaType floatType;
    private final String device;
    private volatile boolean closed;
    private final boolean decodeOnCpu;

    private F5Sessions(OrtEnvironment env, Vocabulary vocabulary, OrtSession preprocess, OrtSession decode,
            Map<Integer, OrtSession> transformers, Map<Integer, ModelContract.Checked> transformerNames,
            ModelContract.Checked preprocessNames, ModelContract.Checked decodeNames, OnnxJavaType floatType, String device,
            boolean decodeOnCpu) {
        this.env = env;
        this.vocabulary = vocabulary;
        this.preprocess = preprocess;
        this.decode = decode;
        this.transformers = transformers;
        this.transformerNames = transformerNames;
        this.preprocessNames = preprocessNames;
        this.decodeNames = decodeNames;
        this.floatType = floatType;
        this.device = device;
        this.decodeOnCpu = decodeOnCpu;
    }

    /**
     * Opens a model directory.
     *
     * @throws F5ModelException listing missing files, contract mismatches, transformers whose NFE
     *     is not the one their name says, or a provider that cannot start
     */
    public static F5Sessions open(Path dir, Options options) {
        if (dir == null || !Files.isDirectory(dir)) {
            throw new F5ModelException("F5 model directory " + dir + " does not exist or is not a directory");
        }
        List<String> missing = new ArrayList<>();
        for (String f : List.of(PREPROCESS, TRANSFORMER, DECODE, VOCAB)) {
            if (!Files.isRegularFile(dir.resolve(f))) {
                missing.add(f);
            }
        }
        if (!missing.isEmpty()) {
            throw new F5ModelException("F5 model directory " + dir + " lacks " + String.join(", ", missing)
                    + " (expected " + PREPROCESS + ", " + TRANSFORMER + ", " + DECODE + " and " + VOCAB
                    + " from the F5-TTS ONNX export)");
        }
        Map<Integer, Path> transformerFiles = transformerFiles(dir, options.defaultNfe());
        Vocabulary vocabulary = Vocabulary.load(dir.resolve(VOCAB));

        OrtSessionFactory factory = options.factory();
        OrtEnvironment env = factory.env();
        List<OrtSession> opened = new ArrayList<>();
        try {
            List<String> problems = new ArrayList<>();
            String device = "CPU";
            Map<Integer, OrtSession> transformers = new TreeMap<>();
            Map<Integer, ModelContract.Checked> names = new TreeMap<>();
            ExecutionProvider provider = options.provider();
            for (Map.Entry<Integer, Path> e : transformerFiles.entrySet()) {
                OrtSession t;
                if (provider == ExecutionProvider.CPU) {
                    t = factory.onCpu(e.getValue(), opened);
                } else {
                    OrtSessionFactory.Placed placed = factory.onCuda(e.getValue(), options.deviceId(),
                            provider == ExecutionProvider.CUDA, "the F5 transformer", opened);
                    t = placed.session();
                    device = placed.device();
                    if (!placed.onCuda()) {
                        provider = ExecutionProvider.CPU; // CUDA is tried once, not once per file
                    } else {
                        provider = ExecutionProvider.CUDA;
                    }
                }
                String file = e.getValue().getFileName().toString();
                names.put(e.getKey(), ModelContract.checkTransformer(t, file, problems));
                transformers.put(e.getKey(), t);
            }
            boolean cuda = !device.equals("CPU");
            // The reference scripts run preprocess and decode on the CPU; on CUDA they can follow
            // the transformer, which saves copying the conditioning and the result across.
            OrtSession pre = cuda && options.preprocessOnCuda()
                    ? factory.onCuda(dir.resolve(PREPROCESS), options.deviceId(), true, "F5 preprocess", opened).session()
                    : factory.onCpu(dir.resolve(PREPROCESS), opened);
            OrtSession dec = cuda && options.decodeOnCuda()
                    ? factory.onCuda(dir.resolve(DECODE), options.deviceId(), true, "F5 decode", opened).session()
                    : factory.onCpu(dir.resolve(DECODE), opened);
            ModelContract.Checked preNames = ModelContract.checkPreprocess(pre, PREPROCESS, problems);
            ModelContract.Checked decNames = ModelContract.checkDecode(dec, DECODE, problems);
            OnnxJavaType floatType = names.values().iterator().next().floatType();
            if (floatType != null) {
                agree(PREPROCESS, preNames.floatType(), floatType, problems);
                agree(DECODE, decNames.floatType(), floatType, problems);
                for (Map.Entry<Integer, ModelContract.Checked> n : names.entrySet()) {
                    agree("transformer for NFE " + n.getKey(), n.getValue().floatType(), floatType, problems);
                }
            }
            if (problems.isEmpty()) {
                NfeProbe probe = new NfeProbe(env, pre, preNames, floatType);
                for (Map.Entry<Integer, OrtSession> t : transformers.entrySet()) {
                    String file = transformerFiles.get(t.getKey()).getFileName().toString();
                    probe.check(t.getValue(), names.get(t.getKey()), t.getKey(), file, t.getKey() == options.defaultNfe(), problems);
                }
            }
            if (!problems.isEmpty()) {
                throw new F5ModelException("F5 model directory " + dir + " does not match the F5-TTS ONNX export:\n  - "
                        + String.join("\n  - ", problems));
            }
            return new F5Sessions(env, vocabulary, pre, dec, Collections.unmodifiableMap(transformers),
                    Collections.unmodifiableMap(names), preNames, decNames, floatType, device,
                    !(cuda && options.decodeOnCuda()));
        } catch (OrtException e) {
            OrtSessionFactory.closeAll(opened);
            throw new F5ModelException("Cannot load the F5 models in " + dir + ": " + e.getMessage(), e);
        } catch (OrtSessionFactory.CudaUnavailableException e) {
            OrtSessionFactory.closeAll(opened);
            throw new F5ModelException(e.getMessage(), e.getCause());
        } catch (RuntimeException e) {
            OrtSessionFactory.closeAll(opened);
            throw e;
        }
    }

    private static void agree(String what, OnnxJavaType actual, OnnxJavaType expected, List<String> problems) {
        if (actual != null && actual != expected) {
            problems.add(what + " uses " + actual + " floats but the transformer uses " + expected
                    + "; all three models must come from the same export");
        }
    }

    private static Map<Integer, Path> transformerFiles(Path dir, int defaultNfe) {
        Map<Integer, Path> files = new TreeMap<>();
        files.put(defaultNfe, dir.resolve(TRANSFORMER));
        try (Stream<Path> list = Files.list(dir)) {
            for (Path p : (Iterable<Path>) list.sorted()::iterator) {
                Matcher m = VARIANT.matcher(p.getFileName().toString());
                if (m.matches() && Files.isRegularFile(p)) {
                    int nfe = Integer.parseInt(m.group(1));
                    if (nfe == defaultNfe) {
                        throw new F5ModelException("F5 model directory " + dir + " has both " + TRANSFORMER
                                + " (configured as NFE " + defaultNfe + ") and " + p.getFileName()
                                + "; remove one or configure another default NFE");
                    }
                    files.put(nfe, p);
                }
            }
        } catch (IOException e) {
            throw new F5ModelException("Cannot list F5 model directory " + dir + ": " + e.getMessage(), e);
        }
        return files;
    }

    public OrtEnvironment env() {
        return env;
    }

    public Vocabulary vocabulary() {
        return vocabulary;
    }

    public OrtSession preprocess() {
        return preprocess;
    }

    public OrtSession decode() {
        return decode;
    }

    /** Transformer session per NFE step, in ascending NFE order. */
    public Map<Integer, OrtSession> transformers() {
        return transformers;
    }

    public ModelContract.Checked transformerNames(int nfe) {
        return transformerNames.get(nfe);
    }

    public ModelContract.Checked preprocessNames() {
        return preprocessNames;
    }

    public ModelContract.Checked decodeNames() {
        return decodeNames;
    }

    /** {@link OnnxJavaType#FLOAT} or {@link OnnxJavaType#FLOAT16}. */
    public OnnxJavaType floatType() {
        return floatType;
    }

    /** Where the transformer runs: {@code CUDA:n} or {@code CPU}. */
    public String device() {
        return device;
    }

    /**
     * True from a successful {@link #open} until {@link #close}: every session is usable ({@link
     * #open} creates all of them or fails, and {@link #close} closes all of them).
     */
    public boolean isOpen() {
        return !closed;
    }

    /** True when decode runs on the CPU while the transformer runs on CUDA: they can overlap. */
    public boolean decodeOnSeparateDevice() {
        return decodeOnCpu && !device.equals("CPU");
    }

    @Override
    public void close() {
        closed = true;
        List<OrtSession> all = new ArrayList<>(transformers.values());
        all.add(preprocess);
        all.add(decode);
        OrtSessionFactory.closeAll(all);
    }
}
