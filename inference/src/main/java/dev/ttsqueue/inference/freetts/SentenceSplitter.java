package dev.ttsqueue.inference.freetts;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts text into sentences: after a run of {@code . ! ? …} (and any closing quotes or brackets)
 * that is followed by white space or the end of the text. Pieces without a single letter or
 * digit (stray punctuation) are dropped, since they would produce no speech. Abbreviations such
 * as "Mr." end a sentence too; that only costs a slightly longer pause.
 */
final class SentenceSplitter {
    private SentenceSplitter() {
    }

    static List<String> split(String text) {
        List<String> sentences = new ArrayList<>();
        int start = 0;
        int i = 0;
        int n = text.length();
        while (i < n) {
            if (isTerminator(text.charAt(i))) {
                int end = i + 1;
                while (end < n && (isTerminator(text.charAt(end)) || isCloser(text.charAt(end)))) {
                    end++;
                }
                if (end == n || Character.isWhitespace(text.charAt(end))) {
                    add(sentences, text.substring(start, end));
                    start = end;
                }
                i = end;
            } else {
                i++;
            }
        }
        add(sentences, text.substring(start));
        return sentences;
    }

    static boolean isSpeakable(String text) {
        return text.codePoints().anyMatch(Character::isLetterOrDigit);
    }

    private static void add(List<String> sentences, String piece) {
        String s = piece.strip();
        if (isSpeakable(s)) {
            sentences.add(s);
        }
    }

    private static boolean isTerminator(char c) {
        return c == '.' || c == '!' || c == '?' || c == '\u2026';
    }

    private static boolean isCloser(char c) {
        return c == '"' || c == '\'' || c == ')' || c == ']' || c == '\u201D' || c == '\u2019' || c == '\u00BB';
    }
}
