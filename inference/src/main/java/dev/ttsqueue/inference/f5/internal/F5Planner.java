package dev.ttsqueue.inference.f5.internal;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Splits a job into chunks and sizes each, by upstream's rules:
 *
 * <ul>
 *   <li>reference text: ends in ". " (or "。"), plus one space when its last character is one byte;</li>
 *   <li>{@code max_chars = int(ref_bytes / ref_seconds * (22 - ref_seconds) * speed)} with the
 *       transcript after the first rule, then {@link TextChunker};</li>
 *   <li>per chunk: {@code ref_len = audio_len // 256 + 1},
 *       {@code max_duration = ref_len + int(ref_len / ref_bytes * gen_bytes / speed)} with UTF-8
 *       byte lengths (optionally more per Chinese pause mark, see {@link F5Text#durationLength}),
 *       speed 0.3 for chunks under 10 bytes; then at least the number of text ids + 1 and at
 *       least {@code ref_len + 1}, as upstream's sampler enforces, so every text id has a frame
 *       and something is generated;</li>
 *   <li>text ids of {@code ref_text + chunk}.</li>
 * </ul>
 *
 * <p>A chunk whose duration exceeds the model's {@code maxFrames} would be cut short by the model
 * (upstream clamps it silently and loses the end of the speech). Such a chunk is split again at
 * word boundaries (between Chinese characters, at whitespace elsewhere) into the longest pieces that
 * fit, with a log line; when even one word cannot fit, the job is refused with a message that says why.
 */
public final class F5Planner {
    private static final Logger LOG = LoggerFactory.getLogger(F5Planner.class);

    private final F5Tokenizer tokenizer;
    private final int maxFrames;
    private final int pauseBytes;

    public F5Planner(F5Tokenizer tokenizer, int maxFrames) {
        this(tokenizer, maxFrames, 0);
    }

    /** @param pauseBytes bytes added per Chinese pause mark in the duration formula (0 = upstream) */
    public F5Planner(F5Tokenizer tokenizer, int maxFrames, int pauseBytes) {
        this.tokenizer = tokenizer;
        this.maxFrames = maxFrames;
        this.pauseBytes = pauseBytes;
    }

    /**
     * @throws IllegalArgumentException when the reference text or the text is blank, or the
     *     reference leaves too few of the model's frames for the text
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
        Sizing sizing = new Sizing(F5Text.withTrailingGap(ref), referenceSamples / F5Pipeline.HOP + 1, speed);
        if (sizing.refLen >= maxFrames) {
            throw new IllegalArgumentException("The reference audio fills all " + maxFrames
                    + " frames the model can generate; use a shorter reference");
        }
        List<F5Pipeline.ChunkPlan> plans = new ArrayList<>();
        for (String chunk : TextChunker.chunk(text, maxChars)) {
            if (!chunk.isBlank()) {
                fit(chunk, sizing, plans);
            }
        }
        if (plans.isEmpty()) {
            throw new IllegalArgumentException("There is no text to synthesise");
        }
        return plans;
    }

    /** What every chunk of one job shares: the fed transcript, its byte length, the reference frames. */
    private final class Sizing {
        final String fed;
        final int refLen;
        final int refBytes;
        final double speed;

        Sizing(String fed, int refLen, double speed) {
            this.fed = fed;
            this.refLen = refLen;
            this.refBytes = F5Text.durationLength(fed, pauseBytes);
            this.speed = speed;
        }

        F5Pipeline.ChunkPlan plan(String chunk) {
            double localSpeed = F5Text.utf8Length(chunk) < 10 ? 0.3 : speed;
            long duration = refLen + (long) (refLen / (double) refBytes * F5Text.durationLength(chunk, pauseBytes) / localSpeed);
            int[] ids = tokenizer.ids(fed + chunk);
            duration = Math.max(duration, Math.max(ids.length + 1L, refLen + 1L));
            return new F5Pipeline.ChunkPlan(chunk, ids, duration);
        }
    }

    private void fit(String chunk, Sizing sizing, List<F5Pipeline.ChunkPlan> plans) {
        F5Pipeline.ChunkPlan whole = sizing.plan(chunk);
        if (whole.maxDuration() <= maxFrames) {
            plans.add(whole);
            return;
        }
        LOG.info("a text chunk of {} bytes needs {} frames, more than the model's {}: splitting it at word boundaries",
                F5Text.utf8Length(chunk), whole.maxDuration(), maxFrames);
        List<Integer> cuts = wordBoundaries(chunk);
        int start = 0;
        while (start < cuts.size() - 1) {
            int best = -1;
            F5Pipeline.ChunkPlan bestPlan = null;
            for (int k = start + 1; k < cuts.size(); k++) {
                String candidate = chunk.substring(cuts.get(start), cuts.get(k)).strip();
                if (candidate.isEmpty()) {
                    continue;
                }
                F5Pipeline.ChunkPlan p = sizing.plan(candidate);
                if (p.maxDuration() <= maxFrames) {
                    best = k;
                    bestPlan = p;
                } else if (F5Text.utf8Length(candidate) >= 10) {
                    // from 10 bytes on, longer pieces only need more frames (below it speed 0.3
                    // applies, so a longer piece can need fewer): no longer one can fit
                    break;
                }
            }
            if (bestPlan == null) {
                String word = chunk.substring(cuts.get(start), cuts.get(start + 1)).strip();
                throw tooLong(word, sizing.plan(word).maxDuration(), sizing.refLen);
            }
            plans.add(bestPlan);
            start = best;
        }
    }

    private IllegalArgumentException tooLong(String word, long frames, int refLen) {
        return new IllegalArgumentException("The text cannot be spoken within the model's " + maxFrames
                + " frames: the reference audio takes " + refLen + " of them and \"" + word + "\" alone needs " + frames
                + " in all; use a shorter reference audio (or a shorter transcript of it)");
    }

    /**
     * Offsets where a piece may end: after each run of whitespace, and between two Chinese
     * characters (they are not separated by spaces), plus the chunk's end. The first entry is 0.
     */
    static List<Integer> wordBoundaries(String s) {
        List<Integer> cuts = new ArrayList<>();
        cuts.add(0);
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            int next = i + Character.charCount(cp);
            boolean boundary = false;
            if (Character.isWhitespace(cp)) {
                while (next < s.length() && Character.isWhitespace(s.codePointAt(next))) {
                    next += Character.charCount(s.codePointAt(next));
                }
                boundary = true;
            } else if (PinyinConverter.isChinese(cp) && next < s.length() && !isPunctuation(s.codePointAt(next))) {
                boundary = true;
            }
            if (boundary && next < s.length()) {
                cuts.add(next);
            }
            i = next;
        }
        cuts.add(s.length());
        return cuts;
    }

    private static boolean isPunctuation(int cp) {
        int type = Character.getType(cp);
        return type == Character.OTHER_PUNCTUATION || type == Character.END_PUNCTUATION || type == Character.FINAL_QUOTE_PUNCTUATION;
    }
}
