package dev.ttsqueue.inference.f5.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class F5TokenizerTest {
    @Test
    void latinGoesInCharacterByCharacter() {
        assertEquals(List.of("H", "e", "l", "l", "o", ",", " ", "w", "o", "r", "l", "d", "!"), F5Tokenizer.tokens("Hello, world!"));
    }

    @Test
    void aWordRightAfterPunctuationGetsASpace() {
        // jieba cuts "hi", ",", "there"; upstream inserts a space before a multi-character ASCII word
        assertEquals(List.of("h", "i", ",", " ", "t", "h", "e", "r", "e"), F5Tokenizer.tokens("hi,there"));
        // but not after a colon or a quote, nor before a single character
        assertEquals(List.of("a", ":", "b", "c"), F5Tokenizer.tokens("a:bc"));
        assertEquals(List.of("x", ",", "y"), F5Tokenizer.tokens("x,y"));
    }

    @Test
    void digitsAreCharacters() {
        assertEquals(List.of("i", "n", " ", "2", "0", "2", "4", "."), F5Tokenizer.tokens("in 2024."));
        assertEquals(List.of("a", "1", "b", "2"), F5Tokenizer.tokens("a1b2"));
    }

    @Test
    void quotesAndSemicolonsAreNormalisedFirst() {
        assertEquals(List.of("\"", "H", "i", "\"", ",", " ", "o", "k", "'", "s"), F5Tokenizer.tokens("\u201CHi\u201D; ok\u2019s"));
    }

    @Test
    void chineseBecomesSpacedTonePinyin() {
        assertEquals(List.of(" ", "zhong1", " ", "wen2"), F5Tokenizer.tokens("中文"));
        // third-tone sandhi: ni3 hao3 -> ni2 hao3, as pypinyin with tone_sandhi
        assertEquals(List.of(" ", "ni2", " ", "hao3", "。"), F5Tokenizer.tokens("你好。"));
        // neutral tone has no digit; u-umlaut is written v
        assertEquals(List.of(" ", "lv4", " ", "se4", " ", "de"), F5Tokenizer.tokens("绿色的"));
    }

    @Test
    void polyphonesFollowTheWord() {
        assertEquals(List.of(" ", "yin2", " ", "hang2"), F5Tokenizer.tokens("银行"));
        assertEquals(List.of(" ", "xing2"), F5Tokenizer.tokens("行"));
        // one jieba word; inside it 银行 and 行长 each read as a word: hang2 both times, not xing2
        assertEquals(List.of(" ", "yin2", " ", "hang2", " ", "hang2", " ", "zhang3"), F5Tokenizer.tokens("银行行长"));
        assertEquals(List.of(" ", "ta1", " ", "zhang3", " ", "da4", " ", "le"), F5Tokenizer.tokens("他长大了"));
    }

    @Test
    void toneSandhiStaysInsideWords() {
        // 展览馆 is one word: both third tones before a third become second
        assertEquals(List.of(" ", "zhan2", " ", "lan2", " ", "guan3"), F5Tokenizer.tokens("展览馆"));
        // 我 / 很 / 好 are three words for jieba, so upstream (pypinyin per word) keeps every third tone
        assertEquals(List.of(" ", "wo3", " ", "hen3", " ", "hao3"), F5Tokenizer.tokens("我很好"));
    }

    @Test
    void onlyUpstreamsChineseRangeBecomesPinyin() {
        // U+3100..U+9FFF is Chinese for upstream; extension B (U+20000) and compatibility
        // ideographs (U+F900) go in as themselves, with no space before them
        assertEquals(List.of("\uD840\uDC00"), F5Tokenizer.tokens("\uD840\uDC00"));
        assertEquals(List.of("\uF900"), F5Tokenizer.tokens("\uF900"));
        assertEquals(List.of(" ", "\u3105"), F5Tokenizer.tokens("\u3105"), "Bopomofo is in the range but has no reading");
    }

    @Test
    void buAndYiChangeBeforeAFourthTone() {
        assertEquals(List.of(" ", "bu2", " ", "shi4"), F5Tokenizer.tokens("不是"));
        assertEquals(List.of(" ", "yi2", " ", "ge4"), F5Tokenizer.tokens("一个"));
        assertEquals(List.of(" ", "yi4", " ", "tian1"), F5Tokenizer.tokens("一天"));
    }

    @Test
    void mixedScriptsGetSpacesAtTheSeams() {
        assertEquals(List.of(" ", "wo3", " ", "shuo1", " ", "h", "e", "l", "l", "o", "，", " ", "ni2", " ", "hao3"),
                F5Tokenizer.tokens("我说hello，你好"));
    }

    @Test
    void otherCharactersPassThrough() {
        assertEquals(List.of("c", "a", "f", "é"), F5Tokenizer.tokens("café"));
    }

    @Test
    void idsUseLineNumbersAndZeroForUnknown() {
        Vocabulary v = Vocabulary.parse(" \na\nb\nni2\nhao3\n", "test");
        F5Tokenizer t = new F5Tokenizer(v);
        assertArrayEquals(new int[] {1, 0, 2, 0, 3, 0, 4, 0}, t.ids("a b你好?"));
    }
}
