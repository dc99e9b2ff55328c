package dev.ttsqueue.audio.codecs;

import com.jcraft.jogg.Packet;
import com.jcraft.jogg.Page;
import com.jcraft.jogg.StreamState;
import com.jcraft.jogg.SyncState;
import com.jcraft.jorbis.Block;
import com.jcraft.jorbis.Comment;
import com.jcraft.jorbis.DspState;
import com.jcraft.jorbis.Info;
import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.audio.AudioDecoder;
import dev.ttsqueue.audio.AudioFormatException;
import dev.ttsqueue.audio.DecodeLimits;
import dev.ttsqueue.audio.codecs.internal.MonoPcm;
import dev.ttsqueue.audio.codecs.internal.OggCodec;
import dev.ttsqueue.audio.codecs.internal.VorbisHeaders;

/**
 * Ogg Vorbis (one logical Vorbis stream, 1 to 8 channels) on JOrbis. Recognised by the Ogg page
 * marker; an Ogg file holding Opus, Speex or FLAC is refused by name. The three header packets
 * are checked first ({@link VorbisHeaders}). A page with a bad checksum, a missing packet, or a
 * stream that ends without its last page is refused as damage or truncation. Bytes after the
 * stream's last page (a chained second stream included) are ignored; multiplexed files are not
 * supported.
 */
public final class OggVorbisDecoder implements AudioDecoder {
    static final String FORMAT = "Ogg Vorbis";
    /** Bytes handed to the page parser at a time. */
    private static final int CHUNK = 1 << 16;

    @Override
    public String formatName() {
        return FORMAT;
    }

    /** Any Ogg file: one holding another codec is then refused with a message naming it, not as "unrecognised". */
    @Override
    public boolean recognizes(byte[] data) {
        return OggCodec.isOgg(data);
    }

    @Override
    public AudioClip decode(byte[] data, DecodeLimits limits) {
        OggCodec.requireVorbis(data);
        try {
            return new Run(data, limits).decode();
        } catch (AudioFormatException e) {
            throw e;
        } catch (RuntimeException e) {
            // JOrbis indexes its tables with values read from the packets; damaged packets index out of them.
            throw new AudioFormatException("Corrupt Ogg Vorbis file: a packet could not be decoded (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    /** One decode: JOrbis's state objects and where we are in the file. */
    private static final class Run {
        private final byte[] data;
        private final DecodeLimits limits;
        private final SyncState sync = new SyncState();
        private final StreamState stream = new StreamState();
        private final Page page = new Page();
        private final Packet packet = new Packet();
        private final Info info = new Info();
        private final Comment comment = new Comment();
        private DspState dsp;
        private Block block;
        private VorbisHeaders.Identification id;
        private MonoPcm pcm;
        private int fed;
        private int packets;
        private int serial;
        private boolean streamOpen;
        private boolean ended;

        Run(byte[] data, DecodeLimits limits) {
            this.data = data;
            this.limits = limits;
            sync.init();
            info.init();
            comment.init();
        }

        AudioClip decode() {
            // Every turn consumes a page or feeds bytes, so the loop ends with the data.
            while (!ended) {
                int r = sync.pageout(page);
                if (r == 0) {
                    if (fed == data.length) {
                        throw new AudioFormatException(packets < 3
                                ? "Truncated Ogg Vorbis file: it ends inside its headers"
                                : "Truncated Ogg Vorbis file: it ends without its last page");
                    }
                    feed();
                } else if (r < 0) {
                    throw new AudioFormatException("Corrupt Ogg Vorbis file: a damaged page or lost sync near byte " + fed);
                } else {
                    pageIn();
                }
            }
            if (pcm == null || pcm.length() == 0) {
                throw new AudioFormatException("Invalid Ogg Vorbis file: it holds no audio");
            }
            return pcm.toClip();
        }

        private void feed() {
            int n = Math.min(CHUNK, data.length - fed);
            int at = sync.buffer(n);
            System.arraycopy(data, fed, sync.data, at, n);
            sync.wrote(n);
            fed += n;
        }

        private void pageIn() {
            if (!streamOpen) {
                if (page.bos() == 0) {
                    throw new AudioFormatException("Corrupt Ogg Vorbis file: the first page does not start a stream");
                }
                serial = page.serialno();
                stream.init(serial);
                streamOpen = true;
            } else if (page.serialno() != serial) {
                throw new AudioFormatException("Unsupported Ogg Vorbis file: it interleaves more than one logical stream");
            }
            if (stream.pagein(page) != 0) {
                throw new AudioFormatException("Corrupt Ogg Vorbis file: a page does not fit its stream");
            }
            while (true) {
                int r = stream.packetout(packet);
                if (r == 0) {
                    break;
                }
                if (r < 0) {
                    throw new AudioFormatException("Corrupt Ogg Vorbis file: a packet is missing (lost page)");
                }
                packetIn();
            }
            if (page.eos() != 0) {
                if (packets < 3) {
                    throw new AudioFormatException("Truncated Ogg Vorbis file: its stream ends inside its headers");
                }
                ended = true;
            }
        }

        private void packetIn() {
            switch (packets++) {
                case 0 -> {
                    id = VorbisHeaders.identification(packet.packet_base, packet.packet, packet.bytes);
                    header(packet);
                }
                case 1 -> {
                    if (!VorbisHeaders.isHeader(packet.packet_base, packet.packet, packet.bytes, 3)) {
                        throw new AudioFormatException("Corrupt Ogg Vorbis file: the second packet is not a Vorbis comment header");
                    }
                    Packet empty = new Packet();
                    empty.packet_base = VorbisHeaders.EMPTY_COMMENT.clone();
                    empty.packet = 0;
                    empty.bytes = empty.packet_base.length;
                    empty.packetno = 1;
                    header(empty);
                }
                case 2 -> {
                    VorbisHeaders.checkSetup(packet.packet_base, packet.packet, packet.bytes, id);
                    header(packet);
                    dsp = new DspState();
                    dsp.synthesis_init(info);
                    block = new Block(dsp);
                    pcm = new MonoPcm(FORMAT, id.sampleRate(), limits);
                }
                default -> audio();
            }
        }

        private void header(Packet p) {
            if (info.synthesis_headerin(comment, p) < 0) {
                throw new AudioFormatException("Corrupt Ogg Vorbis file: header packet " + packets + " could not be read");
            }
        }

        private void audio() {
            if (block.synthesis(packet) != 0) {
                throw new AudioFormatException("Corrupt Ogg Vorbis file: audio packet " + (packets - 3) + " could not be decoded");
            }
            dsp.synthesis_blockin(block);
            float[][][] out = new float[1][][];
            int[] index = new int[id.channels()];
            int n;
            while ((n = dsp.synthesis_pcmout(out, index)) > 0) {
                pcm.reserve(n);
                float[][] channels = out[0];
                int count = id.channels();
                for (int i = 0; i < n; i++) {
                    float sum = 0;
                    for (int c = 0; c < count; c++) {
                        sum += channels[c][index[c] + i];
                    }
                    pcm.add(sum / count);
                }
                dsp.synthesis_read(n);
            }
        }
    }
}
