package dev.ttsqueue;

/**
 * What a completed job produced. The audio itself lives in the queue's
 * {@link dev.ttsqueue.spi.AudioStore} under {@code outputFileId} (see
 * {@link TtsJobQueue#readOutput(String)}), so that retained results stay small.
 *
 * @param outputFileId id of the generated WAV in the audio store
 * @param refText the reference transcript that was used (after transcription, if any)
 * @param genText the text that was spoken
 * @param seed the seed that was used
 * @param voiceName the voice bank voice, for {@code TTS_PERMANENT} jobs; otherwise null
 * @param durationSeconds length of the generated audio
 * @param sampleRate sample rate of the generated audio
 * @param backend name of the backend that made it
 * @param note a remark for the user, e.g. that this backend does not clone voices; may be null
 */
public record SynthesisResult(
        String outputFileId,
        String refText,
        String genText,
        long seed,
        String voiceName,
        double durationSeconds,
        int sampleRate,
        String backend,
        String note) {
}
