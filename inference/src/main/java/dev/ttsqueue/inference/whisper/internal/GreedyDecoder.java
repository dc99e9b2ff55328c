package dev.ttsqueue.inference.whisper.internal;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxTensorLike;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.platform.Fp16Conversions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Greedy decoding with the merged decoder and its key/value cache, as Whisper's
 * {@code DecodingTask} does without timestamps and at temperature 0:
 *
 * <ol>
 *   <li>the forced start: {@code <|startoftranscript|>}, the language, {@code <|transcribe|>},
 *       {@code <|notimestamps|>} (English-only models: start and no-timestamps only), fed in one
 *       call with {@code use_cache_branch = false} and empty past tensors;</li>
 *   <li>then one token per call with {@code use_cache_branch = true}: the decoder's own cache
 *       ({@code present.i.decoder.*}) from the call before, and the cross-attention cache
 *       ({@code present.i.encoder.*}) from the first call, which later calls do not recompute;</li>
 *   <li>each step takes the most likely token among text tokens and end-of-text, never a token the
 *       generation config suppresses, and at the first step neither a blank nor end-of-text
 *       (Whisper's {@code SuppressBlank}); special and timestamp tokens are never taken;</li>
 *   <li>it stops at end-of-text or after {@code maxNewTokens}.</li>
 * </ol>
 *
 * Without a language, it is detected first as Whisper's {@code detect_language} does: one call on
 * the start token alone, and the most likely language token.
 */
public final class GreedyDecoder {
    private final WhisperSessions sessions;
    private final WhisperTokenizer tokenizer;
    private final WhisperConfig config;
    private final Set<Integer> suppress;
    private final Set<Integer> beginSuppress;

    public GreedyDecoder(WhisperSessions sessions, WhisperTokenizer tokenizer, WhisperConfig config) {
        this.sessions = sessions;
        this.tokenizer = tokenizer;
        this.config = config;
        this.suppress = new HashSet<>(config.suppressTokens());
        Set<Integer> begin = new HashSet<>();
        if (config.beginSuppressTokens() != null) {
            begin.addAll(config.beginSuppressTokens());
        } else {
            int space = tokenizer.id("\u0120");
            if (space >= 0) {
                begin.add(space);
            }
            begin.add(tokenizer.endOfText());
        }
        this.beginSuppress = begin;
    }

    /** The decoded tokens (without the forced start and end-of-text) and the language used. */
    public record Decoded(List<Integer> tokens, String language) {
    }

    /**
     * Decodes one encoder output.
     *
     * @param hidden the encoder's {@code last_hidden_state}
     * @param language a language code, or null to detect it (multilingual models only)
     */
    public Decoded decode(OnnxTensor hidden, String language, int maxNewTokens) throws OrtException {
        String lang = language;
        List<Integer> prefix = new ArrayList<>();
        prefix.add(tokenizer.startOfTranscript());
        if (config.multilingual()) {
            if (lang == null) {
                lang = detectLanguage(hidden);
            }
            prefix.add(tokenizer.languages().get(lang));
            prefix.add(tokenizer.transcribe());
        } else {
            lang = "en";
        }
        prefix.add(tokenizer.noTimestamps());
        int budget = Math.min(maxNewTokens, config.maxTargetPositions() - prefix.size());
        List<Integer> out = new ArrayList<>();
        OrtSession.Result first = null;
        OrtSession.Result previous = null;
        try {
            first = run(hidden, prefix, null, null);
            int next = pick(first, 0);
            while (next != tokenizer.endOfText() && out.size() < budget) {
                out.add(next);
                if (out.size() == budget) {
                    break;
                }
                OrtSession.Result current = run(hidden, List.of(next), previous == null ? first : previous, first);
                if (previous != null) {
                    previous.close();
                }
                previous = current;
                next = pick(current, out.size());
            }
            return new Decoded(List.copyOf(out), lang);
        } finally {
            if (previous != null) {
                previous.close();
            }
            if (first != null) {
                first.close();
            }
        }
    }

    /** Whisper's language detection: the likeliest language token after the start token alone. */
    private String detectLanguage(OnnxTensor hidden) throws OrtException {
        try (OrtSession.Result r = run(hidden, List.of(tokenizer.startOfTranscript()), null, null)) {
            float[] logits = lastLogits(r);
            String best = null;
            float bestScore = Float.NEGATIVE_INFINITY;
            for (Map.Entry<String, Integer> e : tokenizer.languages().entrySet()) {
                int id = e.getValue();
                if (id < logits.length && logits[id] > bestScore) {
                    bestScore = logits[id];
                    best = e.getKey();
                }
            }
            if (best == null) {
                throw new IllegalStateException("The Whisper decoder gave no score to any language token");
            }
            return best;
        }
    }

    /**
     * One decoder call. {@code decoderCache} supplies {@code present.i.decoder.*} and
     * {@code encoderCache} {@code present.i.encoder.*}; both null for a call without cache.
     */
    private OrtSession.Result run(OnnxTensor hidden, List<Integer> ids, OrtSession.Result decoderCache,
            OrtSession.Result encoderCache) throws OrtException {
        OrtEnvironment env = sessions.factory().env();
        long[] idArray = new long[ids.size()];
        for (int i = 0; i < idArray.length; i++) {
            idArray[i] = ids.get(i);
        }
        List<OnnxTensor> owned = new ArrayList<>();
        try {
            Map<String, OnnxTensorLike> in = new HashMap<>();
            OnnxTensor inputIds = OnnxTensor.createTensor(env, LongBuffer.wrap(idArray), new long[] {1, idArray.length});
            owned.add(inputIds);
            OnnxTensor useCache = OnnxTensor.createTensor(env, new boolean[] {decoderCache != null});
            owned.add(useCache);
            in.put("input_ids", inputIds);
            in.put("encoder_hidden_states", hidden);
            in.put("use_cache_branch", useCache);
            OnnxTensor empty = null;
            if (decoderCache == null) {
                // the no-cache branch ignores the past inputs, but ONNX Runtime still wants tensors
                // of the right rank: zero-length ones, as transformers.js passes
                empty = emptyPast(env);
                owned.add(empty);
            }
            for (int i = 0; i < sessions.layers(); i++) {
                for (String kv : List.of("key", "value")) {
                    in.put(WhisperSessions.pastName(i, "decoder", kv), decoderCache == null ? empty
                            : (OnnxTensor) decoderCache.get(WhisperSessions.presentName(i, "decoder", kv)).orElseThrow());
                    in.put(WhisperSessions.pastName(i, "encoder", kv), encoderCache == null ? empty
                            : (OnnxTensor) encoderCache.get(WhisperSessions.presentName(i, "encoder", kv)).orElseThrow());
                }
            }
            return sessions.decoder().run(in);
        } finally {
            for (OnnxTensor t : owned) {
                t.close();
            }
        }
    }

    private OnnxTensor emptyPast(OrtEnvironment env) throws OrtException {
        long[] shape = {1, sessions.heads(), 0, sessions.headDim()};
        if (sessions.decoderFloat() == OnnxJavaType.FLOAT16) {
            return OnnxTensor.createTensor(env, ByteBuffer.allocateDirect(0).order(ByteOrder.nativeOrder()), shape,
                    OnnxJavaType.FLOAT16);
        }
        return OnnxTensor.createTensor(env, FloatBuffer.allocate(0), shape);
    }

    /** The greedy choice at generated position {@code position} (0 = the first token after the start). */
    private int pick(OrtSession.Result r, int position) throws OrtException {
        float[] logits = lastLogits(r);
        int eot = tokenizer.endOfText();
        int best = -1;
        float bestScore = Float.NEGATIVE_INFINITY;
        // ids above end-of-text are the start, language, task and timestamp tokens: never text
        int limit = Math.min(logits.length - 1, eot);
        for (int id = 0; id <= limit; id++) {
            if (suppress.contains(id) || (position == 0 && beginSuppress.contains(id))) {
                continue;
            }
            float score = logits[id];
            if (score > bestScore) {
                bestScore = score;
                best = id;
            }
        }
        return best < 0 ? eot : best;
    }

    private static float[] lastLogits(OrtSession.Result r) throws OrtException {
        OnnxTensor logits = (OnnxTensor) r.get("logits").orElseThrow();
        long[] shape = logits.getInfo().getShape();
        int vocab = Math.toIntExact(shape[2]);
        int offset = Math.toIntExact((shape[1] - 1) * vocab);
        float[] out = new float[vocab];
        if (logits.getInfo().type == OnnxJavaType.FLOAT16) {
            ShortBuffer b = logits.getShortBuffer();
            for (int i = 0; i < vocab; i++) {
                out[i] = Fp16Conversions.fp16ToFloat(b.get(offset + i));
            }
        } else {
            FloatBuffer b = logits.getFloatBuffer();
            b.get(offset, out);
        }
        return out;
    }
}
