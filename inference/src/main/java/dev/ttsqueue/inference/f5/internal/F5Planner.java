package dev.ttsqueue.inference.f5.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a job into chunks and sizes each, by upstream's rules:
 *
 * <ul>
 *   <li>reference text: ends in ". " (or "。"), plus one space when its last character is one byte;</li>
 *   <li>{@code max_chars = int(ref_bytes / ref_seconds * (22 - ref_seconds) * speed)} with the
 *       transcript after the first rule, then {@link TextChunker};</li>
 *   <li>per chunk: {@code ref_len = audio_len // 256 + 1},
 *       {@code max_duration = ref_len + int(ref_len / ref_bytes * gen_bytes / speed)}, byte lengths
 *       counting 3 more per Chinese pause mark, speed 0.3 for chunks under 10 bytes, at most
 *       {@code maxFrames};</li>
 *   <li>text ids of {@code ref_text + chunk}.</li>
 * </ul>
 */
public final class F5Planner {
    private final F5Tokenizer tokenizer;
    private final int maxFrames;

    public F5Planner(F5Tokenizer tokenizer, int maxFrames) {
        this.tokenizer = tokenizer;
        this.maxFrames = maxFrames;
    }

    /**
     * @throws IllegalArgumentException when the reference text or the text is blank, or the
     *     reference is too long to leave frames for speech
     */
    public List<F5Pipeline.ChunkPlan> plan(int referenceSamples, String refText, String text, double speed) {
        if (refText == null || refText.isBlank()) {
            throw new IllegalArgumentException("F5-TTS needs the transcript of the reference audio (ref_text is empty)");
        }
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("There is no text to synthesise");
        }
        String ref = F5Text.normalizeRefTextEnding(refText);
        double refSeconds = referenceSamples / (double) PreparedReference.SAMPLE_RATE;
        int maxChars = TextChunker.maxChars(F5Text.utf8Length(ref), refSeconds, speed);
        String fed = F5Text.withTrailingGap(ref);
        int refLen = referenceSamples / F5Pipeline.HOP + 1;
        if (refLen >= maxFrames) {
            throw new IllegalArgumentException("The reference audio fills all " + maxFrames
                    + " frames the model can generate; use a shorter reference");
        }
        int refBytes = F5Text.durationLength(fed);
        List<F5Pipeline.ChunkPlan> plans = new ArrayList<>();
        for (String chunk : TextChunker.chunk(text, maxChars)) {
            if (chunk.isBlank()) {
                continue;
            }
            double localSpeed = F5Text.utf8Length(chunk) < 10 ? 0.3 : speed;
            long duration = refLen + (long) (refLen / (double) refBytes * F5Text.durationLength(chunk) / localSpeed);
            duration = Math.min(duration, maxFrames);
            plans.add(new F5Pipeline.ChunkPlan(chunk, tokenizer.ids(fed + chunk), duration));
        }
        if (plans.isEmpty()) {
            throw new IllegalArgumentException("There is no text to synthesise");
        }
        return plans;
    }
}
