package dev.ttsqueue.inference.f5.internal;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.ttsqueue.inference.f5.ExecutionProvider;
import dev.ttsqueue.inference.f5.F5ModelException;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ONNX sessions of one F5 model directory, created once and closed together: preprocess and
 * decode on the CPU, one transformer session per exported NFE on the chosen provider. Construction
 * checks every model against {@link ModelContract} and fails with all problems listed.
 */
public final class F5Sessions implements AutoCloseable {
    public static final String PREPROCESS = "F5_Preprocess.onnx";
    public static final String TRANSFORMER = "F5_Transformer.onnx";
    public static final String DECODE = "F5_Decode.onnx";
    public static final String VOCAB = "vocab.txt";
    private static final Pattern VARIANT = Pattern.compile("F5_Transformer_nfe(\\d+)\\.onnx");
    private static final Logger LOG = LoggerFactory.getLogger(F5Sessions.class);

    /** Adds the CUDA provider to options; a seam so tests can see whether CUDA was attempted. */
    @FunctionalInterface
    public interface CudaAppender {
        void append(OrtSession.SessionOptions options, int deviceId) throws OrtException;
    }

    public static final CudaAppender DEFAULT_CUDA = OrtSession.SessionOptions::addCUDA;

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

    private F5Sessions(OrtEnvironment env, Vocabulary vocabulary, OrtSession preprocess, OrtSession decode,
            Map<Integer, OrtSession> transformers, Map<Integer, ModelContract.Checked> transformerNames,
            ModelContract.Checked preprocessNames, ModelContract.Checked decodeNames, OnnxJavaType floatType, String device) {
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
    }

    /**
     * Opens a model directory.
     *
     * @throws F5ModelException listing missing files, contract mismatches, or a provider that cannot start
     */
    public static F5Sessions open(Path dir, ExecutionProvider provider, int deviceId, int intraOpThreads,
            int defaultNfe, CudaAppender cuda) {
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
        Map<Integer, Path> transformerFiles = transformerFiles(dir, defaultNfe);
        Vocabulary vocabulary = Vocabulary.load(dir.resolve(VOCAB));

        OrtEnvironment env = OrtEnvironment.getEnvironment();
        List<OrtSession> opened = new ArrayList<>();
        try {
            List<String> problems = new ArrayList<>();
            OrtSession pre;
            OrtSession dec;
            try (OrtSession.SessionOptions cpu = cpuOptions(intraOpThreads)) {
                pre = create(env, dir.resolve(PREPROCESS), cpu, opened);
                dec = create(env, dir.resolve(DECODE), cpu, opened);
            }
            ModelContract.Checked preNames = ModelContract.checkPreprocess(pre, PREPROCESS, problems);
            ModelContract.Checked decNames = ModelContract.checkDecode(dec, DECODE, problems);

            String device = "CPU";
            Map<Integer, OrtSession> transformers = new TreeMap<>();
            Map<Integer, ModelContract.Checked> names = new TreeMap<>();
            for (Map.Entry<Integer, Path> e : transformerFiles.entrySet()) {
                OrtSession t;
                if (provider == ExecutionProvider.CPU) {
                    try (OrtSession.SessionOptions cpu = cpuOptions(intraOpThreads)) {
                        t = create(env, e.getValue(), cpu, opened);
                    }
                } else {
                    Placed placed = onCuda(env, e.getValue(), provider, deviceId, intraOpThreads, cuda, opened);
                    t = placed.session();
                    device = placed.device();
                    if (provider == ExecutionProvider.AUTO && device.equals("CPU")) {
                        provider = ExecutionProvider.CPU;
                    }
                }
                String file = e.getValue().getFileName().toString();
                names.put(e.getKey(), ModelContract.checkTransformer(t, file, problems));
                transformers.put(e.getKey(), t);
            }
            OnnxJavaType floatType = names.values().iterator().next().floatType();
            if (floatType != null) {
                agree(PREPROCESS, preNames.floatType(), floatType, problems);
                agree(DECODE, decNames.floatType(), floatType, problems);
                for (Map.Entry<Integer, ModelContract.Checked> n : names.entrySet()) {
                    agree("transformer for NFE " + n.getKey(), n.getValue().floatType(), floatType, problems);
                }
            }
            if (!problems.isEmpty()) {
                throw new F5ModelException("F5 model directory " + dir + " does not match the F5-TTS ONNX export:\n  - "
                        + String.join("\n  - ", problems));
            }
            return new F5Sessions(env, vocabulary, pre, dec, Collections.unmodifiableMap(transformers),
                    Collections.unmodifiableMap(names), preNames, decNames, floatType, device);
        } catch (OrtException e) {
            closeAll(opened);
            throw new F5ModelException("Cannot load the F5 models in " + dir + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeAll(opened);
            throw e;
        }
    }

    private record Placed(OrtSession session, String device) {
    }

    private static Placed onCuda(OrtEnvironment env, Path file, ExecutionProvider provider, int deviceId,
            int threads, CudaAppender cuda, List<OrtSession> opened) throws OrtException {
        try (OrtSession.SessionOptions gpu = cpuOptions(threads)) {
            cuda.append(gpu, deviceId);
            return new Placed(create(env, file, gpu, opened), "CUDA:" + deviceId);
        } catch (OrtException e) {
            if (provider == ExecutionProvider.CUDA) {
                throw new F5ModelException("CUDA execution provider was requested (device " + deviceId
                        + ") but cannot start: " + firstLine(e.getMessage())
                        + ". Install CUDA 12 and cuDNN 9 for ONNX Runtime 1.23, or use provider auto or cpu", e);
            }
            LOG.warn("CUDA is not usable ({}); the F5 transformer runs on the CPU", firstLine(e.getMessage()));
            // fresh options: the failed CUDA registration may have left the old ones half-configured
            try (OrtSession.SessionOptions cpu = cpuOptions(threads)) {
                return new Placed(create(env, file, cpu, opened), "CPU");
            }
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
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

    private static OrtSession.SessionOptions cpuOptions(int intraOpThreads) throws OrtException {
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        o.setMemoryPatternOptimization(true);
        o.setIntraOpNumThreads(intraOpThreads);
        return o;
    }

    private static OrtSession create(OrtEnvironment env, Path file, OrtSession.SessionOptions o, List<OrtSession> opened)
            throws OrtException {
        OrtSession s = env.createSession(file.toString(), o);
        opened.add(s);
        return s;
    }

    private static void closeAll(List<OrtSession> sessions) {
        for (OrtSession s : sessions) {
            try {
                s.close();
            } catch (OrtException e) {
                LOG.debug("closing a session after a failed start", e);
            }
        }
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

    @Override
    public void close() {
        closed = true;
        List<OrtSession> all = new ArrayList<>(transformers.values());
        all.add(preprocess);
        all.add(decode);
        closeAll(all);
    }
}
