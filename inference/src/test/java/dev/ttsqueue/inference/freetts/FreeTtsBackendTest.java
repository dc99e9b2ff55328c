package dev.ttsqueue.inference.freetts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.InferenceSettings;
import dev.ttsqueue.InvalidRequestException;
import dev.ttsqueue.JobCancelledException;
import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.spi.BackendInfo;
import dev.ttsqueue.spi.SynthesisRequest;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Real speech from the bundled FreeTTS voice (about a second to allocate, shared by the tests). */
class FreeTtsBackendTest {
    private static FreeTtsBackend backend;

    @BeforeAll
    static void allocate() {
        backend = new FreeTtsBackend();
    }

    @AfterAll
    static void release() {
        backend.close();
    }

    private static SynthesisRequest request(String text) {
        return request(text, InferenceSettings.defaults(), null);
    }

    private static SynthesisRequest request(String text, InferenceSettings settings, AudioClip reference) {
        return new SynthesisRequest(reference, "", text, settings, 42);
    }

    private static double rms(AudioClip clip) {
        double sum = 0;
        for (float s : clip.samples()) {
            sum += (double) s * s;
        }
        return Math.sqrt(sum / clip.length());
    }

    @Test
    void infoDescribesANonCloningCpuBackend() {
        BackendInfo info = backend.info();
        assertEquals("freetts", info.name());
        assertEquals(24000, info.sampleRate());
        assertFalse(info.clonesVoices());
        assertFalse(info.needsReferenceText());
        assertTrue(info.supportedNfeSteps().isEmpty());
        assertEquals("CPU", info.device());
        assertEquals(1, info.maxBatchSize());
    }

    @Test
    void eachSentenceIsHandedOverWhenSpokenAndThePiecesAreTheResult() {
        RecordingContext ctx = new RecordingContext();
        AudioClip clip = backend.synthesize(request("First sentence here. Then a second one. And a third."), ctx);
        assertEquals(3, ctx.pieces.size(), "one piece per sentence");
        assertEquals(List.of(0, 1, 2), ctx.piecesAfterReports, "each before its sentence's progress report");
        float[] joined = new float[ctx.pieces.stream().mapToInt(AudioClip::length).sum()];
        int at = 0;
        for (AudioClip piece : ctx.pieces) {
            assertEquals(24000, piece.sampleRate());
            System.arraycopy(piece.samples(), 0, joined, at, piece.length());
            at += piece.length();
        }
        assertArrayEquals(clip.samples(), joined);
    }

    @Test
    void speaksAudibleSpeechOfPlausibleLength() {
        String text = "The quick brown fox jumps over the lazy dog.";
        AudioClip clip = backend.synthesize(request(text), new RecordingContext());
        assertEquals(24000, clip.sampleRate());
        double perWord = clip.durationSeconds() / 9;
        assertTrue(perWord >= 0.15 && perWord <= 0.8, "seconds per word: " + perWord);
        assertTrue(rms(clip) > 0.02, "rms " + rms(clip));
        float peak = 0;
        for (float s : clip.samples()) {
            peak = Math.max(peak, Math.abs(s));
        }
        assertTrue(peak <= 1.0f, "peak " + peak);
    }

    @Test
    void warmUpRequestsAreSpeakableTextsOfManyLengths() {
        List<SynthesisRequest> warmUps = backend.warmUpRequests();
        assertTrue(warmUps.size() >= 4, "enough lengths to fit a cost per job and per character");
        Set<Integer> sentences = new HashSet<>();
        for (SynthesisRequest r : warmUps) {
            RecordingContext ctx = new RecordingContext();
            AudioClip clip = backend.synthesize(r, ctx);
            assertTrue(clip.length() > 0, r.text());
            sentences.add(ctx.progress.size());
        }
        assertTrue(sentences.contains(1) && sentences.stream().anyMatch(n -> n >= 12), "short and long texts: " + sentences);
    }

