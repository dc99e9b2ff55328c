package dev.ttsqueue.inference.f5.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Chunking, reference-text endings and byte lengths, against cases worked out by hand from upstream's rules. */
class TextRulesTest {
    @Test
    void sentencesArePackedGreedilyByBytes() {
        // sentences of 12, 15 and 17 bytes; 13 (with its space) + 15 = 28 <= 30, then 29 + 17 > 30
        assertEquals(List.of("Hello world. This is a test.", "Another one here."),
                TextChunker.chunk("Hello world. This is a test. Another one here.", 30));
    }

    @Test
    void everythingFitsInOneChunkUnderALargeLimit() {
        assertEquals(List.of("One, two; three: four! Five? Six."),
                TextChunker.chunk("One, two; three: four! Five? Six.", 259));
    }

    @Test
    void splitsNeedWhitespaceAfterHalfWidthMarks() {
        assertEquals(List.of("a,b.c"), TextChunker.chunk("a,b.c", 1));
        assertEquals(List.of("a,", "b.", "c"), TextChunker.chunk("a, b.\tc", 1));
    }

    @Test
    void fullWidthMarksSplitWithoutWhitespace() {
        // 9 + 9 = 18 <= 20, then 18 + 15 > 20; no space is added after a three-byte character
        assertEquals(List.of("你好，世界。", "今天很好！"), TextChunker.chunk("你好，世界。今天很好！", 20));
    }

    @Test
    void aSentenceLongerThanTheLimitStandsAlone() {
        assertEquals(List.of("Short.", "This sentence is far too long.", "End."),
                TextChunker.chunk("Short. This sentence is far too long. End.", 10));
    }

    @Test
    void maxCharsFollowsTheReferencePace() {
        assertEquals(259, TextChunker.maxChars(13, 1.05, 1.0));
        assertEquals(68, TextChunker.maxChars(20, 5.0, 1.0));
        assertEquals(34, TextChunker.maxChars(20, 5.0, 0.5));
    }

    @Test
    void referenceTextEndsWithAFullStop() {
        assertEquals("Hello. ", F5Text.normalizeRefTextEnding("Hello"));
        assertEquals("Hello. ", F5Text.normalizeRefTextEnding("Hello."));
        assertEquals("Hello. ", F5Text.normalizeRefTextEnding("Hello. "));
        assertEquals("你好。", F5Text.normalizeRefTextEnding("你好。"));
        assertEquals("你好. ", F5Text.normalizeRefTextEnding("你好"));
        assertEquals("Hello.  ", F5Text.withTrailingGap("Hello. "));
        assertEquals("你好。", F5Text.withTrailingGap("你好。"));
    }

    @Test
    void durationLengthIsBytesAsUpstreamUnlessPausesAreWeighted() {
        // upstream F5-TTS counts UTF-8 bytes only; the ONNX script's pause pattern never matches
        assertEquals(5, F5Text.durationLength("Hello", 0));
        assertEquals(9, F5Text.durationLength("你好。", 0));
        assertEquals(21, F5Text.durationLength("。，、；：？！", 0));
        // the optional weighting adds its bytes per full-width pause mark, never for ASCII marks
        assertEquals(9 + 3, F5Text.durationLength("你好。", 3));
        assertEquals(3 * 7 + 7 * 3, F5Text.durationLength("。，、；：？！", 3));
        assertEquals(6, F5Text.durationLength("a;b:c?", 3));
    }

    @Test
    void durationIsAtLeastOneFrameMorePerTextIdThanThereAreIds() {
        // 1.0 s reference (ref_len 94); a 150-byte transcript fed as 152 bytes: the formula gives
        // 94 + int(94 / 152 * 4 / 0.3) = 102 frames for "Hey." but ref + gen text is 156 ids, so
        // upstream's lower bound of 157 applies
        F5Planner planner = new F5Planner(new F5Tokenizer(Vocabulary.parse(" \n", "test")), 4096);
        String ref = "a".repeat(149) + ".";
        List<F5Pipeline.ChunkPlan> plans = planner.plan(24_000, ref, "Hey.", 1.0);
        assertEquals(ref.length() + 2 + 4, plans.get(0).textIds().length);
        assertEquals(ref.length() + 2 + 4 + 1, plans.get(0).maxDuration());
    }

    @Test
    void aChunkOverTheFrameLimitIsSplitAtWords() {
        // 2.0 s reference: ref_len 188, "Hi there.  " = 11 bytes; limit 500 leaves 312 frames, so a
        // piece of 10 bytes or more may have int(188 / 11 * bytes) <= 312, i.e. at most 18 bytes;
        // under 10 bytes speed 0.3 applies, so "five six" (8 bytes, 455 frames) does not fit but
        // "five six seven" (14 bytes, 239) does
        F5Planner planner = new F5Planner(new F5Tokenizer(Vocabulary.parse(" \n", "test")), 500);
        List<F5Pipeline.ChunkPlan> plans = planner.plan(48_000, "Hi there.", "one two three four five six seven eight nine", 1.0);
        assertEquals(List.of("one two three four", "five six seven", "eight nine"), plans.stream().map(F5Pipeline.ChunkPlan::text).toList());
        assertEquals(188 + (int) (188 / 11.0 * 18), plans.get(0).maxDuration());
        for (F5Pipeline.ChunkPlan p : plans) {
            assertTrue(p.maxDuration() <= 500, p.text() + " " + p.maxDuration());
        }
    }

    @Test
    void chineseTextOverTheLimitIsSplitBetweenCharacters() {
        // between characters, not before the full stop; after the space
        assertEquals(List.of(0, 1, 2, 3, 4, 7, 8, 9), F5Planner.wordBoundaries("我们去银行。 你好"));
    }

    @Test
    void aWordThatCannotFitIsRefusedClearly() {
        F5Planner planner = new F5Planner(new F5Tokenizer(Vocabulary.parse(" \n", "test")), 200);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> planner.plan(48_000, "Hi there.", "Extraordinarily long words.", 1.0));
        assertTrue(e.getMessage().startsWith("The text cannot be spoken within the model's 200 frames: the reference audio takes 188"
                + " of them and \"Extraordinarily\" alone needs"), e.getMessage());
    }

    @Test
    void plannerAppliesTheDurationFormula() {
        F5Planner planner = new F5Planner(new F5Tokenizer(Vocabulary.parse(" \n", "test")), 4096);
        // 2.0 s reference = 48000 samples: ref_len = 48000 // 256 + 1 = 188; "Hi there." -> "Hi there.  " = 11 bytes
        List<F5Pipeline.ChunkPlan> plans = planner.plan(48_000, "Hi there.", "Good morning to you.", 1.0);
        assertEquals(1, plans.size());
        assertEquals(188 + (int) (188 / 11.0 * 20), plans.get(0).maxDuration());
        assertEquals(188 + 341, plans.get(0).maxDuration());
        assertEquals(("Hi there.  " + "Good morning to you.").length(), plans.get(0).textIds().length);
    }
}
