package dev.ttsqueue.spi;

import dev.ttsqueue.InvalidRequestException;
import java.security.SecureRandom;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Ids and names that end up in file names or keys. Anything that names a file goes through here,
 * so no id can climb out of its folder ({@code ..}, slashes, NUL, drive letters all fail).
 */
public final class Identifiers {
    private static final Pattern NOT_VOICE_CHAR = Pattern.compile("[^a-z0-9_-]");

    private Identifiers() {
    }

    /**
     * A fresh random id in UUID version 4 form, as the old server issued. The 122 random bits come
     * from a {@link SecureRandom} (ids are unguessable, so knowing one is the only way to a job's
     * audio), read in blocks per thread: one {@code nextBytes} call serves 256 ids instead of one.
     */
    public static String newId() {
        return RANDOM_BLOCK.get().nextUuid().toString();
    }

    private static final SecureRandom SECURE = new SecureRandom();
    private static final ThreadLocal<RandomBlock> RANDOM_BLOCK = ThreadLocal.withInitial(RandomBlock::new);

    /** A thread's supply of secure random bytes. */
    private static final class RandomBlock {
        private final byte[] bytes = new byte[16 * 256];
        private int next = bytes.length;

        UUID nextUuid() {
            if (next == bytes.length) {
                SECURE.nextBytes(bytes);
                next = 0;
            }
            long msb = 0;
            long lsb = 0;
            for (int i = 0; i < 8; i++) {
                msb = (msb << 8) | (bytes[next + i] & 0xff);
                lsb = (lsb << 8) | (bytes[next + 8 + i] & 0xff);
            }
            next += 16;
            msb = (msb & ~0xF000L) | 0x4000L; // version 4
            lsb = (lsb & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L; // IETF variant
            return new UUID(msb, lsb);
        }
    }

    /** True when {@code id} is 1–128 characters of {@code [A-Za-z0-9_-]}, starting with a letter or digit. */
    public static boolean isSafe(String id) {
        // A hand-written check rather than a regex: this runs on every submit and lookup.
        if (id == null || id.isEmpty() || id.length() > 128) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            if (!alnum && (i == 0 || (c != '-' && c != '_'))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Returns {@code id} when safe.
     *
     * @throws InvalidRequestException naming {@code what} otherwise
     */
    public static String requireSafe(String what, String id) {
        if (!isSafe(id)) {
            throw new InvalidRequestException("Invalid " + what + ": only letters, digits, '-' and '_' are allowed");
        }
        return id;
    }

    /**
     * The voice-bank form of a name, as the old server made it: lower-cased, spaces to '_', and
     * anything outside {@code [a-z0-9_-]} dropped.
     *
     * @throws InvalidRequestException when nothing is left
     */
    public static String normalizeVoiceName(String name) {
        String lowered = name == null ? "" : name.trim().toLowerCase(Locale.ROOT).replace(' ', '_');
        String cleaned = NOT_VOICE_CHAR.matcher(lowered).replaceAll("");
        if (!isSafe(cleaned)) {
            throw new InvalidRequestException("Voice name must contain alphanumeric characters");
        }
        return cleaned;
    }
}
