/** ONNX Runtime session creation shared by the models of this module; not API. */
package dev.ttsqueue.inference.internal;
