package dev.ttsqueue.store.redis.internal;

/**
 * A queued job's member in the run-order sorted set: 8 hex digits that fall as priority rises,
 * 16 of virtual start (fair share between tenants, see {@link dev.ttsqueue.spi.VirtualTime}), 16 of
 * sequence, then the job id. All members have score 0, so Redis orders them by bytes, which is run
 * order (higher priority first, then lower virtual start, then submission order), and ZRANK is the
 * place in the queue. Exact for every int priority and every non-negative long virtual start and
 * sequence, which a double score is not. {@code enqueue.lua} builds the same string from
 * {@link #head}, the virtual start and the sequence it assigns.
 */
public final class RunKey {
    /** Characters before the id. */
    public static final int HEAD_LENGTH = 40;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private RunKey() {
    }

    /** The priority part: {@code Integer.MAX_VALUE - priority}, which is never negative, as 8 hex digits. */
    public static String head(int priority) {
        return hex((long) Integer.MAX_VALUE - priority, 8);
    }

    public static String of(int priority, long virtualStart, long sequence, String id) {
        return head(priority) + hex(virtualStart, 16) + hex(sequence, 16) + id;
    }

    private static String hex(long value, int digits) {
        char[] out = new char[digits];
        for (int i = digits - 1; i >= 0; i--) {
            out[i] = HEX[(int) (value & 0xf)];
            value >>>= 4;
        }
        return new String(out);
    }
}
