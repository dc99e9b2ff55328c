package dev.ttsqueue.audio.codecs;

import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.audio.AudioDecoder;
import dev.ttsqueue.audio.AudioFormatException;
import dev.ttsqueue.audio.DecodeLimits;
import dev.ttsqueue.audio.codecs.internal.FlacMetadata;
import dev.ttsqueue.audio.codecs.internal.MonoPcm;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.jflac.ChannelData;
import org.jflac.FLACDecoder;
import org.jflac.FrameListener;
import org.jflac.frame.Frame;
import org.jflac.metadata.Metadata;

/**
 * FLAC (native container, 4 to 24 bits, 1 to 8 channels) on jFLAC. Recognised by its
 * {@code fLaC} marker, after any ID3v2 tags. The metadata is checked here and only STREAMINFO is
 * passed on. A length in STREAMINFO is checked against the limits before any frame is decoded;
 * frames with a bad CRC, lost sync, fewer samples than STREAMINFO announces, and decoded audio that
 * does not match the file's MD5 signature are refused as damage or truncation, where jFLAC would
 * play silence in their place.
 */
public final class FlacDecoder implements AudioDecoder {
    static final String FORMAT = "FLAC";

    @Override
    public String formatName() {
        return FORMAT;
    }

    @Override
    public boolean recognizes(byte[] data) {
        return FlacMetadata.recognizes(data);
    }

    @Override
    public AudioClip decode(byte[] data, DecodeLimits limits) {
        FlacMetadata meta = FlacMetadata.read(data);
        if (meta.totalSamples() > 0) {
            limits.check(FORMAT, meta.totalSamples(), meta.sampleRate());
        }
        FLACDecoder decoder = new FLACDecoder(new ByteArrayInputStream(streamInfoAndFrames(data, meta)));
        decoder.addFrameListener(new AbortOnError());
        MonoPcm pcm = new MonoPcm(FORMAT, meta.sampleRate(), limits);
        MessageDigest md5 = meta.hasMd5() ? md5() : null;
        long decoded = 0;
        try {
            decoder.readMetadata();
            // Stop at the announced length: jFLAC would otherwise parse whatever follows (an ID3v1 tag) as a frame.
            while (meta.totalSamples() == 0 || decoded < meta.totalSamples()) {
                Frame f = decoder.readNextFrame();
                if (f == null) {
                    break;
                }
                if (decoder.getBadFrames() > 0) {
                    throw new AudioFormatException("Corrupt FLAC file: " + decoder.getBadFrames() + " damaged frame(s)");
                }
                if (f.header.channels != meta.channels() || f.header.bitsPerSample != meta.bitsPerSample()) {
                    throw new AudioFormatException("Corrupt FLAC file: frame " + f.header.frameNumber + " has "
                            + f.header.channels + " channels of " + f.header.bitsPerSample + " bits, STREAMINFO says "
                            + meta.channels() + " of " + meta.bitsPerSample());
                }
                add(pcm, md5, decoder.getChannelData(), f.header.blockSize, meta);
                decoded += f.header.blockSize;
            }
        } catch (AbortOnError.Abort e) {
            throw new AudioFormatException("Corrupt FLAC file: " + e.getMessage());
        } catch (IOException e) {
            throw new AudioFormatException("Corrupt FLAC file: " + e.getMessage(), e);
        } catch (AudioFormatException e) {
            throw e;
        } catch (RuntimeException e) {
            // jFLAC indexes its buffers with values read from the frame; damaged frames index out of them.
            throw new AudioFormatException("Corrupt FLAC file: a frame could not be decoded (" + e.getClass().getSimpleName() + ")", e);
        }
        if (decoder.getBadFrames() > 0) {
            throw new AudioFormatException("Corrupt FLAC file: " + decoder.getBadFrames() + " damaged frame(s)");
        }
        if (meta.totalSamples() > 0 && decoded < meta.totalSamples()) {
            throw new AudioFormatException("Truncated FLAC file: " + decoded + " of its " + meta.totalSamples() + " samples are present");
        }
        if (decoded == 0) {
            throw new AudioFormatException("Invalid FLAC file: it holds no audio frames");
        }
        if (md5 != null && !MessageDigest.isEqual(md5.digest(), meta.md5())) {
            throw new AudioFormatException("Corrupt FLAC file: the decoded audio does not match the file's MD5 signature");
        }
        return pcm.toClip();
    }

    /** The marker, STREAMINFO marked as the last metadata block, then the frames. */
    private static byte[] streamInfoAndFrames(byte[] data, FlacMetadata meta) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length - meta.framesStart() + 42);
        out.writeBytes(new byte[] {'f', 'L', 'a', 'C', (byte) 0x80, 0, 0, 34});
        out.writeBytes(meta.streamInfo());
        out.write(data, meta.framesStart(), data.length - meta.framesStart());
        return out.toByteArray();
    }

    /**
     * Turns jFLAC's error reports (bad CRC, lost sync, bad frame header) into an abort. jFLAC
     * itself carries on past them, zeroing the frame or skipping ahead, and at the end of a damaged
     * file it can retry a bad header for ever; throwing from its listener is the way out.
     */
    private static final class AbortOnError implements FrameListener {
        static final class Abort extends RuntimeException {
            private static final long serialVersionUID = 1L;

            Abort(String message) {
                super(message, null, false, false);
            }
        }

        @Override
        public void processMetadata(Metadata metadata) {
        }

        @Override
        public void processFrame(Frame frame) {
        }

        @Override
        public void processError(String msg) {
            throw new Abort(msg);
        }
    }

    private static void add(MonoPcm pcm, MessageDigest md5, ChannelData[] channels, int blockSize, FlacMetadata meta) {
        int n = meta.channels();
        int bytesPerSample = (meta.bitsPerSample() + 7) / 8;
        pcm.reserve(blockSize);
        double scale = 1.0 / ((double) (1L << (meta.bitsPerSample() - 1)) * n);
        byte[] md5Block = md5 == null ? null : new byte[blockSize * n * bytesPerSample];
        int at = 0;
        for (int i = 0; i < blockSize; i++) {
            long sum = 0;
            for (int c = 0; c < n; c++) {
                int v = channels[c].getOutput()[i];
                sum += v;
                if (md5Block != null) {
                    // FLAC signs the samples as little-endian signed integers, interleaved.
                    for (int b = 0; b < bytesPerSample; b++) {
                        md5Block[at++] = (byte) (v >> (8 * b));
                    }
                }
            }
            pcm.add((float) (sum * scale));
        }
        if (md5 != null) {
            md5.update(md5Block);
        }
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has MD5", e);
        }
    }
}
