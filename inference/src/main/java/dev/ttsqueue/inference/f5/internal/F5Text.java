package dev.ttsqueue.inference.f5.internal;

import java.nio.charset.StandardCharsets;

/** Text rules of upstream F5-TTS that the duration and chunking formulas depend on. */
public final class F5Text {
    /**
     * Chinese pause marks. The F5-TTS-ONNX inference script means to add 3 to a text's byte length
     * for each, but its pattern is the seven marks as one literal string, which ordinary text never
     * contains, and upstream F5-TTS adds nothing: so by default nothing is added here either.
     */
    private static final String CHINESE_PAUSES = "。，、；：？！";

    private F5Text() {
    }

    public static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    /**
     * The length the duration formula uses: UTF-8 bytes, plus {@code pauseBytes} per Chinese pause
     * mark (0 = upstream's rule).
     */
    public static int durationLength(String s, int pauseBytes) {
        int pauses = 0;
        if (pauseBytes != 0) {
            for (int i = 0; i < s.length(); i++) {
                if (CHINESE_PAUSES.indexOf(s.charAt(i)) >= 0) {
                    pauses++;
                }
            }
        }
        return utf8Length(s) + pauseBytes * pauses;
    }

    /**
     * Upstream {@code preprocess_ref_audio_text}: a reference transcript must end with ". " or "。";
     * one ending in "." gets a space, anything else gets ". ".
     */
    public static String normalizeRefTextEnding(String refText) {
        if (refText.endsWith(". ") || refText.endsWith("。")) {
            return refText;
        }
        return refText.endsWith(".") ? refText + " " : refText + ". ";
    }

    /**
     * Upstream {@code infer_batch_process} then appends one more space when the transcript ends
     * in a one-byte character, so the generated text starts after a gap.
     */
    public static String withTrailingGap(String refText) {
        if (refText.isEmpty()) {
            return refText;
        }
        int last = refText.codePointBefore(refText.length());
        return last < 0x80 ? refText + " " : refText;
    }

    /** True when the code point's last UTF-8 encoding is one byte (ASCII). */
    static boolean isOneByte(int codePoint) {
        return codePoint < 0x80;
    }
}
