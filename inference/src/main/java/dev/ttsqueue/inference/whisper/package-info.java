/**
 * Whisper on ONNX Runtime as a {@link dev.ttsqueue.spi.Transcriber}: fills empty reference texts.
 * Public API.
 */
package dev.ttsqueue.inference.whisper;