    @Test
    void oneProgressStepPerSentence() {
        RecordingContext ctx = new RecordingContext();
        backend.synthesize(request("Hello there. How are you today? I am fine!"), ctx);
        assertEquals(3, ctx.progress.size());
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(new int[] {i + 1, 3}, ctx.progress.get(i));
        }
    }

    @Test
    void cancellationStopsBetweenSentences() {
        RecordingContext ctx = new RecordingContext(1);
        JobCancelledException e = assertThrows(JobCancelledException.class,
                () -> backend.synthesize(request("First sentence. Second sentence. Third sentence."), ctx));
        assertEquals(1, ctx.progress.size(), "stopped after the first sentence");
        assertTrue(e.getMessage().contains("job-1"), e.getMessage());

        RecordingContext already = new RecordingContext(0);
        assertThrows(JobCancelledException.class, () -> backend.synthesize(request("Never spoken."), already));
        assertTrue(already.progress.isEmpty());
        // The backend is still usable afterwards and not polluted by the cancelled call.
        AudioClip after = backend.synthesize(request("Second sentence."), new RecordingContext());
        AudioClip fresh = backend.synthesize(request("Second sentence."), new RecordingContext());
        assertEquals(fresh, after);
    }

    @Test
    void punctuationOnlyIsAClearError() {
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> backend.synthesize(request("... !!! ?? -- "), new RecordingContext()));
        assertEquals("Text has nothing to speak: it contains no letters or digits", e.getMessage());
        assertThrows(InvalidRequestException.class, () -> backend.synthesize(request(""), new RecordingContext()));
    }

    @Test
    void unpronounceableScriptIsAClearError() {
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> backend.synthesize(request("日本語のテキスト。"), new RecordingContext()));
        assertTrue(e.getMessage().contains("no speech"), e.getMessage());
    }

    @Test
    void oddButSpeakableTextWorks() {
        AudioClip clip = backend.synthesize(request("Call 555-0123, pay $5.50 @ 10:30 — naïve café\tdone\nnow"), new RecordingContext());
        assertTrue(clip.durationSeconds() > 1, "duration " + clip.durationSeconds());
        assertTrue(rms(clip) > 0.02);
    }

    @Test
    void speedShortensSpeech() {
        String text = "This sentence is spoken at two different speeds.";
        AudioClip normal = backend.synthesize(request(text), new RecordingContext());
        AudioClip fast = backend.synthesize(request(text, InferenceSettings.defaults().withSpeed(2.0), null), new RecordingContext());
        double ratio = fast.durationSeconds() / normal.durationSeconds();
        assertTrue(ratio > 0.4 && ratio < 0.65, "duration ratio " + ratio);
    }

    @Test
    void referenceAudioIsIgnoredAndOutputIsDeterministic() {
        AudioClip reference = new AudioClip(new float[24000], 24000);
        AudioClip without = backend.synthesize(request("Same words."), new RecordingContext());
        AudioClip with = backend.synthesize(request("Same words.", InferenceSettings.defaults(), reference), new RecordingContext());
        assertEquals(without, with);
    }

    @Test
    void concurrentCallsAreSerialisedAndCorrect() throws Exception {
        AudioClip expected = backend.synthesize(request("Parallel request."), new RecordingContext());
        ExecutorService pool = Executors.newFixedThreadPool(3, r -> new Thread(r, "freetts-test-caller"));
        try {
            List<Future<AudioClip>> results = List.of(
                    pool.submit(() -> backend.synthesize(request("Parallel request."), new RecordingContext())),
                    pool.submit(() -> backend.synthesize(request("Parallel request."), new RecordingContext())),
                    pool.submit(() -> backend.synthesize(request("Parallel request."), new RecordingContext())));
            for (Future<AudioClip> f : results) {
                assertEquals(expected, f.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void closedBackendRefusesWork() {
        FreeTtsBackend own = new FreeTtsBackend();
        own.close();
        own.close(); // idempotent
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> own.synthesize(request("Hi."), new RecordingContext()));
        assertEquals("FreeTTS backend is closed", e.getMessage());
    }
}
