/**
 * Audio primitives the queue and its backends share, public API: {@link dev.ttsqueue.audio.AudioClip}
 * (mono PCM as floats), the WAV reader and writer, resampling, silence removal and cross-fades, and
 * the decoder interface other formats plug into. Bad input is an
 * {@link dev.ttsqueue.audio.AudioFormatException} that says what is wrong, never a crash.
 */
package dev.ttsqueue.audio;
