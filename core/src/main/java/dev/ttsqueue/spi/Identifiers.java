package dev.ttsqueue.spi;

import dev.ttsqueue.InvalidRequestException;
import java.security.SecureRandom;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Ids and names that end up in file names or keys. Anything that names a file goes through here,
 * so no id can climb out of its folder ({@code ..}, slashes, NUL, drive letters all fail).
 */
public final class Identifiers {

    private Identifiers() {
    }

    /**
     * A fresh id in the UUID form the old server issued: version 7 (RFC 9562), the milliseconds of
     * the Unix epoch in its first 48 bits, then 74 random bits. The random bits come from a
     * {@link SecureRandom} (ids are unguessable, so knowing one is the only way to a job's audio),
     * read in blocks per thread: one {@code nextBytes} call serves 256 ids instead of one.
     *
     * <p>Why time first: a store that indexes jobs by id (SQLite's primary key) then adds each new
     * id at the end of the index, as it adds rows to the table. Random (version 4) ids put every
     * new job on a page of its own, anywhere in the index, and every commit wrote each of those
     * pages out again. An id still reveals no more than the job's {@code created_at}, which anyone
     * holding the id can read anyway.
     */
    public static String newId() {
        return newId(System.currentTimeMillis());
    }

    /** {@link #newId()} as if issued at {@code epochMillis}. */
    static String newId(long epochMillis) {
        return RANDOM_BLOCK.get().nextUuid(epochMillis).toString();
    }

    private static final SecureRandom SECURE = new SecureRandom();
    private static final ThreadLocal<RandomBlock> RANDOM_BLOCK = ThreadLocal.withInitial(RandomBlock::new);

    /** A thread's supply of secure random bytes. */
    private static final class RandomBlock {
        private final byte[] bytes = new byte[16 * 256];
        private int next = bytes.length;

        UUID nextUuid(long epochMillis) {
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
            msb = (epochMillis << 16) | (msb & 0x0FFFL) | 0x7000L; // 48 bits of time, version 7, 12 random bits
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

    /** Longest voice name: {@code {name}_ref.txt} must still fit the 255-byte file names of common file systems. */
    public static final int MAX_VOICE_NAME_LENGTH = 200;

    /**
     * The voice-bank form of a name, by the old server's rule
     * {@code re.sub(r'[^a-zA-Z0-9_-]', '', name.lower())}: lower-cased, then everything outside
     * {@code [a-z0-9_-]} dropped, spaces included ({@code "My Voice!"} becomes {@code myvoice}).
     * This is the one place that rule lives; everything that stores or looks up a voice by a
     * user's spelling goes through here or {@link #voiceNameCandidates}.
     *
     * @throws InvalidRequestException when nothing is left, or more than
     *     {@link #MAX_VOICE_NAME_LENGTH} characters are
     */
    public static String normalizeVoiceName(String name) {
        String cleaned = clean(name == null ? "" : name.toLowerCase(Locale.ROOT));
        if (cleaned.isEmpty()) {
            throw new InvalidRequestException("Voice name must contain alphanumeric characters");
        }
        if (cleaned.length() > MAX_VOICE_NAME_LENGTH) {
            throw new InvalidRequestException("Voice name is too long: at most " + MAX_VOICE_NAME_LENGTH + " characters");
        }
        return cleaned;
    }

    /**
     * The stored names a user's spelling of a voice may refer to, most likely first: the
     * {@link #normalizeVoiceName} form, then the form earlier versions of this server stored
     * (trimmed, spaces turned into {@code _}, so {@code "My Voice"} was saved as {@code my_voice})
     * when it differs. Voices saved under the earlier rule are found without renaming them.
     *
     * @return one or two names; empty when the spelling has nothing usable
     */
    public static List<String> voiceNameCandidates(String name) {
        String current;
        try {
            current = normalizeVoiceName(name);
        } catch (InvalidRequestException e) {
            return List.of();
        }
        String legacy = clean(name.trim().toLowerCase(Locale.ROOT).replace(' ', '_'));
        return isSafe(legacy) && !legacy.equals(current) ? List.of(current, legacy) : List.of(current);
    }

    /** True for names as {@link #normalizeVoiceName} produces them: 1 to 200 characters of {@code [a-z0-9_-]}. */
    public static boolean isVoiceName(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_VOICE_NAME_LENGTH) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /** {@code re.sub(r'[^a-z0-9_-]', '', lowered)}, without a regex: it runs on every submit of a permanent voice. */
    private static String clean(String lowered) {
        StringBuilder kept = null;
        for (int i = 0; i < lowered.length(); i++) {
            char c = lowered.charAt(i);
            boolean allowed = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
            if (!allowed && kept == null) {
                kept = new StringBuilder(lowered.length()).append(lowered, 0, i);
            } else if (allowed && kept != null) {
                kept.append(c);
            }
        }
        return kept == null ? lowered : kept.toString();
    }
}
