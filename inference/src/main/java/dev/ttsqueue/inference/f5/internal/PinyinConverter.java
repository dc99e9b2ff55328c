package dev.ttsqueue.inference.f5.internal;

import java.util.ArrayList;
import java.util.List;
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
 * ({@code ni3}, {@code lv4}, neutral tone without a digit), using pinyin4j and its phrase table for
 * polyphones. An approximation of upstream's jieba + pypinyin: word segmentation and the tone
 * sandhi below are simpler than pypinyin's, so a few polyphones and sandhi cases differ.
 *
 * <p>Sandhi applied (pypinyin {@code tone_sandhi=True} does these and more): a third tone before a
 * third tone becomes second; 不 before a fourth tone becomes {@code bu2}; 一 before a fourth tone
 * becomes {@code yi2} and before another tone {@code yi4}.
 */
public final class PinyinConverter {
    private static final Pattern SYLLABLE = Pattern.compile("[a-z]+[1-5]");
    private static final HanyuPinyinOutputFormat FORMAT = new HanyuPinyinOutputFormat();

    static {
        FORMAT.setToneType(HanyuPinyinToneType.WITH_TONE_NUMBER);
        FORMAT.setVCharType(HanyuPinyinVCharType.WITH_V);
        FORMAT.setCaseType(HanyuPinyinCaseType.LOWERCASE);
    }

    private PinyinConverter() {
    }

    /** True for CJK unified (and compatibility) ideographs, the characters upstream turns into pinyin. */
    public static boolean isChinese(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF)
                || (cp >= 0x3400 && cp <= 0x4DBF)
                || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2CEAF)
                || (cp >= 0xF900 && cp <= 0xFAFF)
                || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }

    /**
     * One syllable per code point of {@code run} (a run of Chinese characters); a character
     * pinyin4j does not know stays as itself, as pypinyin leaves it.
     */
    public static List<String> toPinyin(String run) {
        int[] cps = run.codePoints().toArray();
        List<String> syllables = phraseAware(run, cps.length);
        if (syllables == null) {
            syllables = new ArrayList<>(cps.length);
            for (int cp : cps) {
                syllables.add(single(cp));
            }
        }
        applySandhi(cps, syllables);
        List<String> out = new ArrayList<>(syllables.size());
        for (String s : syllables) {
            out.add(s.endsWith("5") ? s.substring(0, s.length() - 1) : s);
        }
        return out;
    }

    /** Reads pinyin4j's phrase-aware rendering; null when it does not give one syllable per character. */
    private static List<String> phraseAware(String run, int count) {
        String rendered;
        try {
            rendered = PinyinHelper.toHanYuPinyinString(run, FORMAT, " ", false);
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
}
