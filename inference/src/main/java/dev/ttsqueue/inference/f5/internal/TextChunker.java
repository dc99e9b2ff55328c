package dev.ttsqueue.inference.f5.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Upstream F5-TTS {@code chunk_text}: split into sentences after {@code ; : , . ! ?} followed by
 * whitespace (the whitespace is dropped) and right after the full-width marks {@code ；：，。！？};
 * then pack sentences greedily while the chunk's UTF-8 length plus the next sentence's stays within
 * {@code maxChars}. A sentence ending in a one-byte character is followed by a space inside its
 * chunk; chunks are trimmed. A sentence longer than {@code maxChars} becomes a chunk of its own.
 */
public final class TextChunker {
    private static final String HALF_WIDTH_STOPS = ";:,.!?";
    private static final String FULL_WIDTH_STOPS = "；：，。！？";

    private TextChunker() {
    }

    /**
     * Upstream {@code max_chars = int(ref_bytes / ref_seconds * (22 - ref_seconds) * speed)}.
     */
    public static int maxChars(int refTextBytes, double refSeconds, double speed) {
        return (int) (refTextBytes / refSeconds * (22 - refSeconds) * speed);
    }

    public static List<String> chunk(String text, int maxChars) {
        List<String> chunks = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int currentBytes = 0;
        for (String sentence : sentences(text)) {
            if (sentence.isEmpty()) {
                continue;
            }
            int sentenceBytes = F5Text.utf8Length(sentence);
            String piece = endsWithOneByteChar(sentence) ? sentence + " " : sentence;
            if (currentBytes + sentenceBytes <= maxChars) {
                current.append(piece);
                currentBytes += F5Text.utf8Length(piece);
            } else {
                if (current.length() > 0) {
                    chunks.add(current.toString().strip());
                }
                current.setLength(0);
                current.append(piece);
                currentBytes = F5Text.utf8Length(piece);
            }
        }
        if (current.length() > 0) {
            chunks.add(current.toString().strip());
        }
        return chunks;
    }

    /** The sentence split of upstream's regex {@code (?<=[;:,.!?])\s+|(?<=[；：，。！？])}. */
    static List<String> sentences(String text) {
        List<String> out = new ArrayList<>();
        int start = 0;
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (HALF_WIDTH_STOPS.indexOf(c) >= 0 && i + 1 < n && isWhitespace(text.charAt(i + 1))) {
                out.add(text.substring(start, i + 1));
                int j = i + 1;
                while (j < n && isWhitespace(text.charAt(j))) {
                    j++;
                }
                start = j;
                i = j;
                continue;
            }
            if (FULL_WIDTH_STOPS.indexOf(c) >= 0) {
                out.add(text.substring(start, i + 1));
                start = i + 1;
            }
            i++;
        }
        out.add(text.substring(start));
        return out;
    }

    private static boolean endsWithOneByteChar(String s) {
        return F5Text.isOneByte(s.codePointBefore(s.length()));
    }

    /** Python's {@code \s} on str: ASCII whitespace, the separators and a few control characters. */
    private static boolean isWhitespace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
    }
}
