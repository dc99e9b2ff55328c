package dev.ttsqueue.inference.f5;

import static dev.ttsqueue.inference.f5.F5TestSupport.models;
import static dev.ttsqueue.inference.f5.F5TestSupport.request;
import static dev.ttsqueue.inference.f5.F5TestSupport.settings;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.InferenceSettings;
import dev.ttsqueue.InvalidRequestException;
import dev.ttsqueue.JobCancelledException;
import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.inference.f5.F5TestSupport.RecordingContext;
import dev.ttsqueue.spi.SynthesisRequest;
import java.util.Arrays;
import java.util.Set;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * End to end on the committed test models. Reference: a 1.0 s tone, which the clean-up keeps whole
 * and pads with 50 ms, so audio_len = 25200 and ref_len = 25200 // 256 + 1 = 99. Transcript
 * "Hello there." becomes "Hello there. " (13 bytes, for max_chars) and "Hello there.  " (14 bytes,
 * fed and used for durations).
 */
class F5OnnxBackendTest {
    private static final String REF_TEXT = "Hello there.";
    private static F5OnnxBackend backend;

    @BeforeAll
    static void open() {
        backend = F5OnnxBackend.builder(models("fp32")).provider(ExecutionProvider.CPU).intraOpThreads(1).build();
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    private static AudioClip synth(SynthesisRequest r) throws Exception {
        return backend.synthesize(r, new RecordingContext(r.seed()));
    }

    @Test
    void infoListsTheExportedNfeSteps() {
        assertEquals("f5-tts-onnx", backend.info().name());
        assertEquals(24_000, backend.info().sampleRate());
        assertEquals(Set.of(16, 32), backend.info().supportedNfeSteps());
        assertEquals(32, backend.info().defaultNfeStep());
        assertEquals("CPU", backend.info().device());
        assertTrue(backend.info().clonesVoices());
        assertTrue(backend.info().needsReferenceText());
    }

    @Test
    void outputLengthFollowsTheDurationFormula() throws Exception {
        // "This is a test." = 15 bytes: 99 + int(99 / 14 * 15 / 1.0) = 99 + 106 frames generated
        AudioClip clip = synth(request(REF_TEXT, "This is a test.", settings(), 7));
        assertEquals(106 * 256, clip.length());
        assertEquals(24_000, clip.sampleRate());
    }

    @Test
    void referenceAtAnotherRateIsResampled() throws Exception {
        // 1.0 s at 16 kHz becomes 24000 samples at 24 kHz, then the same clean-up as a 24 kHz reference
        float[] s = new float[16_000];
        for (int i = 0; i < s.length; i++) {
            s[i] = (float) (0.5 * Math.sin(2 * Math.PI * 220 * i / 16_000.0));
        }
        AudioClip clip = synth(new SynthesisRequest(new AudioClip(s, 16_000), REF_TEXT, "This is a test.", settings(), 7));
        assertEquals(106 * 256, clip.length());
    }

    @Test
    void quietReferenceOutputIsScaledBack() throws Exception {
        // the same voice at a quarter of the level, raised to RMS 0.1 for the model in both cases
        // (0.05 and 0.2 amplitude tones are both under RMS 0.1): the outputs differ by that factor
        AudioClip quiet = synth(new SynthesisRequest(F5TestSupport.tone(1.0, 0.05), REF_TEXT, "This is a test.", settings(), 7));
        AudioClip louder = synth(new SynthesisRequest(F5TestSupport.tone(1.0, 0.1), REF_TEXT, "This is a test.", settings(), 7));
        assertEquals(quiet.length(), louder.length());
        double ratio = rms(louder.samples()) / rms(quiet.samples());
        assertEquals(2.0, ratio, 0.01);
    }

    private static double rms(float[] s) {
        double sum = 0;
        for (float v : s) {
            sum += (double) v * v;
        }
        return Math.sqrt(sum / s.length);
    }

    @Test
    void speedShortensTheOutput() throws Exception {
        // int(99 / 14 * 15 / 2.0) = 53 frames
        AudioClip clip = synth(request(REF_TEXT, "This is a test.", settings().withSpeed(2.0), 7));
        assertEquals(53 * 256, clip.length());
    }

    @Test
    void chunksUnderTenBytesUseSpeedPointThree() throws Exception {
        // "Hi." = 3 bytes: int(99 / 14 * 3 / 0.3) = 70 frames, whatever the requested speed
        AudioClip clip = synth(request(REF_TEXT, "Hi.", settings().withSpeed(1.5), 7));
        assertEquals(70 * 256, clip.length());
    }

    @Test
    void aChunkOverMaxFramesIsSplitNotCut() throws Exception {
        // "one two three four five six seven eight." (40 bytes) needs 99 + int(99 / 14 * 40) = 381
        // frames; with 300 the limit leaves 201, so pieces of at most 28 bytes (int(99 / 14 * 28) =
        // 198): "one two three four five six" (27 bytes, 190 frames) and "seven eight." (12, 84)
        try (F5OnnxBackend small = F5OnnxBackend.builder(models("fp32")).provider(ExecutionProvider.CPU)
                .maxFrames(300).build()) {
            RecordingContext ctx = new RecordingContext(7);
            AudioClip clip = small.synthesize(request(REF_TEXT, "one two three four five six seven eight.",
                    settings().withCrossFadeDuration(0.0), 7), ctx);
            assertEquals((190 + 84) * 256, clip.length(), "every word is spoken: nothing is cut at the limit");
            assertEquals(2 * (31 + 2), ctx.reports.size(), "two pieces");
        }
    }

    @Test
    void thePlanIsWhatSynthesizeFeedsTheModels() throws Exception {
        try (F5OnnxBackend small = F5OnnxBackend.builder(models("fp32")).provider(ExecutionProvider.CPU)
                .maxFrames(300).build()) {
            SynthesisRequest req = request(REF_TEXT, "one two three four five six seven eight.", settings(), 7);
            F5OnnxBackend.Plan plan = small.plan(req);
            // the same split as aChunkOverMaxFramesIsSplitNotCut: 99 reference frames + 190, + 84
            assertEquals(List.of("one two three four five six", "seven eight."),
                    plan.chunks().stream().map(F5OnnxBackend.Plan.Chunk::text).toList());
            assertEquals(List.of(99L + 190, 99L + 84),
                    plan.chunks().stream().map(F5OnnxBackend.Plan.Chunk::maxDuration).toList());
            // the 1 s tone plus the 50 ms of silence the clean-up appends: 25,200 / 256 + 1 = 99 frames
            assertEquals(25_200, plan.referencePcm().length);
            assertTrue(plan.chunks().get(0).textIds().length > REF_TEXT.length(), "transcript and chunk");
            assertThrows(IllegalArgumentException.class, () -> small.plan(new SynthesisRequest(null, REF_TEXT, "Hi.", settings(), 7)));
        }
    }

    @Test
    void aTextThatCannotFitMaxFramesIsRefused() {
        try (F5OnnxBackend small = F5OnnxBackend.builder(models("fp32")).provider(ExecutionProvider.CPU)
                .maxFrames(150).build()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> small.synthesize(
                    request(REF_TEXT, "This is a test.", settings(), 7), new RecordingContext(7)));
            assertTrue(e.getMessage().startsWith("The text cannot be spoken within the model's 150 frames"), e.getMessage());
        }
    }

