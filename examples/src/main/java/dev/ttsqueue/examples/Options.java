package dev.ttsqueue.examples;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code --name value} and {@code --name=value} arguments of the examples. */
final class Options {
    private Options() {
    }

    /**
     * @throws IllegalArgumentException naming an unknown option or one without its value
     */
    static Map<String, String> parse(String[] args, String... known) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + a + "'; options: --" + String.join(", --", known));
            }
            String name = a.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < args.length) {
                value = args[++i];
            }
            if (!List.of(known).contains(name)) {
                throw new IllegalArgumentException("unknown option --" + name + "; options: --" + String.join(", --", known));
            }
            if (value == null) {
                throw new IllegalArgumentException("--" + name + " needs a value");
            }
            values.put(name, value);
        }
        return values;
    }
}
