/**
 * F5-TTS on ONNX Runtime: {@link dev.ttsqueue.inference.f5.F5OnnxBackend}, a
 * {@link dev.ttsqueue.spi.TtsBackend}, with CUDA when present and the CPU otherwise. Public API.
 */
package dev.ttsqueue.inference.f5;
