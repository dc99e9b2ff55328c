package dev.ttsqueue.audio.codecs.internal;

import dev.ttsqueue.audio.AudioFormatException;

/**
 * Checks the Vorbis header packets before the decoder library reads them. JOrbis trusts sizes in
 * these headers: a setup header of a few bytes can make it allocate gigabytes (codebook and
 * residue partition tables sized {@code entries * dim} or {@code classifications ^ dim}) or loop
 * for ever (a value-mapped codebook of dimension 0), and a comment header can claim a 2 GiB vendor
 * string. So this class walks the identification header and the setup header up to the residues,
 * with the bounds libvorbis applies and a few tighter ones no encoder comes near, and the comment
 * header is never handed to JOrbis at all ({@link #EMPTY_COMMENT} stands in for it).
 */
public final class VorbisHeaders {
    private static final String FORMAT = "Ogg Vorbis";
    /** Channels accepted; speech references are mono or stereo, surround tops out at 8. */
    public static final int MAX_CHANNELS = 8;
    /** Codebook entries over all codebooks: real encoders use some thousands; this bounds the tables built from them. */
    static final long MAX_TOTAL_ENTRIES = 1 << 20;
    private static final long CODEBOOK_SYNC = 0x564342;

    /** A comment header with no vendor and no comments: all JOrbis ever sees of the real one. */
    public static final byte[] EMPTY_COMMENT = {3, 'v', 'o', 'r', 'b', 'i', 's', 0, 0, 0, 0, 0, 0, 0, 0, 1};

