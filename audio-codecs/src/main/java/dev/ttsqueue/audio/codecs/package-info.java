/**
 * Decoders for MP3, FLAC and Ogg Vorbis references, recognised by content and decoded within a
 * length limit; public API. {@link dev.ttsqueue.audio.codecs.AudioCodecs} is the entry point.
 */
package dev.ttsqueue.audio.codecs;
