package dev.ttsqueue.store.redis;

import dev.ttsqueue.TtsQueueException;

/**
 * Redis answered, but not as the stores expect: a script refused by the server (scripting turned
 * off, an ACL that forbids a command), or keys under the prefix that these stores did not write.
 * Unlike {@link dev.ttsqueue.StoreUnavailableException}, waiting does not help: the message says
 * what to fix.
 */
public class RedisStoreException extends TtsQueueException {
    private static final long serialVersionUID = 1L;

    public RedisStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
