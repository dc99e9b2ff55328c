package dev.ttsqueue.inference.whisper.internal;

import dev.ttsqueue.inference.whisper.WhisperModelException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Whisper's byte-level BPE vocabulary, read from the export's {@code tokenizer.json} (or, lacking
 * it, {@code vocab.json} with {@code added_tokens.json}), for what greedy transcription needs: the
 * ids of the special tokens that start a transcript, and ids back to text.
 *
 * <p>Decoding is the byte-level one of GPT-2, which Whisper uses: every character of a token stands
 * for one byte through the fixed {@code bytes_to_unicode} table (printable bytes as themselves, the
 * other 68 shifted to U+0100 and up), and the bytes of the whole sequence are read as UTF-8, with
 * U+FFFD for malformed input as the Python tokenizers do. Merges are not needed to decode, so they
 * are not read.
 */
public final class WhisperTokenizer {
    public static final String TOKENIZER_JSON = "tokenizer.json";
    public static final String VOCAB_JSON = "vocab.json";
    public static final String ADDED_TOKENS_JSON = "added_tokens.json";

    private static final Pattern LANGUAGE = Pattern.compile("<\\|([a-z]{2,3}|haw|yue)\\|>");
    private static final int[] BYTE_OF_CHAR = byteDecoder();

    private final Map<Integer, String> tokens;
    private final Map<String, Integer> ids;
    private final Set<Integer> special;
    private final int endOfText;
    private final int startOfTranscript;
    private final int transcribe;
    private final int translate;
    private final int noTimestamps;
    private final Map<String, Integer> languages;

    private WhisperTokenizer(Map<Integer, String> tokens, Set<Integer> special, String source) {
        this.tokens = tokens;
        this.special = special;
        Map<String, Integer> byText = new HashMap<>();
        for (Map.Entry<Integer, String> e : tokens.entrySet()) {
            byText.put(e.getValue(), e.getKey());
        }
        this.ids = byText;
        List<String> missing = new ArrayList<>();
        this.endOfText = required("<|endoftext|>", missing);
        this.startOfTranscript = required("<|startoftranscript|>", missing);
        this.transcribe = required("<|transcribe|>", missing);
        this.translate = required("<|translate|>", missing);
        this.noTimestamps = required("<|notimestamps|>", missing);
        if (!missing.isEmpty()) {
            throw new WhisperModelException(source + " lacks the Whisper special tokens " + String.join(", ", missing)
                    + " (is it a Whisper tokenizer?)");
        }
        // Whisper numbers its language tokens right after <|startoftranscript|>, before the task tokens.
        Map<String, Integer> langs = new TreeMap<>();
        for (Map.Entry<Integer, String> e : tokens.entrySet()) {
            var m = LANGUAGE.matcher(e.getValue());
            if (e.getKey() > startOfTranscript && e.getKey() < translate && m.matches()) {
                langs.put(m.group(1), e.getKey());
            }
        }
        this.languages = Collections.unmodifiableMap(langs);
    }

    /**
     * Reads the tokenizer files of an export folder.
     *
     * @throws WhisperModelException when neither layout is there, a file is not JSON of the expected
     *     shape, or a special token Whisper needs is missing
     */
    public static WhisperTokenizer load(Path dir) {
        Path tokenizerJson = dir.resolve(TOKENIZER_JSON);
        if (Files.isRegularFile(tokenizerJson)) {
            return fromTokenizerJson(WhisperConfig.object(tokenizerJson, true), tokenizerJson.toString());
        }
        Path vocab = dir.resolve(VOCAB_JSON);
        if (!Files.isRegularFile(vocab)) {
            throw new WhisperModelException("Whisper model folder " + dir + " lacks " + TOKENIZER_JSON + " (or "
                    + VOCAB_JSON + " with " + ADDED_TOKENS_JSON + ")");
        }
        Map<Integer, String> tokens = new HashMap<>();
        Set<Integer> special = new HashSet<>();
        putVocab(WhisperConfig.object(vocab, true), tokens, vocab.toString());
        Map<String, Object> added = WhisperConfig.object(dir.resolve(ADDED_TOKENS_JSON), false);
        if (added != null) {
            for (Map.Entry<String, Object> e : added.entrySet()) {
                int id = id(e.getValue(), ADDED_TOKENS_JSON);
                tokens.put(id, e.getKey());
                special.add(id);
            }
        }
        return new WhisperTokenizer(tokens, special, vocab + " and " + ADDED_TOKENS_JSON);
    }

