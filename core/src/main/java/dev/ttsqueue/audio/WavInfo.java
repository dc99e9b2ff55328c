package dev.ttsqueue.audio;

/**
 * What a WAV header says, read by {@link WavCodec#probe} without decoding the samples.
 *
 * @param sampleRate samples per second per channel
 * @param channels channels in the file (decoding averages them to mono)
 * @param bitsPerSample bits per stored sample (container size for WAVE_FORMAT_EXTENSIBLE)
 * @param floatingPoint whether the samples are IEEE float rather than PCM integers
 * @param frames number of whole frames (samples per channel) in the data chunk
 */
public record WavInfo(int sampleRate, int channels, int bitsPerSample, boolean floatingPoint, long frames) {

    public double durationSeconds() {
        return frames / (double) sampleRate;
    }
}
