/** The checks around the decoder libraries; not API. */
package dev.ttsqueue.audio.codecs.internal;
