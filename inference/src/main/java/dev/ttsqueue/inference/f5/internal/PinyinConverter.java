package dev.ttsqueue.inference.f5.internal;

import com.huaban.analysis.jieba.JiebaSegmenter;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.sourceforge.pinyin4j.PinyinHelper;
import net.sourceforge.pinyin4j.format.HanyuPinyinCaseType;
import net.sourceforge.pinyin4j.format.HanyuPinyinOutputFormat;
import net.sourceforge.pinyin4j.format.HanyuPinyinToneType;
import net.sourceforge.pinyin4j.format.HanyuPinyinVCharType;
import net.sourceforge.pinyin4j.format.exception.BadHanyuPinyinOutputFormatCombination;

/**
 * Chinese characters to tone-numbered pinyin in the style of pypinyin {@code Style.TONE3}
 * ({@code ni3}, {@code lv4}, neutral tone without a digit), decided word by word as upstream
 * F5-TTS does with jieba and pypinyin:
 *
 * <ol>
 *   <li>the run is cut into words by jieba (its Java port, with jieba's dictionary);</li>
 *   <li>inside each word, the longest entries of the project's polyphone list
 *       ({@code polyphone-words.txt}: words whose reading pinyin4j gets wrong, such as 行长
 *       {@code hang2 zhang3}) win, then pinyin4j's phrase table, then each character's first reading;</li>
 *   <li>tone sandhi applies within the word only, as pypinyin's {@code tone_sandhi=True} does on
 *       each word it is given: a third tone before a third tone becomes second; 不 before a fourth
 *       tone becomes {@code bu2}; 一 before a fourth tone becomes {@code yi2} and before another
 *       tone {@code yi4}.</li>
 * </ol>
 *
 * So 银行行长 is {@code yin2 hang2 hang2 zhang3}, and 我很好 (three words) keeps its three third
 * tones as upstream does. pypinyin's phrase dictionary is far larger than pinyin4j's tables plus
 * the list, so rarer polyphones can still differ.
 */
public final class PinyinConverter {
    private static final Pattern SYLLABLE = Pattern.compile("[a-z]+[1-5]");
    private static final HanyuPinyinOutputFormat FORMAT = new HanyuPinyinOutputFormat();
    private static final Map<String, List<String>> POLYPHONES = loadPolyphones();
    private static final int LONGEST_POLYPHONE = POLYPHONES.keySet().stream().mapToInt(String::length).max().orElse(1);

    static {
        FORMAT.setToneType(HanyuPinyinToneType.WITH_TONE_NUMBER);
        FORMAT.setVCharType(HanyuPinyinVCharType.WITH_V);
        FORMAT.setCaseType(HanyuPinyinCaseType.LOWERCASE);
    }

    /** jieba loads its dictionary (a few seconds) on first use, so only Chinese text pays for it. */
    private static final class Segmenter {
        static final JiebaSegmenter JIEBA = new JiebaSegmenter();
    }

    private PinyinConverter() {
    }

    /**
     * True for the characters upstream turns into pinyin: its {@code is_chinese} is
     * {@code "\u3100" <= c <= "\u9fff"} (Bopomofo to the end of the unified ideographs).
     */
    public static boolean isChinese(int cp) {
        return cp >= 0x3100 && cp <= 0x9FFF;
    }

    /**
     * One syllable per code point of {@code run} (a run of Chinese characters); a character with
     * no known reading stays as itself, as pypinyin leaves it.
     */
    public static List<String> toPinyin(String run) {
        List<String> out = new ArrayList<>(run.length());
        for (String word : words(run)) {
            int[] cps = word.codePoints().toArray();
            List<String> syllables = wordPinyin(word, cps);
            applySandhi(cps, syllables);
            for (String s : syllables) {
                out.add(s.endsWith("5") ? s.substring(0, s.length() - 1) : s);
            }
        }
        return out;
    }

