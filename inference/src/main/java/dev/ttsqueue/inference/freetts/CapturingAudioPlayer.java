package dev.ttsqueue.inference.freetts;

import com.sun.speech.freetts.audio.AudioPlayer;
import java.io.ByteArrayOutputStream;
import javax.sound.sampled.AudioFormat;

/**
 * A FreeTTS audio player that keeps the samples in memory instead of playing them, so synthesis
 * needs no sound card. FreeTTS calls it from the thread that calls {@code speak}; the backend's
 * lock keeps one synthesis at a time, so no further locking is needed.
 */
final class CapturingAudioPlayer implements AudioPlayer {
    private AudioFormat format;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private float volume = 1f;

    /** Returns the samples written since the last call, as floats in [-1, 1], and forgets them. */
    float[] take() {
        byte[] raw = bytes.toByteArray();
        bytes.reset();
        if (raw.length == 0) {
            return new float[0];
        }
        return toFloats(raw, format);
    }

    /** Sample rate of the audio FreeTTS produced; 0 before any. */
    int sampleRate() {
        return format == null ? 0 : Math.round(format.getSampleRate());
    }

    static float[] toFloats(byte[] raw, AudioFormat format) {
        if (format.getSampleSizeInBits() != 16 || format.getChannels() != 1
                || format.getEncoding() != AudioFormat.Encoding.PCM_SIGNED) {
            throw new IllegalStateException("FreeTTS produced audio in an unexpected format: " + format);
        }
        boolean bigEndian = format.isBigEndian();
        float[] out = new float[raw.length / 2];
        for (int i = 0; i < out.length; i++) {
            int hi = bigEndian ? raw[2 * i] : raw[2 * i + 1];
            int lo = (bigEndian ? raw[2 * i + 1] : raw[2 * i]) & 0xFF;
            out[i] = (short) (hi << 8 | lo) / 32768f;
        }
        return out;
    }

    @Override
    public void setAudioFormat(AudioFormat newFormat) {
        if (format != null && bytes.size() > 0 && !format.matches(newFormat)) {
            throw new IllegalStateException("FreeTTS changed audio format mid-sentence: " + format + " -> " + newFormat);
        }
        format = newFormat;
    }

    @Override
    public AudioFormat getAudioFormat() {
        return format;
    }

    @Override
    public boolean write(byte[] audioData) {
        return write(audioData, 0, audioData.length);
    }

    @Override
    public boolean write(byte[] audioData, int offset, int size) {
        bytes.write(audioData, offset, size);
        return true;
    }

    @Override
    public void begin(int size) {
        // Nothing to prepare: samples are appended as they come.
    }

    @Override
    public boolean end() {
        return true;
    }

    @Override
    public boolean drain() {
        return true;
    }

    @Override
    public void cancel() {
        bytes.reset();
    }

    @Override
    public void reset() {
        // FreeTTS calls this before each utterance; there is no playback state to reset.
    }

    @Override
    public void pause() {
    }

    @Override
    public void resume() {
    }

    @Override
    public void close() {
        bytes.reset();
    }

    @Override
    public float getVolume() {
        return volume;
    }

    @Override
    public void setVolume(float volume) {
        this.volume = volume;
    }

    @Override
    public long getTime() {
        return 0;
    }

    @Override
    public void resetTime() {
    }

    @Override
    public void startFirstSampleTimer() {
    }

    @Override
    public void showMetrics() {
    }
}