    @Test
    void sameSeedGivesIdenticalAudioAndAnotherSeedDoesNot() throws Exception {
        AudioClip a = synth(request(REF_TEXT, "This is a test.", settings(), 1234));
        AudioClip b = synth(request(REF_TEXT, "This is a test.", settings(), 1234));
        AudioClip c = synth(request(REF_TEXT, "This is a test.", settings(), 1235));
        assertArrayEquals(a.samples(), b.samples());
        assertEquals(a.length(), c.length());
        assertFalse(Arrays.equals(a.samples(), c.samples()));
    }

    @Test
    void chunksAreJoinedWithTheCrossFade() throws Exception {
        // max_chars = int(13 / 1.05 * (22 - 1.05) * 1.0) = 259; 150 + 1 + 120 bytes > 259, so two chunks
        String first = "x".repeat(149) + ".";
        String second = "y".repeat(119) + ".";
        String text = first + " " + second;
        int lenA = 1060 * 256; // int(99 / 14 * 150) = 1060
        int lenB = 848 * 256; // int(99 / 14 * 120) = 848

        AudioClip plain = synth(request(REF_TEXT, text, settings().withCrossFadeDuration(0.0), 99));
        assertEquals(lenA + lenB, plain.length());

        AudioClip faded = synth(request(REF_TEXT, text, settings().withCrossFadeDuration(0.15), 99));
        int n = 3600;
        assertEquals(lenA + lenB - n, faded.length());
        float[] p = plain.samples();
        float[] f = faded.samples();
        for (int i = 0; i < lenA - n; i++) {
            assertEquals(p[i], f[i], "before the overlap at " + i);
        }
        for (int i = 0; i < n; i++) {
            double in = i / (double) (n - 1);
            double expected = p[lenA - n + i] * (1 - in) + p[lenA + i] * in;
            assertEquals(expected, f[lenA - n + i], 1e-6, "overlap sample " + i);
        }
        for (int i = n; i < lenB; i++) {
            assertEquals(p[lenA + i], f[lenA - n + i], "after the overlap at " + i);
        }
    }

