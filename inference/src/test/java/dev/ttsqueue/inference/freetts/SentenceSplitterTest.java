package dev.ttsqueue.inference.freetts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class SentenceSplitterTest {

    @Test
    void splitsAfterTerminatorsFollowedBySpace() {
        assertEquals(List.of("Hello there.", "How are you?", "Fine!"), SentenceSplitter.split("Hello there. How are you?  Fine!"));
    }

    @Test
    void keepsDecimalsAndTimesTogether() {
        assertEquals(List.of("It costs 3.50 at 10.30 today."), SentenceSplitter.split("It costs 3.50 at 10.30 today."));
    }

    @Test
    void closingQuotesStayWithTheirSentence() {
        assertEquals(List.of("He said \"stop.\"", "Then ran."), SentenceSplitter.split("He said \"stop.\" Then ran."));
        // A bracketed exclamation ends a sentence too: the rule looks only at the characters.
        assertEquals(List.of("Then (quietly!)", "left."), SentenceSplitter.split("Then (quietly!) left."));
    }

    @Test
    void runsOfTerminatorsAndEllipsis() {
        assertEquals(List.of("Wait...", "What?!", "Hmm\u2026", "ok"), SentenceSplitter.split("Wait... What?! Hmm\u2026 ok"));
    }

    @Test
    void newlinesSeparateLikeSpaces() {
        assertEquals(List.of("One.", "Two."), SentenceSplitter.split("One.\nTwo."));
        assertEquals(List.of("no terminator at all"), SentenceSplitter.split("  no terminator at all  "));
    }

    @Test
    void piecesWithoutLettersOrDigitsAreDropped() {
        assertEquals(List.of("Real.", "Also real."), SentenceSplitter.split("Real. ... !!! Also real. ?"));
        assertEquals(List.of(), SentenceSplitter.split("... -- !?"));
        assertEquals(List.of(), SentenceSplitter.split(""));
        assertEquals(List.of("42."), SentenceSplitter.split("42."));
    }
}
