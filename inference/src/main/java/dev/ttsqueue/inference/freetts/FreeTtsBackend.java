package dev.ttsqueue.inference.freetts;

import com.sun.speech.freetts.Voice;
import com.sun.speech.freetts.en.us.cmu_us_kal.KevinVoiceDirectory;
import dev.ttsqueue.InferenceSettings;
import dev.ttsqueue.InvalidRequestException;
import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.audio.Resampler;
import dev.ttsqueue.spi.BackendInfo;
import dev.ttsqueue.spi.ModelState;
import dev.ttsqueue.spi.SynthesisContext;
import dev.ttsqueue.spi.SynthesisRequest;
import dev.ttsqueue.spi.TtsBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Real, if robotic, English speech with no model files: FreeTTS's bundled 16 kHz diphone voice
 * {@code kevin16}, resampled to 24 kHz. It does not clone voices: the reference audio and its
 * transcript are ignored (the queue says so in every result).
 *
 * <p>The voice is loaded from the FreeTTS jar directly, without the {@code freetts.voices}
 * property or a voices file, and its audio is captured in memory (no sound card needed). One
 * progress step is one sentence; cancellation is checked before each sentence. {@code speed}
 * stretches durations (2.0 speaks twice as fast); NFE steps, seed and cross-fade do not apply.
 *
 * <p>Text without a single letter or digit, or text FreeTTS cannot pronounce at all (it reads
 * English; other scripts are skipped), fails the job with an {@link InvalidRequestException}.
 *
 * <p>FreeTTS voices are not thread-safe; calls are serialised by a lock. Allocating the voice
 * takes about half a second, once, in the constructor.
 */
public final class FreeTtsBackend implements TtsBackend {
    public static final String NAME = "freetts";
    public static final int SAMPLE_RATE = 24000;
    private static final String VOICE = "kevin16";
    private static final Logger log = LoggerFactory.getLogger(FreeTtsBackend.class);

    private final ReentrantLock lock = new ReentrantLock();
    private final CapturingAudioPlayer player = new CapturingAudioPlayer();
    private final Voice voice;
    private volatile boolean closed;

    /**
     * Loads and allocates the {@code kevin16} voice.
     *
     * @throws IllegalStateException when the voice is missing from the FreeTTS jar
     */
    public FreeTtsBackend() {
        Voice found = null;
        for (Voice v : new KevinVoiceDirectory().getVoices()) {
            if (VOICE.equals(v.getName())) {
                found = v;
            }
        }
        if (found == null) {
            throw new IllegalStateException("FreeTTS voice " + VOICE + " not found in the FreeTTS jar");
        }
        voice = found;
        voice.setAudioPlayer(player);
        voice.allocate();
        log.info("FreeTTS voice {} allocated", VOICE);
    }

    @Override
    public BackendInfo info() {
        return new BackendInfo(NAME, SAMPLE_RATE, false, false, Set.of(), 32, 0, 1, "CPU");
    }

    /**
     * Texts of 1 to 16 sentences of everyday English, in a mixed order. FreeTTS runs its first
     * minutes several times slower than later ones while the JIT compiles it (measured here: about
     * 150 µs a character over the first 30 jobs of a fresh JVM, about 115 from the 90th on, where it
     * levels off, 8 s of synthesis in), so a queue that warms it up runs its first jobs at full
     * speed and estimates them from that speed.
     */
    @Override
    public List<SynthesisRequest> warmUpRequests() {
        List<SynthesisRequest> out = new ArrayList<>(WARM_UP_SENTENCE_COUNTS.length);
        for (int i = 0; i < WARM_UP_SENTENCE_COUNTS.length; i++) {
            StringBuilder text = new StringBuilder();
            for (int s = 0; s < WARM_UP_SENTENCE_COUNTS[i]; s++) {
                text.append(s == 0 ? "" : " ").append(WARM_UP_SENTENCES[(i * 5 + s) % WARM_UP_SENTENCES.length]);
            }
            out.add(new SynthesisRequest(null, "", text.toString(), InferenceSettings.defaults(), 0));
        }
        return List.copyOf(out);
    }

    private static final int[] WARM_UP_SENTENCE_COUNTS = {1, 6, 2, 12, 4, 16, 3, 9};
    private static final String[] WARM_UP_SENTENCES = {
        "The train to the coast leaves at half past nine from the second platform.",
        "Please remember to bring your ticket and a warm coat.",
        "On the way we pass three small villages and a long stone bridge.",
        "Lunch is served in the dining car between twelve and two.",
        "If the weather holds, we will walk along the cliffs in the afternoon.",
        "The museum by the harbour opens again next Tuesday after repairs.",
        "Children under twelve travel for free when an adult comes with them.",
        "We expect to be back in town shortly before seven in the evening.",
        "Thank you for listening, and have a pleasant journey.",
        "Questions about the schedule can be sent to the office at any time."
    };

    /**
     * Speaks {@code request.text()} sentence by sentence.
     *
     * @throws InvalidRequestException when the text has nothing FreeTTS can say
     * @throws dev.ttsqueue.JobCancelledException when cancelled between sentences
     * @throws IllegalStateException after {@link #close()} or when FreeTTS fails
     */
    @Override
    public AudioClip synthesize(SynthesisRequest request, SynthesisContext ctx) {
        List<String> sentences = SentenceSplitter.split(request.text() == null ? "" : request.text());
        if (sentences.isEmpty()) {
            throw new InvalidRequestException("Text has nothing to speak: it contains no letters or digits");
        }
        double speed = request.settings() == null ? 1.0 : request.settings().speed();
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("FreeTTS backend is closed");
            }
            voice.setDurationStretch((float) (1.0 / (speed > 0 ? speed : 1.0)));
            player.take(); // drop anything a failed earlier call left behind
            // Each sentence is resampled on its own and handed over at once: the result is these
            // pieces end to end, so a listener hears the first sentence while the rest is spoken.
            List<float[]> pieces = new ArrayList<>();
            int total = 0;
            for (int i = 0; i < sentences.size(); i++) {
                ctx.throwIfCancelled();
                if (!voice.speak(sentences.get(i))) {
                    throw new IllegalStateException("FreeTTS could not speak sentence " + (i + 1) + " of " + sentences.size());
                }
                float[] spoken = player.take();
                if (spoken.length > 0) {
                    AudioClip piece = Resampler.resample(new AudioClip(spoken, player.sampleRate()), SAMPLE_RATE);
                    pieces.add(piece.samples());
                    total += piece.length();
                    ctx.audioReady(piece);
                }
                ctx.reportProgress(i + 1, sentences.size());
            }
            if (total == 0) {
                throw new InvalidRequestException("FreeTTS produced no speech for this text: it reads English letters and digits only");
            }
            float[] samples = new float[total];
            int at = 0;
            for (float[] piece : pieces) {
                System.arraycopy(piece, 0, samples, at, piece.length);
                at += piece.length;
            }
            return new AudioClip(samples, SAMPLE_RATE);
        } finally {
            lock.unlock();
        }
    }

    /**
     * FreeTTS has no separate vocoder: its voice both plans and makes the waveform, so both parts
     * are loaded while the voice is allocated and this backend is not closed.
     */
    @Override
    public ModelState modelState() {
        boolean loaded = !closed && voice.isLoaded();
        return new ModelState(loaded, loaded);
    }

    /** Frees the voice; later {@link #synthesize} calls fail. Waits for a running synthesis. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (!closed) {
                closed = true;
                voice.deallocate();
            }
        } finally {
            lock.unlock();
        }
    }
}
