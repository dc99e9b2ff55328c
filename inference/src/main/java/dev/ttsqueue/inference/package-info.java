/** Settings the ONNX Runtime models of this module share; public API. */
package dev.ttsqueue.inference;
