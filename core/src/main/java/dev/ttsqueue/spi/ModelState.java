package dev.ttsqueue.spi;

/**
 * Whether a backend's model is in memory and able to run, as the REST server's {@code /health}
 * reports it ({@code model_loaded}, {@code vocoder_loaded}). A backend answers from its own state:
 * sessions opened and not yet closed, a voice allocated, never from whether the queue is open.
 *
 * @param modelLoaded the acoustic model (for F5-TTS: the preprocess and transformer sessions) is loaded
 * @param vocoderLoaded what turns the model's output into a waveform (for F5-TTS: the decode
 *     session holding Vocos) is loaded; backends without a separate vocoder report the part that
 *     makes their waveform, usually the model itself
 */
public record ModelState(boolean modelLoaded, boolean vocoderLoaded) {
    /** Everything loaded. */
    public static final ModelState LOADED = new ModelState(true, true);
    /** Nothing loaded (not yet, or closed). */
    public static final ModelState NOT_LOADED = new ModelState(false, false);

    /** Both parts loaded: the backend can synthesise. */
    public boolean ready() {
        return modelLoaded && vocoderLoaded;
    }

    /** Loaded only where both states are. */
    public ModelState and(ModelState other) {
        return new ModelState(modelLoaded && other.modelLoaded, vocoderLoaded && other.vocoderLoaded);
    }
}
