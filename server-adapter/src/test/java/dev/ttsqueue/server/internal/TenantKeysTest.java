package dev.ttsqueue.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TenantKeysTest {
    private static final String ALPHA = "alpha-key-0123456789";
    private static final String OPS = "ops-key-abcdefghijkl";

    private static TenantKeys parse(String... lines) {
        return TenantKeys.parse(List.of(lines), "keys.txt");
    }

    private static String refused(String... lines) {
        return assertThrows(IllegalArgumentException.class, () -> parse(lines)).getMessage();
    }

    @Test
    void readsKeysWithTheirTenantsWeightsAndLimits() {
        TenantKeys keys = parse("# key tenant weight max_queued rate_per_s [admin]", "", ALPHA + "  alpha 3 100 2.5",
                "   # indented comment", OPS + "\tops\t1\t0\t0\tadmin", "alpha-second-key-0000 alpha 3 100 2.5");
        assertEquals(3, keys.size());
        assertEquals(Map.of("alpha", 3, "ops", 1), keys.weights());
        assertEquals(List.of("alpha", "ops"), keys.tenants());
        assertEquals(Optional.of(new TenantKeys.Grant("alpha", 3, 100, 2.5, false)), keys.find(ALPHA));
        assertEquals(Optional.of(new TenantKeys.Grant("alpha", 3, 100, 2.5, false)), keys.find("alpha-second-key-0000"));
        assertEquals(Optional.of(new TenantKeys.Grant("ops", 1, 0, 0, true)), keys.find(OPS));
        assertEquals(Optional.empty(), keys.find(ALPHA + "x"));
        assertEquals(Optional.empty(), keys.find(ALPHA.substring(0, ALPHA.length() - 1)));
        assertEquals(Optional.empty(), keys.find(""));
        assertFalse(keys.toString().contains(ALPHA), keys.toString());
    }

    @Test
    void badLinesAreRefusedNamingTheLineButNeverTheKey() {
        String key = "secret-key-must-not-leak";
        List<String[]> cases = List.of(
                new String[] {"# header", key + " alpha 1 10"},
                new String[] {key + " alpha 1 10 1 root"},
                new String[] {"#", "short alpha 1 10 1"},
                new String[] {key + " al/pha 1 10 1"},
                new String[] {key + " alpha 0 10 1"},
                new String[] {key + " alpha 1001 10 1"},
                new String[] {key + " alpha 1 -1 1"},
                new String[] {key + " alpha 1 ten 1"},
                new String[] {key + " alpha 1 10 -2"},
                new String[] {key + " alpha 1 10 NaN"});
        for (String[] lines : cases) {
            String message = refused(lines);
            assertTrue(message.contains("keys.txt line " + lines.length + ":"), message);
            assertFalse(message.contains(key), message);
        }
        assertTrue(refused("# nothing here", "").contains("holds no key"));
    }

    @Test
    void duplicatesAreRefused() {
        String sameKey = refused(ALPHA + " alpha 1 10 1", OPS + " ops 1 0 0", ALPHA + " beta 1 10 1");
        assertTrue(sameKey.contains("line 3: the same key as line 1"), sameKey);
        assertFalse(sameKey.contains(ALPHA), sameKey);
        String disagreeing = refused(ALPHA + " alpha 1 10 1", OPS + " alpha 2 10 1");
        assertTrue(disagreeing.contains("line 2: tenant 'alpha' is listed before with another weight or limits"), disagreeing);
    }

    @Test
    void theSingleKeyIsTheAnonymousAdmin() {
        TenantKeys single = TenantKeys.single("s3cret");
        assertEquals(Optional.of(TenantKeys.Grant.OPEN), single.find("s3cret"));
        assertEquals(Optional.empty(), single.find("s3cre"));
        assertTrue(TenantKeys.Grant.OPEN.sees("anyone"));
        assertFalse(new TenantKeys.Grant("alpha", 1, 0, 0, false).sees("beta"));
    }

    @Test
    void tokenBucketHoldsOneSecondAndSaysWhenTheNextTokenComes() {
        TenantQuotas.TokenBucket half = new TenantQuotas.TokenBucket(0.5, 0);
        assertEquals(0, half.take(0));
        assertEquals(2000, half.take(0));
        assertEquals(1000, half.take(1000));
        assertEquals(0, half.take(2000));
        TenantQuotas.TokenBucket three = new TenantQuotas.TokenBucket(3, 0);
        assertEquals(0, three.take(0));
        assertEquals(0, three.take(0));
        assertEquals(0, three.take(0));
        assertEquals(334, three.take(0));
        assertEquals(0, three.take(10_000));
        assertEquals(0, three.take(10_000));
        assertEquals(0, three.take(10_000));
        assertTrue(three.take(10_000) > 0, "refills only up to one second's worth");
    }
}
