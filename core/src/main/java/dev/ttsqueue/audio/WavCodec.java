package dev.ttsqueue.audio;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;

/** PENDING: replaced by the audio work. */
public final class WavCodec {
    private WavCodec() {
    }

    public static AudioClip decode(byte[] data) {
        throw new UnsupportedOperationException("pending");
    }

    public static AudioClip read(InputStream in, long maxBytes) throws IOException {
        throw new UnsupportedOperationException("pending");
    }

    public static AudioClip read(Path file) throws IOException {
        throw new UnsupportedOperationException("pending");
    }

    public static byte[] encode(AudioClip clip, WavFormat format) {
        throw new UnsupportedOperationException("pending");
    }

    public static void write(AudioClip clip, WavFormat format, OutputStream out) throws IOException {
        throw new UnsupportedOperationException("pending");
    }

    public static void write(AudioClip clip, WavFormat format, Path file) throws IOException {
        throw new UnsupportedOperationException("pending");
    }
}
