package dev.ttsqueue.inference.f5.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
    void durationLengthAddsThreePerChinesePause() {
        assertEquals(5, F5Text.durationLength("Hello"));
        assertEquals(9 + 3, F5Text.durationLength("你好。"));
        assertEquals(3 * 7 + 7 * 3, F5Text.durationLength("。，、；：？！"));
        assertEquals(6, F5Text.durationLength("a;b:c?"));
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
