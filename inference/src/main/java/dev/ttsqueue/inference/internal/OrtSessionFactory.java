package dev.ttsqueue.inference.internal;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.providers.OrtCUDAProviderOptions;
import dev.ttsqueue.inference.GraphOptimizationLevel;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates ONNX Runtime sessions with the project's tuning, on the CPU or on CUDA. Shared by the
 * F5 backend and the Whisper transcriber so both place and tune their models the same way.
 *
 * <p>CUDA is detected by trying: {@code getAvailableProviders()} lists CUDA wherever the GPU
 * package is installed, GPU or not, so only appending the provider tells whether its libraries load.
 */
public final class OrtSessionFactory {
    private static final Logger LOG = LoggerFactory.getLogger(OrtSessionFactory.class);

    /**
     * CUDA provider options suited to models whose input lengths change from call to call (F5's
     * frame count, Whisper's token count):
     *
     * <ul>
     *   <li>{@code cudnn_conv_algo_search=HEURISTIC}: the default, EXHAUSTIVE, benchmarks every
     *       convolution algorithm again for every new input shape, which with a new length per job
     *       means a slow first call for every job;</li>
     *   <li>{@code arena_extend_strategy=kSameAsRequested}: the default, kNextPowerOfTwo, doubles the
     *       memory arena on growth, so a long job can reserve nearly twice the memory it needs and
     *       keep it; growing by what is asked keeps device memory close to the real peak.</li>
     * </ul>
     */
    public static final Map<String, String> DEFAULT_CUDA_OPTIONS = defaults();

    /** Adds the CUDA provider to options; a seam so tests can see what would reach CUDA. */
    @FunctionalInterface
    public interface CudaAppender {
        void append(OrtSession.SessionOptions options, int deviceId, Map<String, String> cudaOptions) throws OrtException;
    }

    /** Appends CUDA with the given provider options; throws {@link OrtException} when CUDA cannot load. */
    public static final CudaAppender DEFAULT_CUDA = (options, deviceId, cudaOptions) -> {
        try (OrtCUDAProviderOptions cuda = new OrtCUDAProviderOptions(deviceId)) {
            for (Map.Entry<String, String> e : cudaOptions.entrySet()) {
                cuda.add(e.getKey(), e.getValue());
            }
            // the options are copied into the session options here, so closing ours afterwards is safe
            options.addCUDA(cuda);
        }
    };

    /** CUDA was required but cannot start; callers turn it into their own model exception. */
    public static final class CudaUnavailableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CudaUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A session and where it runs ({@code CUDA:n} or {@code CPU}). */
    public record Placed(OrtSession session, String device) {
        public boolean onCuda() {
            return !device.equals("CPU");
        }
    }

    private final OrtEnvironment env;
    private final GraphOptimizationLevel level;
    private final int intraOpThreads;
    private final CudaAppender cuda;
    private final Map<String, String> cudaOptions;

    /**
     * @param intraOpThreads threads per operator on the CPU; 0 lets ONNX Runtime use one per core
     * @param cudaOptions CUDA provider options, applied in order
     */
    public OrtSessionFactory(OrtEnvironment env, GraphOptimizationLevel level, int intraOpThreads, CudaAppender cuda,
            Map<String, String> cudaOptions) {
        this.env = env;
        this.level = level;
        this.intraOpThreads = intraOpThreads;
        this.cuda = cuda;
        this.cudaOptions = Collections.unmodifiableMap(new LinkedHashMap<>(cudaOptions));
    }

    private static Map<String, String> defaults() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("cudnn_conv_algo_search", "HEURISTIC");
        m.put("arena_extend_strategy", "kSameAsRequested");
        return Collections.unmodifiableMap(m);
    }

    public OrtEnvironment env() {
        return env;
    }

    public Map<String, String> cudaOptions() {
        return cudaOptions;
    }

    /** Options for a CPU session: the configured optimisation level, memory patterns, thread count. */
    public OrtSession.SessionOptions cpuOptions() throws OrtException {
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        try {
            o.setOptimizationLevel(level.ortLevel());
            o.setMemoryPatternOptimization(true);
            o.setIntraOpNumThreads(intraOpThreads);
            return o;
        } catch (OrtException | RuntimeException e) {
            o.close();
            throw e;
        }
    }

    /** Loads {@code file} on the CPU and adds it to {@code opened}. */
    public OrtSession onCpu(Path file, List<OrtSession> opened) throws OrtException {
        try (OrtSession.SessionOptions o = cpuOptions()) {
            return create(file, o, opened);
        }
    }

    /**
     * Loads {@code file} on CUDA device {@code deviceId}. When CUDA cannot start: with
     * {@code required} throws {@link CudaUnavailableException}; otherwise logs one WARN line naming
     * {@code what} and loads the model on the CPU.
     */
    public Placed onCuda(Path file, int deviceId, boolean required, String what, List<OrtSession> opened)
            throws OrtException {
        try (OrtSession.SessionOptions gpu = cpuOptions()) {
            cuda.append(gpu, deviceId, cudaOptions);
            return new Placed(create(file, gpu, opened), "CUDA:" + deviceId);
        } catch (OrtException e) {
            if (required) {
                throw new CudaUnavailableException("CUDA execution provider was requested (device " + deviceId
                        + ") but cannot start: " + firstLine(e.getMessage())
                        + ". Install CUDA 12 and cuDNN 9 for ONNX Runtime 1.23, or use provider auto or cpu", e);
            }
            LOG.warn("CUDA is not usable ({}); {} runs on the CPU", firstLine(e.getMessage()), what);
            // fresh options: the failed CUDA registration may have left the old ones half-configured
            return new Placed(onCpu(file, opened), "CPU");
        }
    }

    private OrtSession create(Path file, OrtSession.SessionOptions o, List<OrtSession> opened) throws OrtException {
        OrtSession s = env.createSession(file.toString(), o);
        opened.add(s);
        return s;
    }

    /** Closes sessions, logging rather than throwing: used on failed starts and shutdown. */
    public static void closeAll(List<OrtSession> sessions) {
        for (OrtSession s : sessions) {
            try {
                s.close();
            } catch (OrtException e) {
                LOG.debug("closing an ONNX session", e);
            }
        }
    }

    static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }
}
