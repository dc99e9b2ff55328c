/** Whisper's front end, tokenizer and decoder; not API. */
package dev.ttsqueue.inference.whisper.internal;