    @Test
    void eachChunkIsHandedOverAsSoonAsItIsDecodedAndThePiecesAreTheResult() throws Exception {
        String text = "x".repeat(149) + ". " + "y".repeat(119) + ".";
        RecordingContext ctx = new RecordingContext(7);
        AudioClip result = backend.synthesize(request(REF_TEXT, text, settings().withCrossFadeDuration(0.15), 7), ctx);
        assertTrue(ctx.pieces.size() >= 2, "at least one piece per chunk: " + ctx.pieces.size());
        assertTrue(ctx.piecesAfterReports.get(0) < 2 * (31 + 2), "the first chunk is heard before the last step: "
                + ctx.piecesAfterReports);
        int length = ctx.pieces.stream().mapToInt(AudioClip::length).sum();
        float[] streamed = new float[length];
        int at = 0;
        for (AudioClip piece : ctx.pieces) {
            System.arraycopy(piece.samples(), 0, streamed, at, piece.length());
            at += piece.length();
        }
        assertArrayEquals(result.samples(), streamed, "the pieces, end to end, are the result");
    }

    @Test
    void progressEventsMatchTheAnnouncedSteps() throws Exception {
        String text = "x".repeat(149) + ". " + "y".repeat(119) + ".";
        RecordingContext ctx = new RecordingContext(5);
        backend.synthesize(request(REF_TEXT, text, settings(), 5), ctx);
        int total = 2 * (31 + 2);
        assertEquals(total, ctx.reports.size());
        for (int i = 0; i < total; i++) {
            assertEquals(i + 1, ctx.reports.get(i)[0]);
            assertEquals(total, ctx.reports.get(i)[1]);
        }
    }

    @Test
    void otherNfeVariantRunsItsOwnStepCount() throws Exception {
        RecordingContext ctx = new RecordingContext(5);
        AudioClip clip = backend.synthesize(request(REF_TEXT, "This is a test.", settings().withNfeStep(16), 5), ctx);
        assertEquals(15 + 2, ctx.reports.size());
        assertEquals(106 * 256, clip.length());
    }

