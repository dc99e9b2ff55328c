package dev.ttsqueue.inference.f5.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Text to F5 token ids, following upstream {@code convert_char_to_pinyin} +
 * {@code list_str_to_idx}: quotes and {@code ;} normalised first; Latin text character by
 * character, with a space inserted before a word of two or more ASCII characters that follows
 * anything but a space, colon or quote (what upstream's jieba segmentation produces); each Chinese
 * character becomes a space and its tone-numbered pinyin syllable; other characters (full-width
 * punctuation, accented letters) go in as themselves. Unknown tokens get id 0.
 *
 * <p>Word boundaries come from runs of ASCII letters and digits rather than jieba, an
 * approximation that matches jieba on ordinary English text.
 */
public final class F5Tokenizer {
    private static final String NO_SPACE_AFTER = " :'\"";

    private final Vocabulary vocabulary;

    public F5Tokenizer(Vocabulary vocabulary) {
        this.vocabulary = vocabulary;
    }

    /** Upstream's character translation applied before tokenising. */
    public static String normalize(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case ';' -> sb.append(',');
                case '\u201C', '\u201D' -> sb.append('"');
                case '\u2018', '\u2019' -> sb.append('\'');
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    /** The token strings for {@code text}. */
    public static List<String> tokens(String text) {
        String s = normalize(text);
        List<String> out = new ArrayList<>(s.length() + 8);
        int i = 0;
        int n = s.length();
        while (i < n) {
            int cp = s.codePointAt(i);
            if (PinyinConverter.isChinese(cp)) {
                int j = i;
                while (j < n && PinyinConverter.isChinese(s.codePointAt(j))) {
                    j += Character.charCount(s.codePointAt(j));
                }
                for (String syllable : PinyinConverter.toPinyin(s.substring(i, j))) {
                    out.add(" ");
                    out.add(syllable);
                }
                i = j;
            } else if (isAsciiAlnum(cp)) {
                int j = i;
                while (j < n && isAsciiAlnum(s.charAt(j))) {
                    j++;
                }
                if (!out.isEmpty() && j - i > 1 && NO_SPACE_AFTER.indexOf(out.get(out.size() - 1)) < 0) {
                    out.add(" ");
                }
                for (int k = i; k < j; k++) {
                    out.add(String.valueOf(s.charAt(k)));
                }
                i = j;
            } else {
                out.add(new String(Character.toChars(cp)));
                i += Character.charCount(cp);
            }
        }
        return out;
    }

    /** Token ids for {@code text}; never empty for non-empty text. */
    public int[] ids(String text) {
        List<String> tokens = tokens(text);
        int[] ids = new int[tokens.size()];
        for (int k = 0; k < ids.length; k++) {
            ids[k] = vocabulary.id(tokens.get(k));
        }
        return ids;
    }

    private static boolean isAsciiAlnum(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }
}
