package dev.ttsqueue.inference.whisper.internal;

import dev.ttsqueue.inference.whisper.WhisperModelException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the decoder needs from the export's {@code config.json} (required) and
 * {@code generation_config.json} (optional): sizes, and the tokens Whisper never lets the greedy
 * search pick.
 *
 * @param melBins log-mel bins the encoder takes ({@code num_mel_bins}: 80, or 128 for large-v3)
 * @param decoderLayers decoder blocks ({@code decoder_layers}): one cache entry set per block
 * @param vocabSize logits width ({@code vocab_size}); 51865 and more means multilingual, as Whisper decides
 * @param maxTargetPositions longest token sequence the decoder accepts ({@code max_target_positions}, 448)
 * @param suppressTokens never chosen ({@code suppress_tokens}; empty without a generation config)
 * @param beginSuppressTokens not chosen as the first generated token ({@code begin_suppress_tokens});
 *     null when the generation config does not say, in which case Whisper's rule (space and end of
 *     text) applies
 */
public record WhisperConfig(int melBins, int decoderLayers, int vocabSize, int maxTargetPositions,
        List<Integer> suppressTokens, List<Integer> beginSuppressTokens) {
    public static final String CONFIG = "config.json";
    public static final String GENERATION_CONFIG = "generation_config.json";

    /** Whisper's own test for a multilingual vocabulary ({@code n_vocab >= 51865}). */
    public boolean multilingual() {
        return vocabSize >= 51_865;
    }

    /**
     * @throws WhisperModelException when config.json is missing, not JSON, or lacks a size
     */
    public static WhisperConfig load(Path dir) {
        Map<String, Object> config = object(dir.resolve(CONFIG), true);
        List<String> problems = new ArrayList<>();
        int mels = intField(config, "num_mel_bins", problems);
        int layers = intField(config, "decoder_layers", problems);
        int vocab = intField(config, "vocab_size", problems);
        int maxTarget = config.containsKey("max_target_positions") ? intField(config, "max_target_positions", problems) : 448;
        if (!problems.isEmpty()) {
            throw new WhisperModelException(dir.resolve(CONFIG) + " " + String.join("; ", problems)
                    + " (is it the config.json of a Whisper export?)");
        }
        Map<String, Object> generation = object(dir.resolve(GENERATION_CONFIG), false);
        List<Integer> suppress = generation == null ? List.of() : ints(generation.get("suppress_tokens"), GENERATION_CONFIG, "suppress_tokens");
        List<Integer> begin = generation == null || !generation.containsKey("begin_suppress_tokens") ? null
                : ints(generation.get("begin_suppress_tokens"), GENERATION_CONFIG, "begin_suppress_tokens");
        return new WhisperConfig(mels, layers, vocab, maxTarget, suppress, begin);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> object(Path file, boolean required) {
        if (!Files.isRegularFile(file)) {
            if (required) {
                throw new WhisperModelException("Whisper model folder lacks " + file.getFileName() + " (" + file + ")");
            }
            return null;
        }
        try {
            Object v = Json.parse(Files.readString(file, StandardCharsets.UTF_8));
            if (!(v instanceof Map)) {
                throw new WhisperModelException(file + " is not a JSON object");
            }
            return (Map<String, Object>) v;
        } catch (IOException e) {
            throw new WhisperModelException("Cannot read " + file + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new WhisperModelException(file + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    private static int intField(Map<String, Object> m, String key, List<String> problems) {
        Object v = m.get(key);
        if (v instanceof Long l && l > 0 && l <= Integer.MAX_VALUE) {
            return l.intValue();
        }
        problems.add(v == null ? "lacks " + key : "has " + key + " = " + v + ", expected a positive whole number");
        return 0;
    }

    private static List<Integer> ints(Object v, String file, String key) {
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> list)) {
            throw new WhisperModelException(file + ": " + key + " is not a list");
        }
        List<Integer> out = new ArrayList<>(list.size());
        for (Object o : list) {
            if (!(o instanceof Long l) || l < 0 || l > Integer.MAX_VALUE) {
                throw new WhisperModelException(file + ": " + key + " holds " + o + ", expected token ids");
            }
            out.add(l.intValue());
        }
        return List.copyOf(out);
    }
}
