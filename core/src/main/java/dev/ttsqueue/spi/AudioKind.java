package dev.ttsqueue.spi;

/** Why a clip is in the {@link AudioStore}. */
public enum AudioKind {
    /** A reference clip a client uploaded. */
    UPLOAD,
    /** Audio a job generated. */
    OUTPUT
}