    @SuppressWarnings("unchecked")
    static WhisperTokenizer fromTokenizerJson(Map<String, Object> json, String source) {
        Map<Integer, String> tokens = new HashMap<>();
        Set<Integer> special = new HashSet<>();
        Object model = json.get("model");
        if (!(model instanceof Map) || !(((Map<String, Object>) model).get("vocab") instanceof Map)) {
            throw new WhisperModelException(source + " has no model.vocab object (is it a BPE tokenizer.json?)");
        }
        putVocab((Map<String, Object>) ((Map<String, Object>) model).get("vocab"), tokens, source);
        Object added = json.get("added_tokens");
        if (added instanceof List<?> list) {
            for (Object o : list) {
                if (!(o instanceof Map<?, ?> t) || !(t.get("content") instanceof String content)) {
                    throw new WhisperModelException(source + ": an added_tokens entry has no content");
                }
                int id = id(t.get("id"), source);
                tokens.put(id, content);
                if (!Boolean.FALSE.equals(t.get("special"))) {
                    special.add(id);
                }
            }
        }
        return new WhisperTokenizer(tokens, special, source);
    }

    private static void putVocab(Map<String, Object> vocab, Map<Integer, String> tokens, String source) {
        for (Map.Entry<String, Object> e : vocab.entrySet()) {
            tokens.put(id(e.getValue(), source), e.getKey());
        }
    }

    private static int id(Object v, String source) {
        if (v instanceof Long l && l >= 0 && l <= Integer.MAX_VALUE) {
            return l.intValue();
        }
        throw new WhisperModelException(source + ": token id " + v + " is not a whole number >= 0");
    }

    private int required(String token, List<String> missing) {
        Integer id = ids.get(token);
        if (id == null) {
            missing.add(token);
            return -1;
        }
        return id;
    }

    public int endOfText() {
        return endOfText;
    }

    public int startOfTranscript() {
        return startOfTranscript;
    }

    public int transcribe() {
        return transcribe;
    }

    public int translate() {
        return translate;
    }

    public int noTimestamps() {
        return noTimestamps;
    }

    /** Language code ({@code en}, {@code zh}, ...) to its token id, for the codes this vocabulary has. */
    public Map<String, Integer> languages() {
        return languages;
    }

    /** The id of a token given in its vocabulary spelling (e.g. {@code "Ġ"} for a space), or -1. */
    public int id(String token) {
        return ids.getOrDefault(token, -1);
    }

    /** The language code of a language token id, or null. */
    public String languageOf(int id) {
        for (Map.Entry<String, Integer> e : languages.entrySet()) {
            if (e.getValue() == id) {
                return e.getKey();
            }
        }
        return null;
    }

    /**
     * The text of a token sequence: special tokens (and ids the vocabulary lacks) are left out, the
     * rest read back to bytes and decoded as UTF-8.
     */
    public String decode(List<Integer> sequence) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int id : sequence) {
            String token = tokens.get(id);
            if (token == null || special.contains(id)) {
                continue;
            }
            for (int k = 0; k < token.length(); k++) {
                char c = token.charAt(k);
                int b = c < BYTE_OF_CHAR.length ? BYTE_OF_CHAR[c] : -1;
                if (b < 0) {
                    // not a byte-level character: keep it as its own UTF-8
                    bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
                } else {
                    bytes.write(b);
                }
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** GPT-2's {@code bytes_to_unicode}, inverted: character code to the byte it stands for, or -1. */
    private static int[] byteDecoder() {
        int[] decoder = new int[512];
        java.util.Arrays.fill(decoder, -1);
        int shifted = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            if (printable) {
                decoder[b] = b;
            } else {
                decoder[256 + shifted++] = b;
            }
        }
        return decoder;
    }
}
