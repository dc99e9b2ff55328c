package dev.ttsqueue.audio.codecs;

import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.audio.AudioDecoder;
import dev.ttsqueue.audio.AudioFormatException;
import dev.ttsqueue.audio.DecodeLimits;
import dev.ttsqueue.audio.codecs.internal.MonoPcm;
import dev.ttsqueue.audio.codecs.internal.MpegStream;
import java.io.ByteArrayInputStream;
import javazoom.jl.decoder.Bitstream;
import javazoom.jl.decoder.BitstreamException;
import javazoom.jl.decoder.Decoder;
import javazoom.jl.decoder.DecoderException;
import javazoom.jl.decoder.Header;
import javazoom.jl.decoder.SampleBuffer;

/**
 * MPEG-1, 2 and 2.5 audio, layers I to III (MP3, and MP2 with it), on JLayer. Recognised by two
 * consistent frame headers at the start, after any ID3v2 tags. Before anything is decoded the
 * frames are walked ({@link MpegStream}): the duration is checked against the limits from the
 * frame count, and a last frame cut short or bytes that are no frame are refused as truncation or
 * damage, which JLayer itself would pass over. ID3v1, APEv2 and Lyrics3 tags after the last frame
 * are skipped; free-format bit rates are not supported.
 */
public final class Mp3Decoder implements AudioDecoder {
    static final String FORMAT = "MP3";

    @Override
    public String formatName() {
        return FORMAT;
    }

    @Override
    public boolean recognizes(byte[] data) {
        return MpegStream.recognizes(data);
    }

    @Override
    public AudioClip decode(byte[] data, DecodeLimits limits) {
        MpegStream stream = MpegStream.scan(data);
        int rate = stream.first().sampleRate();
        limits.check(FORMAT, stream.samples(), rate);
        MonoPcm pcm = new MonoPcm(FORMAT, rate, limits);
        Bitstream bits = new Bitstream(new ByteArrayInputStream(data, stream.start(), stream.end() - stream.start()));
        Decoder decoder = new Decoder();
        long frame = 0;
        try {
            for (Header h = bits.readFrame(); h != null; h = bits.readFrame()) {
                frame++;
                SampleBuffer out = (SampleBuffer) decoder.decodeFrame(h, bits);
                addMono(pcm, out);
                bits.closeFrame();
            }
        } catch (BitstreamException | DecoderException e) {
            throw new AudioFormatException("Corrupt MP3 file: frame " + (frame + 1) + " could not be decoded (" + e.getMessage() + ")", e);
        } catch (AudioFormatException e) {
            throw e;
        } catch (RuntimeException e) {
            // JLayer indexes its tables with values read from the frame; damaged frames index out of them.
            throw new AudioFormatException("Corrupt MP3 file: frame " + (frame + 1) + " could not be decoded ("
                    + e.getClass().getSimpleName() + ")", e);
        }
        if (frame != stream.frames()) {
            throw new AudioFormatException("Corrupt MP3 file: " + frame + " of its " + stream.frames() + " frames could be decoded");
        }
        return pcm.toClip();
    }

    private static void addMono(MonoPcm pcm, SampleBuffer out) {
        int channels = out.getChannelCount();
        short[] buf = out.getBuffer();
        int frames = out.getBufferLength() / channels;
        pcm.reserve(frames);
        float scale = 1f / (32768f * channels);
        for (int i = 0; i < frames; i++) {
            int sum = 0;
            for (int c = 0; c < channels; c++) {
                sum += buf[i * channels + c];
            }
            pcm.add(sum * scale);
        }
    }
}