    /** jieba's words of {@code run}; the whole run as one word should jieba not give back every character. */
    static List<String> words(String run) {
        List<String> words = Segmenter.JIEBA.sentenceProcess(run);
        return String.join("", words).equals(run) ? words : List.of(run);
    }

    private static List<String> wordPinyin(String word, int[] cps) {
        List<String> out = new ArrayList<>(cps.length);
        int i = 0;
        int stretch = 0;
        while (i < cps.length) {
            List<String> listed = null;
            int len = Math.min(LONGEST_POLYPHONE, cps.length - i);
            for (; len >= 2 && listed == null; len--) {
                listed = POLYPHONES.get(new String(cps, i, len));
            }
            if (listed == null) {
                i++;
                continue;
            }
            out.addAll(tables(cps, stretch, i));
            out.addAll(listed);
            i += listed.size();
            stretch = i;
        }
        out.addAll(tables(cps, stretch, cps.length));
        return out;
    }

    /** pinyin4j's phrase-aware reading of {@code cps[from, to)}, else each character's first reading. */
    private static List<String> tables(int[] cps, int from, int to) {
        if (from >= to) {
            return List.of();
        }
        List<String> syllables = phraseAware(new String(cps, from, to - from), to - from);
        if (syllables == null) {
            syllables = new ArrayList<>(to - from);
            for (int k = from; k < to; k++) {
                syllables.add(single(cps[k]));
            }
        }
        return syllables;
    }

    /** Reads pinyin4j's phrase-aware rendering; null when it does not give one syllable per character. */
    private static List<String> phraseAware(String text, int count) {
        String rendered;
        try {
            rendered = PinyinHelper.toHanYuPinyinString(text, FORMAT, " ", false);
        } catch (BadHanyuPinyinOutputFormatCombination e) {
            return null;
        }
        if (rendered == null) {
            return null;
        }
        List<String> syllables = new ArrayList<>(count);
        Matcher m = SYLLABLE.matcher(rendered);
        while (m.find()) {
            syllables.add(m.group());
        }
        return syllables.size() == count ? syllables : null;
    }

    private static String single(int cp) {
        if (Character.isBmpCodePoint(cp)) {
            try {
                String[] all = PinyinHelper.toHanyuPinyinStringArray((char) cp, FORMAT);
                if (all != null && all.length > 0) {
                    return all[0];
                }
            } catch (BadHanyuPinyinOutputFormatCombination e) {
                // falls through to the character itself, like pypinyin for unknown characters
            }
        }
        return new String(Character.toChars(cp));
    }

    private static void applySandhi(int[] cps, List<String> s) {
        for (int i = 0; i + 1 < s.size(); i++) {
            int next = tone(s.get(i + 1));
            if (cps[i] == '不' && next == 4) {
                s.set(i, "bu2");
            } else if (cps[i] == '一' && next > 0) {
                s.set(i, next == 4 ? "yi2" : "yi4");
            } else if (tone(s.get(i)) == 3 && next == 3) {
                s.set(i, s.get(i).substring(0, s.get(i).length() - 1) + "2");
            }
        }
    }

    private static int tone(String syllable) {
        char last = syllable.charAt(syllable.length() - 1);
        return last >= '1' && last <= '5' ? last - '0' : 0;
    }

    private static Map<String, List<String>> loadPolyphones() {
        Map<String, List<String>> m = new HashMap<>();
        try (InputStream in = PinyinConverter.class.getResourceAsStream("polyphone-words.txt")) {
            if (in == null) {
                throw new IllegalStateException("polyphone-words.txt is missing from the inference jar");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                String t = line.strip();
                if (t.isEmpty() || t.startsWith("#")) {
                    continue;
                }
                String[] parts = t.split("\\s+");
                List<String> syllables = Arrays.asList(parts).subList(1, parts.length);
                if (syllables.size() != parts[0].codePointCount(0, parts[0].length())) {
                    throw new IllegalStateException("polyphone-words.txt: '" + t + "' needs one syllable per character");
                }
                m.put(parts[0], List.copyOf(syllables));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.copyOf(m);
    }
}
