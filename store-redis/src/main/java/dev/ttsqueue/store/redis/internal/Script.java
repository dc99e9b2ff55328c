package dev.ttsqueue.store.redis.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A Lua script from this module's resources, with the SHA-1 that {@code EVALSHA} names it by.
 *
 * @param name file name without {@code .lua}, for messages
 * @param text the script as sent to Redis
 * @param sha its SHA-1, lower-case hex
 */
public record Script(String name, String text, String sha) {
    private static final String FOLDER = "/dev/ttsqueue/store/redis/lua/";

    /** A job script: {@code lib.lua} (shared key names and helpers), then {@code name.lua}. */
    public static Script job(String name) {
        return of(name, resource("lib") + "\n" + resource(name));
    }

    /** A script that stands alone. */
    public static Script plain(String name) {
        return of(name, resource(name));
    }

    private static Script of(String name, String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
            return new Script(name, text, HexFormat.of().formatHex(digest));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-1", e);
        }
    }

    private static String resource(String name) {
        try (InputStream in = Script.class.getResourceAsStream(FOLDER + name + ".lua")) {
            if (in == null) {
                throw new IllegalStateException("script " + name + ".lua is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
