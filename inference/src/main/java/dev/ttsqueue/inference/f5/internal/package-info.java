/** F5's host-side algorithms (tokens, chunks, durations, noise, sessions); not API. */
package dev.ttsqueue.inference.f5.internal;
