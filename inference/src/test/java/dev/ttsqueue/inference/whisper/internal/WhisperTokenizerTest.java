package dev.ttsqueue.inference.whisper.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.inference.whisper.WhisperModelException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WhisperTokenizerTest {
    @TempDir
    Path tmp;

    private static final String SPECIALS = "{\"<|endoftext|>\": 50257, \"<|startoftranscript|>\": 50258, \"<|en|>\": 50259,"
            + " \"<|yue|>\": 50358, \"<|translate|>\": 50359, \"<|transcribe|>\": 50360, \"<|notimestamps|>\": 50364}";

    @Test
    void byteLevelTokensDecodeToUtf8AndSpecialsAreDropped() throws IOException {
        // "Ġ" is the byte 0x20; "Ã©" are the bytes C3 A9, UTF-8 for "é"; "Ċ" is 0x0A
        Files.writeString(tmp.resolve("vocab.json"), "{\"\\u0120caf\": 5, \"\\u00c3\\u00a9\": 6, \"\\u010a\": 7, \"!\": 0}");
        Files.writeString(tmp.resolve("added_tokens.json"), SPECIALS);
        WhisperTokenizer t = WhisperTokenizer.load(tmp);
        assertEquals(" café\n!", t.decode(List.of(50258, 50259, 5, 6, 7, 0, 50257)));
        assertEquals(50257, t.endOfText());
        assertEquals(50258, t.startOfTranscript());
        assertEquals(50360, t.transcribe());
        assertEquals(50364, t.noTimestamps());
        assertEquals(Map.of("en", 50259, "yue", 50358), t.languages());
        assertEquals("en", t.languageOf(50259));
    }

    @Test
    void aSplitMultiByteCharacterDecodesAcrossTokens() throws IOException {
        Files.writeString(tmp.resolve("vocab.json"), "{\"\\u00c3\": 1, \"\\u00a9\": 2}");
        Files.writeString(tmp.resolve("added_tokens.json"), SPECIALS);
        WhisperTokenizer t = WhisperTokenizer.load(tmp);
        assertEquals("é", t.decode(List.of(1, 2)));
        assertEquals("\uFFFD", t.decode(List.of(1)), "a lone lead byte reads as U+FFFD, as Python's errors='replace'");
    }

    @Test
    void aTokenizerWithoutWhisperTokensIsRefused() throws IOException {
        Files.writeString(tmp.resolve("tokenizer.json"), "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}}, \"added_tokens\": []}");
        WhisperModelException e = assertThrows(WhisperModelException.class, () -> WhisperTokenizer.load(tmp));
        assertTrue(e.getMessage().contains("lacks the Whisper special tokens <|endoftext|>"), e.getMessage());
    }

    @Test
    void brokenJsonNamesTheFileAndOffset() throws IOException {
        Files.writeString(tmp.resolve("tokenizer.json"), "{\"model\": [1, 2,, 3]}");
        WhisperModelException e = assertThrows(WhisperModelException.class, () -> WhisperTokenizer.load(tmp));
        assertTrue(e.getMessage().contains("tokenizer.json is not valid JSON: invalid JSON at offset 16"), e.getMessage());
    }

    @Test
    void jsonReaderHandlesEscapesNumbersAndNesting() {
        assertEquals(Map.of("a", List.of(1L, -2.5, true, false), "b", "x\"y\u00e9\n"),
                Json.parse(" {\"a\": [1, -2.5e0, true, false], \"b\": \"x\\\"y\\u00e9\\n\"} "));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("[1] 2"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("\"open"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("[".repeat(1000)));
    }
}
