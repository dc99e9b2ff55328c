/**
 * The built-in speech backend on FreeTTS, so that the server speaks with no model download. It does
 * not clone voices, and says so in its info and in each result. Public API.
 */
package dev.ttsqueue.inference.freetts;
