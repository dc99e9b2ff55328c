package dev.ttsqueue.inference.f5.internal;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.platform.Fp16Conversions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks at load time that a transformer file was exported for the NFE its name claims, so a
 * wrong file fails at start rather than after minutes of work or, worse, runs with the wrong
 * schedule.
 *
 * <p>The export bakes the schedule into tables indexed by {@code time_step}: the time embedding has
 * NFE rows and the step sizes {@code delta_t} NFE-1, and the backend calls steps 0 to NFE-2. So
 * step NFE-2 must move the noise, and step NFE-1 must not work: on the CPU the out-of-range
 * {@code Gather} fails; on CUDA it reads zeros, a zero step size, and the noise comes back
 * unchanged. Both are read as "past the end of the table". The probe runs the real preprocess on a
 * quarter second of tone and the transformer twice at a frame count of about 30, which costs
 * little and warms the sessions up. When the check fails, a binary search over the step finds the
 * NFE the file really has, for the message.
 */
final class NfeProbe {
    private static final int PROBE_SAMPLES = 6_000;
    private static final int EXTRA_FRAMES = 8;
    private static final int SEARCH_LIMIT = 4_096;

    private final OrtEnvironment env;
    private final OrtSession preprocess;
    private final ModelContract.Checked preNames;
    private final OnnxJavaType floatType;

    NfeProbe(OrtEnvironment env, OrtSession preprocess, ModelContract.Checked preNames, OnnxJavaType floatType) {
        this.env = env;
        this.preprocess = preprocess;
        this.preNames = preNames;
        this.floatType = floatType;
    }

    /** Adds a problem naming {@code file} when its schedule does not have exactly {@code nfe} steps. */
    void check(OrtSession transformer, ModelContract.Checked names, int nfe, String file, boolean isDefault,
            List<String> problems) throws OrtException {
        if (nfe < 2) {
            problems.add(file + ": an NFE step count must be at least 2, not " + nfe);
            return;
        }
        try (OrtSession.Result pre = runPreprocess(); OrtSession.RunOptions quiet = quietRun()) {
            Probe probe = new Probe(pre, transformer, names, quiet);
            if (probe.advances(nfe - 2) && !probe.advances(nfe - 1)) {
                return;
            }
            if (!probe.advances(0)) {
                problems.add(file + ": the transformer leaves the noise unchanged at time_step 0; is it the F5-TTS ONNX export?");
                return;
            }
            int lo = 0; // advances
            int hi = SEARCH_LIMIT; // assumed not to
            while (hi - lo > 1) {
                int mid = (lo + hi) >>> 1;
                if (probe.advances(mid)) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            int actual = lo + 2;
            String fix = isDefault
                    ? "set the default NFE to " + actual + " (defaultNfeStep) or rename it F5_Transformer_nfe" + actual + ".onnx"
                    : "rename it F5_Transformer_nfe" + actual + ".onnx";
            problems.add(file + " was exported for nfe_step " + actual + ", not " + nfe + " (its time table ends after step "
                    + lo + "): " + fix);
        }
    }

    /** The failing run past the table's end is expected: keep ONNX Runtime from logging it as an error. */
    private static OrtSession.RunOptions quietRun() throws OrtException {
        OrtSession.RunOptions o = new OrtSession.RunOptions();
        o.setLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL);
        return o;
    }

    private OrtSession.Result runPreprocess() throws OrtException {
        short[] audio = new short[PROBE_SAMPLES];
        for (int i = 0; i < audio.length; i++) {
            audio[i] = (short) Math.round(3000 * Math.sin(2 * Math.PI * 220 * i / 24_000.0));
        }
        long frames = PROBE_SAMPLES / F5Pipeline.HOP + 1 + EXTRA_FRAMES;
        try (OnnxTensor a = OnnxTensor.createTensor(env, ShortBuffer.wrap(audio), new long[] {1, 1, audio.length});
                OnnxTensor ids = OnnxTensor.createTensor(env, IntBuffer.wrap(new int[] {0, 0, 0, 0}), new long[] {1, 4});
                OnnxTensor d = OnnxTensor.createTensor(env, LongBuffer.wrap(new long[] {frames}), new long[] {1})) {
            Map<String, OnnxTensor> in = new HashMap<>();
            in.put(preNames.input("audio"), a);
            in.put(preNames.input("text_ids"), ids);
            in.put(preNames.input("max_duration"), d);
            return preprocess.run(in);
        }
    }

    private final class Probe {
        private final OrtSession.Result pre;
        private final OrtSession transformer;
        private final ModelContract.Checked names;
        private final OrtSession.RunOptions quiet;

        Probe(OrtSession.Result pre, OrtSession transformer, ModelContract.Checked names, OrtSession.RunOptions quiet) {
            this.pre = pre;
            this.transformer = transformer;
            this.names = names;
            this.quiet = quiet;
        }

        /** True when a call at {@code step} runs and changes the noise. */
        boolean advances(int step) throws OrtException {
            long[] shape = ((OnnxTensor) pre.get(preNames.output("noise")).orElseThrow()).getInfo().getShape();
            int n = Math.toIntExact(shape[0] * shape[1] * shape[2]);
            float[] noise = new float[n];
            GaussianNoise.fill(noise, 1, 0);
            boolean fp16 = floatType == OnnxJavaType.FLOAT16;
            ByteBuffer buf = ByteBuffer.allocateDirect(n * (fp16 ? 2 : 4)).order(ByteOrder.nativeOrder());
            for (int i = 0; i < n; i++) {
                if (fp16) {
                    buf.putShort(i * 2, Fp16Conversions.floatToFp16(noise[i]));
                } else {
                    buf.putFloat(i * 4, noise[i]);
                }
            }
            try (OnnxTensor x = OnnxTensor.createTensor(env, buf, shape, fp16 ? OnnxJavaType.FLOAT16 : OnnxJavaType.FLOAT);
                    OnnxTensor t = OnnxTensor.createTensor(env, IntBuffer.wrap(new int[] {step}), new long[] {1})) {
                Map<String, OnnxTensor> in = new HashMap<>();
                for (String name : ModelContract.CONDITIONING) {
                    in.put(names.input(name), (OnnxTensor) pre.get(preNames.output(name)).orElseThrow());
                }
                in.put(names.input("noise"), x);
                in.put(names.input(ModelContract.STEP), t);
                try (OrtSession.Result r = transformer.run(in, quiet)) {
                    ByteBuffer out = ((OnnxTensor) r.get(names.output("denoised")).orElseThrow()).getByteBuffer();
                    return !out.order(ByteOrder.nativeOrder()).equals(buf.rewind());
                } catch (OrtException e) {
                    return false;
                }
            }
        }
    }
}
