package dev.ttsqueue.inference.f5.internal;

import dev.ttsqueue.inference.f5.F5ModelException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The F5 {@code vocab.txt}: one token per line, id = 0-based line number. Line 0 is a single space,
 * which is also the id of every unknown token (as upstream). A token listed twice keeps its last
 * line, like the Python dict upstream builds.
 */
public final class Vocabulary {
    private final Map<String, Integer> ids;

    private Vocabulary(Map<String, Integer> ids) {
        this.ids = ids;
    }

    /**
     * Reads a vocab file.
     *
     * @throws F5ModelException when the file is missing, not UTF-8, empty, or line 0 is not a single space
     */
    public static Vocabulary load(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new F5ModelException("Cannot read vocabulary " + file + ": " + e.getMessage(), e);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new F5ModelException("Vocabulary " + file + " is not UTF-8 text");
        }
        return parse(text, file.toString());
    }

    static Vocabulary parse(String text, String source) {
        List<String> lines = List.of(text.split("\n", -1));
        int count = text.endsWith("\n") ? lines.size() - 1 : lines.size();
        if (count == 0 || text.isEmpty()) {
            throw new F5ModelException("Vocabulary " + source + " is empty");
        }
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < count; i++) {
            String token = lines.get(i);
            if (token.endsWith("\r")) {
                token = token.substring(0, token.length() - 1);
            }
            ids.put(token, i);
        }
        if (!" ".equals(stripCr(lines.get(0)))) {
            throw new F5ModelException("Vocabulary " + source
                    + " does not look like an F5 vocab.txt: its first line must be a single space (the id of unknown tokens)");
        }
        return new Vocabulary(ids);
    }

    private static String stripCr(String s) {
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    /** The id of {@code token}, or 0 (the space) when the vocabulary lacks it. */
    public int id(String token) {
        return ids.getOrDefault(token, 0);
    }

    public boolean contains(String token) {
        return ids.containsKey(token);
    }

    public int size() {
        return ids.size();
    }
}
