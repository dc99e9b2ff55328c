package dev.ttsqueue.audio;

/** Sample encodings {@link WavCodec} writes (it reads these and 64-bit float too). */
public enum WavFormat {
    /** 8-bit unsigned PCM (128 = silence). */
    PCM_U8(8),
    /** 16-bit signed PCM, the format stores and downloads use. */
    PCM_16(16),
    /** 24-bit signed PCM. */
    PCM_24(24),
    /** 32-bit signed PCM. */
    PCM_32(32),
    /** 32-bit IEEE float. */
    FLOAT_32(32);

    private final int bitsPerSample;

    WavFormat(int bitsPerSample) {
        this.bitsPerSample = bitsPerSample;
    }

    public int bitsPerSample() {
        return bitsPerSample;
    }
}
