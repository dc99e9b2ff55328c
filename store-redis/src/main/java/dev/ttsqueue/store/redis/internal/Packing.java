package dev.ttsqueue.store.redis.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Several strings, any of them null, in one: each as its length, a colon and its characters, or a
 * {@code ~} for null. Lets a job's request and result live in one hash field each, written once,
 * instead of a dozen fields every write would carry.
 */
final class Packing {
    private Packing() {
    }

    static String pack(String... values) {
        int size = 0;
        for (String v : values) {
            size += v == null ? 1 : v.length() + 8;
        }
        StringBuilder sb = new StringBuilder(size);
        for (String v : values) {
            if (v == null) {
                sb.append('~');
            } else {
                sb.append(v.length()).append(':').append(v);
            }
        }
        return sb.toString();
    }

    /** @throws IllegalStateException when {@code packed} is not what {@link #pack} writes */
    static List<String> unpack(String packed) {
        List<String> out = new ArrayList<>(16);
        int i = 0;
        while (i < packed.length()) {
            if (packed.charAt(i) == '~') {
                out.add(null);
                i++;
                continue;
            }
            int colon = packed.indexOf(':', i);
            if (colon < 0) {
                throw new IllegalStateException("damaged packed value at " + i);
            }
            int length = Integer.parseInt(packed, i, colon, 10);
            int end = colon + 1 + length;
            if (length < 0 || end > packed.length()) {
                throw new IllegalStateException("damaged packed value at " + i);
            }
            out.add(packed.substring(colon + 1, end));
            i = end;
        }
        return out;
    }
}
