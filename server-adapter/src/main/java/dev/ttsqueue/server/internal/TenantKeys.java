package dev.ttsqueue.server.internal;

import dev.ttsqueue.FairShare;
import dev.ttsqueue.InvalidRequestException;
import dev.ttsqueue.JobRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The API keys the server accepts and the tenant each one stands for, read from an
 * {@code --api-keys} file: one key a line,
 *
 * <pre>
 * # key                              tenant   weight  max_queued  rate_per_s  [admin]
 * 6f1c0b7e2d9a4c55b3e8f0a1d2c3b4a5   acme     3       100         2
 * 0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a   ops      1       0           0           admin
 * </pre>
 *
 * <p>Fields are separated by spaces or tabs. {@code key}: 16 to 256 printable ASCII characters
 * without spaces (it travels as the {@code X-API-Key} header). {@code tenant}: a tenant name as
 * {@link JobRequest#checkTenant} accepts it, except {@code .} and {@code ..} (a tenant's voices
 * live in a folder named after it). {@code weight}: the tenant's share of the workers,
 * 1 to {@value FairShare#MAX_WEIGHT}. {@code max_queued}: most jobs the tenant may have waiting, 0 = no
 * limit. {@code rate_per_s}: submissions a second (a decimal), 0 = no limit. {@code admin}: the key
 * sees every tenant's jobs, audio and voices, and may upload shared voices. Blank lines and lines starting with {@code #} are ignored. A
 * tenant may have several keys (to rotate them) as long as every line gives it the same weight and
 * limits. Mistakes are refused at start-up naming the line, never the key.
 *
 * <p>Keys are kept only as SHA-256 digests, and a lookup compares the digest of the key sent with
 * every digest held, so neither timing nor a heap dump tells which key matched.
 */
public final class TenantKeys {
    /** Shortest key the file accepts: guessing one must stay out of reach. */
    public static final int MIN_KEY_LENGTH = 16;
    private static final int MAX_KEY_LENGTH = 256;

    /**
     * What a key stands for.
     *
     * @param tenant the tenant its requests act for
     * @param weight the tenant's fair-share weight
     * @param maxQueued most queued jobs of the tenant; 0 = no limit
     * @param ratePerSecond submissions a second; 0 = no limit
     * @param admin whether it sees every tenant's jobs and audio
     */
    public record Grant(String tenant, int weight, int maxQueued, double ratePerSecond, boolean admin) {
        /** The anonymous admin every request is when the server has no keys or a single {@code --api-key}. */
        public static final Grant OPEN = new Grant(JobRequest.ANONYMOUS_TENANT, 1, 0, 0, true);

        /** Whether this grant may see jobs and audio of {@code owner}. */
        public boolean sees(String owner) {
            return admin || tenant.equals(owner);
        }

        /** Same weight and limits: two keys of one tenant must agree on them. */
        boolean sameLimits(Grant o) {
            return weight == o.weight && maxQueued == o.maxQueued && ratePerSecond == o.ratePerSecond;
        }
    }

    private final byte[][] digests;
    private final Grant[] grants;

    private TenantKeys(List<byte[]> digests, List<Grant> grants) {
        this.digests = digests.toArray(new byte[0][]);
        this.grants = grants.toArray(new Grant[0]);
    }

    /** The single key of {@code --api-key}: the anonymous tenant, admin, no limits. */
    public static TenantKeys single(String key) {
        return new TenantKeys(List.of(sha256(key)), List.of(Grant.OPEN));
    }

    /**
     * Reads an {@code --api-keys} file.
     *
     * @throws IllegalArgumentException when it cannot be read or a line is wrong (naming the line, not the key)
     */
    public static TenantKeys read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("--api-keys: cannot read " + file + ": " + e);
        }
        return parse(lines, file.toString());
    }

    /** Parses the lines of an {@code --api-keys} file named {@code source} in messages. */
    static TenantKeys parse(List<String> lines, String source) {
        List<byte[]> digests = new ArrayList<>();
        List<Grant> grants = new ArrayList<>();
        Map<String, Integer> lineOfKey = new HashMap<>();
        Map<String, Grant> byTenant = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int n = i + 1;
            String where = "--api-keys " + source + " line " + n + ": ";
            String[] f = line.split("[ \t]+");
            if (f.length < 5 || f.length > 6) {
                throw new IllegalArgumentException(where + "expected 'key tenant weight max_queued rate_per_s [admin]', found "
                        + f.length + " fields");
            }
            String key = f[0];
            if (key.length() < MIN_KEY_LENGTH || key.length() > MAX_KEY_LENGTH || !key.chars().allMatch(ch -> ch > 0x20 && ch < 0x7f)) {
                throw new IllegalArgumentException(where + "the key must be " + MIN_KEY_LENGTH + " to " + MAX_KEY_LENGTH
                        + " printable ASCII characters without spaces");
            }
            Integer earlier = lineOfKey.putIfAbsent(key, n);
            if (earlier != null) {
                throw new IllegalArgumentException(where + "the same key as line " + earlier);
            }
            String tenant;
            try {
                tenant = JobRequest.checkTenant(f[1]);
            } catch (InvalidRequestException e) {
                throw new IllegalArgumentException(where + "tenant: " + e.getMessage());
            }
            if (tenant.equals(".") || tenant.equals("..")) {
                // A tenant's voices live in a folder named after it.
                throw new IllegalArgumentException(where + "tenant: '" + tenant + "' is not allowed, it names a folder of its own");
            }
            int weight = integer(f[2], 1, FairShare.MAX_WEIGHT, "weight", where);
            int maxQueued = integer(f[3], 0, Integer.MAX_VALUE, "max_queued", where);
            double rate = rate(f[4], where);
            boolean admin = false;
            if (f.length == 6) {
                if (!f[5].equals("admin")) {
                    throw new IllegalArgumentException(where + "the sixth field may only be 'admin'");
                }
                admin = true;
            }
            Grant g = new Grant(tenant, weight, maxQueued, rate, admin);
            Grant same = byTenant.putIfAbsent(tenant, g);
            if (same != null && !same.sameLimits(g)) {
                throw new IllegalArgumentException(where + "tenant '" + tenant + "' is listed before with another weight or limits");
            }
            digests.add(sha256(key));
            grants.add(g);
        }
        if (grants.isEmpty()) {
            throw new IllegalArgumentException("--api-keys " + source + " holds no key: the server would refuse every request");
        }
        return new TenantKeys(digests, grants);
    }

    private static int integer(String s, int min, int max, String name, String where) {
        try {
            int v = Integer.parseInt(s);
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new IllegalArgumentException(where + name + " must be a whole number from " + min + " to " + max + ": " + s);
    }

    private static double rate(String s, String where) {
        try {
            double v = Double.parseDouble(s);
            if (v >= 0 && v <= 1_000_000 && !s.matches(".*[^0-9.].*")) {
                return v;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new IllegalArgumentException(where + "rate_per_s must be a number from 0 to 1000000: " + s);
    }

    /**
     * The grant of {@code key}, or empty. Takes the same time whichever key matches and whether
     * one does: the key's digest is compared with every digest held, in full.
     */
    public Optional<Grant> find(String key) {
        byte[] digest = sha256(key);
        Grant found = null;
        for (int i = 0; i < digests.length; i++) {
            boolean match = MessageDigest.isEqual(digests[i], digest);
            found = match ? grants[i] : found;
        }
        return Optional.ofNullable(found);
    }

    /** Every tenant's weight, for the queue's fair share. */
    public Map<String, Integer> weights() {
        Map<String, Integer> w = new LinkedHashMap<>();
        for (Grant g : grants) {
            w.put(g.tenant(), g.weight());
        }
        return w;
    }

    /** The tenants named, in file order (the bounded set of tags per-tenant metrics use). */
    public List<String> tenants() {
        return List.copyOf(weights().keySet());
    }

    /** How many keys are held; the keys themselves never leave this class. */
    public int size() {
        return grants.length;
    }

    @Override
    public String toString() {
        return "TenantKeys[" + grants.length + " keys, tenants=" + tenants() + "]";
    }

    private static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