    @Test
    void missingNfeIsRefusedWithTheAvailableList() {
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> synth(request(REF_TEXT, "This is a test.", settings().withNfeStep(20), 5)));
        assertEquals("nfe_step 20 is not available: this model was exported for 16, 32", e.getMessage());
    }

    @Test
    void cancellationStopsWithinOneStep() {
        RecordingContext ctx = new RecordingContext(5, 4);
        assertThrows(JobCancelledException.class,
                () -> backend.synthesize(request(REF_TEXT, "This is a test.", settings(), 5), ctx));
        assertEquals(4, ctx.reports.size());
    }

    @Test
    void cancelledBeforeStartRunsNothing() {
        RecordingContext ctx = new RecordingContext(5, 0);
        assertThrows(JobCancelledException.class,
                () -> backend.synthesize(request(REF_TEXT, "This is a test.", settings(), 5), ctx));
        assertEquals(0, ctx.reports.size());
    }

    @Test
    void badRequestsFailClearly() {
        IllegalArgumentException noRef = assertThrows(IllegalArgumentException.class, () -> synth(
                new SynthesisRequest(null, REF_TEXT, "Hello.", settings(), 1)));
        assertTrue(noRef.getMessage().contains("reference audio"), noRef.getMessage());
        IllegalArgumentException noText = assertThrows(IllegalArgumentException.class,
                () -> synth(request(REF_TEXT, "   ", settings(), 1)));
        assertTrue(noText.getMessage().contains("no text"), noText.getMessage());
        IllegalArgumentException noRefText = assertThrows(IllegalArgumentException.class,
                () -> synth(request(" ", "Hello there, friend.", settings(), 1)));
        assertTrue(noRefText.getMessage().contains("transcript"), noRefText.getMessage());
        IllegalArgumentException silent = assertThrows(IllegalArgumentException.class, () -> synth(
                new SynthesisRequest(AudioClip.silence(24_000, 24_000), REF_TEXT, "Hello there, friend.", settings(), 1)));
        assertTrue(silent.getMessage().contains("silent"), silent.getMessage());
    }

    @Test
    void chineseTextIsSynthesisedWithUpstreamDurations() throws Exception {
        // ref "你好。" keeps its ending: 9 bytes; gen "世界你好。" = 15 bytes, pause marks add nothing
        // as upstream: ref_len 99: 99 + int(99 / 9 * 15) = 99 + 165
        AudioClip clip = synth(request("你好。", "世界你好。", settings(), 3));
        assertEquals(165 * 256, clip.length());
    }

    @Test
    void chinesePauseWeightingIsAnOption() throws Exception {
        // 3 bytes per pause mark: ref 9 + 3 = 12, gen 15 + 3 = 18: 99 + int(99 / 12 * 18) = 99 + 148
        try (F5OnnxBackend b = F5OnnxBackend.builder(models("fp32")).provider(ExecutionProvider.CPU).chinesePauseBytes(3).build()) {
            AudioClip clip = b.synthesize(request("你好。", "世界你好。", settings(), 3), new RecordingContext(3));
            assertEquals(148 * 256, clip.length());
        }
    }

    @Test
    void timingsSplitSessionTimeFromTheRest() throws Exception {
        F5OnnxBackend.Timings before = backend.timings();
        synth(request(REF_TEXT, "This is a test.", settings(), 11));
        F5OnnxBackend.Timings after = backend.timings();
        assertEquals(before.jobs() + 1, after.jobs());
        assertEquals(before.sessionRuns() + 33, after.sessionRuns());
        assertTrue(after.sessionRunNanos() > before.sessionRunNanos());
        assertTrue(after.totalNanos() - before.totalNanos() >= after.sessionRunNanos() - before.sessionRunNanos());
    }

    @Test
    void pipelinedDecodingGivesTheSameAudioAndProgress() throws Exception {
        // three chunks of 150 bytes (max_chars 259 keeps them apart)
        String text = "x".repeat(149) + ". " + "y".repeat(149) + ". " + "z".repeat(149) + ".";
        SynthesisRequest r = request(REF_TEXT, text, settings(), 17);
        RecordingContext inOrder = new RecordingContext(17);
        AudioClip sequential = backend.synthesize(r, inOrder);
        assertFalse(backend.pipelinesDecode(), "off by default when everything runs on the CPU");
        try (F5OnnxBackend piped = F5OnnxBackend.builder(models("fp32")).provider(ExecutionProvider.CPU).intraOpThreads(1)
                .pipelineDecode(true).build()) {
            assertTrue(piped.pipelinesDecode());
            RecordingContext ctx = new RecordingContext(17);
            AudioClip overlapped = piped.synthesize(r, ctx);
            assertArrayEquals(sequential.samples(), overlapped.samples(), "chunks decode in order, on untouched tensors");
            assertEquals(inOrder.reports.size(), ctx.reports.size());
            for (int i = 0; i < ctx.reports.size(); i++) {
                assertArrayEquals(new int[] {i + 1, 3 * 33}, ctx.reports.get(i), "report " + i);
            }
            assertEquals(3, piped.pipelinedDecodes(), "every chunk was decoded on the decode thread");
        }
    }

    @Test
    void cancellationWhileADecodeIsPendingStopsCleanly() throws Exception {
        String text = "x".repeat(149) + ". " + "y".repeat(119) + ".";
        try (F5OnnxBackend piped = F5OnnxBackend.builder(models("fp32")).provider(ExecutionProvider.CPU)
                .pipelineDecode(true).build()) {
            // cancelled 5 reports into the second chunk, with the first chunk's decode handed off
            RecordingContext ctx = new RecordingContext(5, 33 + 5);
            assertThrows(JobCancelledException.class, () -> piped.synthesize(request(REF_TEXT, text, settings(), 5), ctx));
            AudioClip after = piped.synthesize(request(REF_TEXT, "This is a test.", settings(), 5), new RecordingContext(5));
            assertEquals(106 * 256, after.length(), "the backend goes on working after a cancelled job");
        }
    }

    @Test
    void timingsSplitTheModelsAndCountTheBytesFedPerStep() throws Exception {
        F5OnnxBackend.Timings before = backend.timings();
        synth(request(REF_TEXT, "This is a test.", settings(), 12));
        F5OnnxBackend.Timings after = backend.timings();
        assertEquals(before.transformerCalls() + 31, after.transformerCalls());
        assertTrue(after.preprocessNanos() > before.preprocessNanos());
        assertTrue(after.transformerNanos() > before.transformerNanos());
        assertTrue(after.decodeNanos() > before.decodeNanos());
        assertEquals(after.sessionRunNanos(), after.preprocessNanos() + after.transformerNanos() + after.decodeNanos());
        // D = 205 frames: noise 8 mels, rope 4 x 2 x 2 heads x 4, conditioning 2 x 12, fp32, + the int32 step
        long perCall = 205L * (8 + 4 * 2 * 2 * 4 + 2 * 12) * 4 + 4;
        assertEquals(perCall * 31, after.transformerInputBytes() - before.transformerInputBytes());
    }

    @Test
    void closedBackendRefusesWork() throws Exception {
        F5OnnxBackend b = F5OnnxBackend.builder(models("fp32")).provider(ExecutionProvider.CPU).build();
        b.close();
        b.close();
        assertThrows(IllegalStateException.class, () -> b.synthesize(request(REF_TEXT, "Hello.", settings(), 1), new RecordingContext(1)));
    }

    @Test
    void defaultSettingsAreAccepted() throws Exception {
        AudioClip clip = synth(request(REF_TEXT, "This is a test.", InferenceSettings.defaults(), 8));
        assertEquals(106 * 256, clip.length());
    }
}