    /** A header that breaks a rule; turned into an {@link AudioFormatException} by the callers. */
    static final class Bad extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Bad(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * The identification header's fields that matter.
     *
     * @param channels 1 to {@link #MAX_CHANNELS}
     * @param sampleRate within {@link SampleRates}
     * @param longBlock the long block size (samples), 64 to 8192
     */
    public record Identification(int channels, int sampleRate, int longBlock) {
    }

    private VorbisHeaders() {
    }

    /** Whether a packet is the header of the given type (1 identification, 3 comment, 5 setup). */
    public static boolean isHeader(byte[] packet, int offset, int length, int type) {
        return length >= 7 && packet[offset] == type && packet[offset + 1] == 'v' && packet[offset + 2] == 'o'
                && packet[offset + 3] == 'r' && packet[offset + 4] == 'b' && packet[offset + 5] == 'i' && packet[offset + 6] == 's';
    }

    /** @throws AudioFormatException unless the packet is a valid identification header */
    public static Identification identification(byte[] packet, int offset, int length) {
        if (!isHeader(packet, offset, length, 1)) {
            throw new AudioFormatException("Corrupt Ogg Vorbis file: the first packet is not a Vorbis identification header");
        }
        try {
            VorbisBits b = new VorbisBits(packet, offset + 7, length - 7);
            long version = b.read(32);
            int channels = b.readInt(8);
            long rate = b.read(32);
            b.skip(96); // bit rates: hints only
            int shortExp = b.readInt(4);
            int longExp = b.readInt(4);
            boolean framing = b.read(1) == 1;
            if (version != 0 || !framing) {
                throw new Bad("identification header of version " + version + (framing ? "" : ", without framing bit"));
            }
            if (channels < 1 || channels > MAX_CHANNELS) {
                throw new AudioFormatException("Unsupported Ogg Vorbis file: " + channels + " channels (1 to " + MAX_CHANNELS + " are supported)");
            }
            if (shortExp < 6 || longExp > 13 || shortExp > longExp) {
                throw new Bad("block sizes 2^" + shortExp + " and 2^" + longExp);
            }
            return new Identification(channels, SampleRates.check(FORMAT, rate), 1 << longExp);
        } catch (Bad e) {
            throw corrupt(e);
        }
    }

    /**
     * Walks the setup header's codebooks, time-domain transforms, floors and residues.
     *
     * @throws AudioFormatException when any of them breaks a bound
     */
    public static void checkSetup(byte[] packet, int offset, int length, Identification id) {
        if (!isHeader(packet, offset, length, 5)) {
            throw new AudioFormatException("Corrupt Ogg Vorbis file: the third packet is not a Vorbis setup header");
        }
        try {
            VorbisBits b = new VorbisBits(packet, offset + 7, length - 7);
            int books = b.readInt(8) + 1;
            long[] entries = new long[books];
            int[] dims = new int[books];
            long total = 0;
            for (int i = 0; i < books; i++) {
                codebook(b, i, entries, dims);
                total += entries[i];
                if (total > MAX_TOTAL_ENTRIES) {
                    throw new Bad("codebooks with more than " + MAX_TOTAL_ENTRIES + " entries in all");
                }
            }
            int times = b.readInt(6) + 1;
            for (int i = 0; i < times; i++) {
                if (b.read(16) != 0) {
                    throw new Bad("unknown time-domain transform");
                }
            }
            int floors = b.readInt(6) + 1;
            for (int i = 0; i < floors; i++) {
                floor(b, books);
            }
            int residues = b.readInt(6) + 1;
            for (int i = 0; i < residues; i++) {
                residue(b, books, entries, dims, id);
            }
        } catch (Bad e) {
            throw corrupt(e);
        }
    }

    private static void codebook(VorbisBits b, int index, long[] entries, int[] dims) {
        if (b.read(24) != CODEBOOK_SYNC) {
            throw new Bad("codebook " + index + " has no sync pattern");
        }
        int dim = b.readInt(16);
        long n = b.read(24);
        if (dim < 1 || n < 1 || ilog(dim) + ilog(n) > 24) {
            throw new Bad("codebook " + index + " of " + n + " entries in " + dim + " dimensions");
        }
        if (n > MAX_TOTAL_ENTRIES) {
            throw new Bad("codebook " + index + " of " + n + " entries");
        }
        entries[index] = n;
        dims[index] = dim;
        if (b.read(1) == 0) { // unordered
            boolean sparse = b.read(1) == 1;
            if (n * (sparse ? 1 : 5) > b.remaining()) {
                throw new Bad("codebook " + index + " claims more entries than the header holds");
            }
            for (long e = 0; e < n; e++) {
                if (!sparse || b.read(1) == 1) {
                    b.skip(5);
                }
            }
        } else { // ordered: runs of entries per code length
            long length = b.read(5) + 1;
            for (long e = 0; e < n; length++) {
                if (length > 32) {
                    throw new Bad("codebook " + index + " has code lengths over 32 bits");
                }
                long run = b.read(ilog(n - e));
                if (e + run > n) {
                    throw new Bad("codebook " + index + " has more code lengths than entries");
                }
                e += run;
            }
        }
        int mapType = b.readInt(4);
        if (mapType == 0) {
            return;
        }
        if (mapType > 2) {
            throw new Bad("codebook " + index + " has lookup type " + mapType);
        }
        b.skip(64); // minimum and delta values
        int valueBits = b.readInt(4) + 1;
        b.skip(1); // sequence flag
        long values = mapType == 1 ? lookup1Values(n, dim, index) : n * dim;
        if (values * valueBits > b.remaining()) {
            throw new Bad("codebook " + index + " claims more values than the header holds");
        }
        b.skip(values * valueBits);
    }

    /**
     * The greatest {@code v} with {@code v^dim <= entries}. JOrbis computes it in {@code int}
     * arithmetic, looping until {@code v^dim <= entries < (v+1)^dim}: where {@code (v+1)^dim}
     * does not fit an {@code int} that loop never ends, so such codebooks are refused here.
     */
    private static long lookup1Values(long entries, int dim, int index) {
        long v = 1;
        while (pow(v + 1, dim) <= entries) {
            v++;
        }
        if (pow(v + 1, dim) > Integer.MAX_VALUE) {
            throw new Bad("codebook " + index + " has a value lookup too large to index");
        }
        return v;
    }

    /** {@code base^exp}, or {@code Long.MAX_VALUE} once it passes {@code Integer.MAX_VALUE}. */
    private static long pow(long base, int exp) {
        long r = 1;
        for (int i = 0; i < exp; i++) {
            r *= base;
            if (r > Integer.MAX_VALUE) {
                return Long.MAX_VALUE;
            }
        }
        return r;
    }

    private static void floor(VorbisBits b, int books) {
        int type = b.readInt(16);
        if (type == 0) {
            b.skip(8 + 16 + 16 + 6 + 8); // order, rate, bark map size, amplitude bits and offset
            int n = b.readInt(4) + 1;
            for (int i = 0; i < n; i++) {
                book(b.readInt(8), books);
            }
            return;
        }
        if (type != 1) {
            throw new Bad("floor type " + type);
        }
        int partitions = b.readInt(5);
        int[] classOf = new int[partitions];
        int maxClass = -1;
        for (int i = 0; i < partitions; i++) {
            classOf[i] = b.readInt(4);
            maxClass = Math.max(maxClass, classOf[i]);
        }
        int[] classDims = new int[maxClass + 1];
        for (int c = 0; c <= maxClass; c++) {
            classDims[c] = b.readInt(3) + 1;
            int subclasses = b.readInt(2);
            if (subclasses > 0) {
                book(b.readInt(8), books);
            }
            for (int s = 0; s < (1 << subclasses); s++) {
                int book = b.readInt(8) - 1;
                if (book >= 0) {
                    book(book, books);
                }
            }
        }
        b.skip(2); // multiplier
        int rangeBits = b.readInt(4);
        int points = 2;
        for (int i = 0; i < partitions; i++) {
            points += classDims[classOf[i]];
            if (points > 65) { // libvorbis's bound (VIF_POSIT + 2)
                throw new Bad("floor with more than 65 points");
            }
            b.skip((long) classDims[classOf[i]] * rangeBits);
        }
    }

    private static void residue(VorbisBits b, int books, long[] entries, int[] dims, Identification id) {
        int type = b.readInt(16);
        if (type > 2) {
            throw new Bad("residue type " + type);
        }
        long begin = b.read(24);
        long end = b.read(24);
        b.skip(24); // partition size
        int classifications = b.readInt(6) + 1;
        int classBook = book(b.readInt(8), books);
        // JOrbis does not clamp a residue to the block as libvorbis does: it would size its tables by it.
        if (begin > end || end > id.longBlock() / 2L * (type == 2 ? id.channels() : 1)) {
            throw new Bad("residue range " + begin + " to " + end + " outside the block");
        }
        // libvorbis's rule: the classification book must be able to name every partition pattern.
        if (pow(classifications, dims[classBook]) > entries[classBook]) {
            throw new Bad("residue classification book too small for its partitions");
        }
        int[] cascade = new int[classifications];
        for (int i = 0; i < classifications; i++) {
            int low = b.readInt(3);
            int high = b.read(1) == 1 ? b.readInt(5) : 0;
            cascade[i] = high << 3 | low;
        }
        for (int i = 0; i < classifications; i++) {
            for (int bit = 0; bit < 8; bit++) {
                if ((cascade[i] & (1 << bit)) != 0) {
                    book(b.readInt(8), books);
                }
            }
        }
    }

    private static int book(int index, int books) {
        if (index >= books) {
            throw new Bad("reference to codebook " + index + " of " + books);
        }
        return index;
    }

    private static int ilog(long v) {
        return 64 - Long.numberOfLeadingZeros(v);
    }

    private static AudioFormatException corrupt(Bad e) {
        return new AudioFormatException("Corrupt Ogg Vorbis file: " + e.getMessage());
    }
}
