package dev.ttsqueue.server.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads typed fields from a form or a JSON object with pydantic's lax rules, so clients of the
 * old FastAPI server see the same acceptance and the same 422 entries: numbers may come as
 * strings, booleans as {@code true/false/1/0/yes/no/on/off/t/f/y/n} in any case. Problems are
 * collected into a {@link FieldErrors}; the getters then return the default so reading can go on.
 */
public abstract class FieldReader {
    private static final int MAX_DIGITS = 100;
    private static final BigInteger HUGE = BigInteger.TEN.pow(MAX_DIGITS + 1);

    private final List<Object> location;
    protected final FieldErrors errors;

    protected FieldReader(List<Object> location, FieldErrors errors) {
        this.location = List.copyOf(location);
        this.errors = errors;
    }

    /** The raw value: a String (forms) or a JsonNode (JSON); empty when absent. */
    protected abstract Optional<Object> raw(String name);

    public FieldErrors errors() {
        return errors;
    }

    public boolean has(String name) {
        return raw(name).filter(v -> !(v instanceof JsonNode n && n.isNull())).isPresent();
    }

    protected List<Object> loc(String name) {
        List<Object> l = new ArrayList<>(location);
        l.add(name);
        return l;
    }

    private static Object inputOf(Object v) {
        if (v instanceof JsonNode n) {
            return n.isTextual() ? n.asText() : n.isNumber() ? n.numberValue() : n.isBoolean() ? n.booleanValue() : n.toString();
        }
        return v;
    }

    /** A required string; missing gives a 422 "missing" entry and null. */
    public String requiredString(String name) {
        Optional<Object> v = raw(name).filter(x -> !(x instanceof JsonNode n && n.isNull()));
        if (v.isEmpty()) {
            errors.add("missing", loc(name), "Field required", null);
            return null;
        }
        return asString(name, v.get());
    }

    /** An optional string; absent or JSON null gives {@code dflt}. */
    public String string(String name, String dflt) {
        Optional<Object> v = raw(name).filter(x -> !(x instanceof JsonNode n && n.isNull()));
        return v.isEmpty() ? dflt : Optional.ofNullable(asString(name, v.get())).orElse(dflt);
    }

    private String asString(String name, Object v) {
        if (v instanceof String s) {
            return s;
        }
        JsonNode n = (JsonNode) v;
        if (n.isTextual()) {
            return n.asText();
        }
        errors.add("string_type", loc(name), "Input should be a valid string", inputOf(v));
        return null;
    }

    /**
     * An integer of any size (pydantic ints are unbounded); null when absent or mistyped (the
     * mistake is recorded).
     */
    private BigInteger bigInteger(String name) {
        Optional<Object> v = raw(name).filter(x -> !(x instanceof JsonNode n && n.isNull()));
        if (v.isEmpty()) {
            return null;
        }
        Object x = v.get();
        if (x instanceof JsonNode n && !n.isTextual()) {
            if (n.isBoolean()) {
                return n.booleanValue() ? BigInteger.ONE : BigInteger.ZERO;
            }
            if (!n.isNumber()) {
                errors.add("int_type", loc(name), "Input should be a valid integer", inputOf(x));
                return null;
            }
            if (n.isFloatingPointNumber() && !Double.isFinite(n.doubleValue())) {
                // A JSON number past double's range (1e400) is read as infinity, which has no decimal value.
                errors.add("finite_number", loc(name), "Input should be a finite number", inputOf(x));
                return null;
            }
            BigDecimal d = n.decimalValue();
            if (hasFraction(d)) {
                errors.add("int_from_float", loc(name), "Input should be a valid integer, got a number with a fractional part", inputOf(x));
                return null;
            }
            return integral(d);
        }
        String s = x instanceof JsonNode n ? n.asText() : (String) x;
        BigDecimal d = parseDecimal(s.trim());
        if (d == null || hasFraction(d)) {
            errors.add("int_parsing", loc(name), "Input should be a valid integer, unable to parse string as an integer", s);
            return null;
        }
        return integral(d);
    }

