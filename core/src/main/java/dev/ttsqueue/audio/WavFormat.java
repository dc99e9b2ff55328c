package dev.ttsqueue.audio;

/** Sample encodings {@link WavCodec} writes (and reads). */
public enum WavFormat {
    PCM_U8(8), PCM_16(16), PCM_24(24), PCM_32(32), FLOAT_32(32);

    private final int bitsPerSample;

    WavFormat(int bitsPerSample) {
        this.bitsPerSample = bitsPerSample;
    }

    public int bitsPerSample() {
        return bitsPerSample;
    }
}
