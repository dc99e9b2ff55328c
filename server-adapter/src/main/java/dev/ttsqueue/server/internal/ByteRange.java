package dev.ttsqueue.server.internal;

/**
 * One byte range of a {@code Range: bytes=...} request header (RFC 9110, section 14), resolved
 * against the size of the file: what a browser's {@code <audio>} element sends to seek.
 *
 * @param first first byte served
 * @param last last byte served, inclusive
 */
record ByteRange(long first, long last) {

    /** What a Range header asks of a file of a given size. */
    sealed interface Request permits Whole, Part, Unsatisfiable {
    }

    /** Serve the whole file (no Range header, one we do not serve, or one that does not parse). */
    record Whole() implements Request {
    }

    /** Serve this part with 206. */
    record Part(ByteRange range) implements Request {
    }

    /** 416: the range starts past the end. */
    record Unsatisfiable() implements Request {
    }

    long length() {
        return last - first + 1;
    }

    /**
     * Reads {@code header} for a file of {@code size} bytes. A syntactically invalid header is
     * ignored, as the RFC says; several ranges are answered with the whole file, which the RFC
     * allows and every client handles (it spares us multipart/byteranges).
     */
    static Request parse(String header, long size) {
        if (header == null) {
            return new Whole();
        }
        String h = header.trim();
        if (!h.regionMatches(true, 0, "bytes=", 0, 6)) {
            return new Whole();
        }
        String spec = h.substring(6).trim();
        if (spec.isEmpty() || spec.indexOf(',') >= 0) {
            return new Whole();
        }
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return new Whole();
        }
        String from = spec.substring(0, dash).trim();
        String to = spec.substring(dash + 1).trim();
        Long a = digits(from);
        Long b = digits(to);
        if (from.isEmpty()) { // bytes=-N: the last N bytes
            if (b == null) {
                return new Whole();
            }
            if (b == 0 || size == 0) {
                return new Unsatisfiable();
            }
            return new Part(new ByteRange(Math.max(0, size - b), size - 1));
        }
        if (a == null || (!to.isEmpty() && (b == null || b < a))) {
            return new Whole();
        }
        if (a >= size) {
            return new Unsatisfiable();
        }
        long last = to.isEmpty() ? size - 1 : Math.min(b, size - 1);
        return new Part(new ByteRange(a, last));
    }

    /** A non-negative decimal, or null (also for values past {@code Long.MAX_VALUE}). */
    private static Long digits(String s) {
        if (s.isEmpty() || s.length() > 18) {
            return null;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return null;
            }
        }
        return Long.parseLong(s);
    }
}