    /**
     * {@code d} as an integer, where a value of more than {@link #MAX_DIGITS} digits stands in for
     * any larger one: a short text like {@code 1e999999999} names a number too big to expand (the
     * attempt overflows or runs for minutes), and every caller refuses or clamps such values anyway.
     */
    private static BigInteger integral(BigDecimal d) {
        // In long arithmetic: 1e2147483647 has scale -2^31+1, and precision minus scale overflows an int.
        if ((long) d.precision() - d.scale() > MAX_DIGITS) {
            return HUGE.multiply(BigInteger.valueOf(d.signum()));
        }
        return d.toBigInteger();
    }

    /**
     * Whether {@code d} has digits after the point. Only a positive scale can hide any: stripping
     * the zeros of {@code 1000e2147483647} would push its scale past an int's range.
     */
    private static boolean hasFraction(BigDecimal d) {
        return d.scale() > 0 && d.stripTrailingZeros().scale() > 0;
    }

    /**
     * An integer for a seed: values beyond {@code long} come back as -1, which the queue treats,
     * like every seed outside 0..2^31-1, as "draw a random seed".
     */
    public long seed(String name, long dflt) {
        BigInteger v = bigInteger(name);
        if (v == null) {
            return dflt;
        }
        return v.bitLength() < 64 ? v.longValue() : -1;
    }

    /** An integer that must fit a Java {@code int}; larger values are a 422. */
    public int integer(String name, int dflt) {
        BigInteger v = bigInteger(name);
        if (v == null) {
            return dflt;
        }
        if (v.bitLength() >= 32) {
            errors.add("int_parsing_size", loc(name), "Input should be a valid integer, unable to parse value as an integer",
                    inputOf(raw(name).orElse(null)));
            return dflt;
        }
        return v.intValue();
    }

    public double number(String name, double dflt) {
        Optional<Object> v = raw(name).filter(x -> !(x instanceof JsonNode n && n.isNull()));
        if (v.isEmpty()) {
            return dflt;
        }
        Object x = v.get();
        String s;
        if (x instanceof String str) {
            s = str;
        } else {
            JsonNode n = (JsonNode) x;
            if (n.isNumber()) {
                return n.doubleValue();
            }
            if (n.isBoolean()) {
                return n.booleanValue() ? 1 : 0;
            }
            if (!n.isTextual()) {
                errors.add("float_type", loc(name), "Input should be a valid number", inputOf(x));
                return dflt;
            }
            s = n.asText();
        }
        String t = s.trim().toLowerCase(Locale.ROOT);
        if (t.equals("nan") || t.equals("inf") || t.equals("-inf") || t.equals("infinity") || t.equals("-infinity")) {
            // pydantic accepts these; the range checks then refuse them with the usual 400.
            return t.equals("nan") ? Double.NaN : t.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        BigDecimal d = parseDecimal(t);
        if (d == null) {
            errors.add("float_parsing", loc(name), "Input should be a valid number, unable to parse string as a number", s);
            return dflt;
        }
        return d.doubleValue();
    }

    public boolean bool(String name, boolean dflt) {
        Optional<Object> v = raw(name).filter(x -> !(x instanceof JsonNode n && n.isNull()));
        if (v.isEmpty()) {
            return dflt;
        }
        Object x = v.get();
        if (x instanceof JsonNode n) {
            if (n.isBoolean()) {
                return n.booleanValue();
            }
            if (n.isIntegralNumber() && (n.asLong() == 0 || n.asLong() == 1)) {
                return n.asLong() == 1;
            }
            if (!n.isTextual()) {
                errors.add("bool_type", loc(name), "Input should be a valid boolean", inputOf(x));
                return dflt;
            }
            x = n.asText();
        }
        Boolean b = parseBoolean((String) x);
        if (b == null) {
            errors.add("bool_parsing", loc(name), "Input should be a valid boolean, unable to interpret input", x);
            return dflt;
        }
        return b;
    }

    /** pydantic's lax boolean words; null when the text is none of them. */
    public static Boolean parseBoolean(String s) {
        switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "on", "t", "y":
                return Boolean.TRUE;
            case "false", "0", "no", "off", "f", "n":
                return Boolean.FALSE;
            default:
                return null;
        }
    }

    private static BigDecimal parseDecimal(String s) {
        if (s.isEmpty() || s.length() > 400) {
            return null;
        }
        try {
            return new BigDecimal(s.replace("_", ""));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
