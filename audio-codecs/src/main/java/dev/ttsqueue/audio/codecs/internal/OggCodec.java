package dev.ttsqueue.audio.codecs.internal;

import dev.ttsqueue.audio.AudioFormatException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** What an Ogg file holds, read from the first packet of its first page. */
public final class OggCodec {
    private static final int PAGE_HEADER = 27;
    /** First bytes of the first packet of codecs other than Vorbis, for a refusal that names them. */
    private static final Map<String, String> OTHERS = Map.of(
            "OpusHead", "Opus", "Speex   ", "Speex", "\u007fFLAC", "FLAC", "\u0080theora", "Theora video", "fishead\u0000", "Skeleton");

    private OggCodec() {
    }

    /** Whether {@code data} starts with an Ogg page. */
    public static boolean isOgg(byte[] data) {
        return data.length >= 4 && data[0] == 'O' && data[1] == 'g' && data[2] == 'g' && data[3] == 'S';
    }

    /** @throws AudioFormatException unless the first page starts a Vorbis stream */
    public static void requireVorbis(byte[] data) {
        if (data.length < PAGE_HEADER) {
            throw new AudioFormatException("Truncated Ogg Vorbis file: " + data.length + " bytes, less than one page header");
        }
        int segments = data[26] & 0xFF;
        int packet = PAGE_HEADER + segments;
        if (data.length < packet + 7) {
            throw new AudioFormatException("Truncated Ogg Vorbis file: it ends inside its first page");
        }
        if (VorbisHeaders.isHeader(data, packet, data.length - packet, 1)) {
            return;
        }
        String head = new String(data, packet, Math.min(8, data.length - packet), StandardCharsets.ISO_8859_1);
        for (Map.Entry<String, String> other : OTHERS.entrySet()) {
            if (head.startsWith(other.getKey())) {
                throw new AudioFormatException("Unsupported Ogg file: it holds " + other.getValue() + ", not Vorbis");
            }
        }
        throw new AudioFormatException("Unsupported Ogg file: its first stream is not Vorbis");
    }
}
