package dev.ttsqueue.audio;

/** WAV through {@link WavReader}, the length checked against the limits from the header, before the samples are read. */
final class WavDecoder implements AudioDecoder {
    @Override
    public String formatName() {
        return "WAV";
    }

    @Override
    public boolean recognizes(byte[] data) {
        // RIFX and RF64 too: the reader then says they are not supported, which beats "unrecognised".
        if (data.length < 4) {
            return false;
        }
        String magic = new String(data, 0, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
        return magic.equals("RIFF") || magic.equals("RIFX") || magic.equals("RF64");
    }

    @Override
    public AudioClip decode(byte[] data, DecodeLimits limits) {
        return WavReader.decode(data, limits);
    }
}
