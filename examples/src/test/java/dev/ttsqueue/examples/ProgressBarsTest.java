package dev.ttsqueue.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** How the bars look: in place on a terminal, line by line elsewhere. */
class ProgressBarsTest {
    private static final Instant NOW = Instant.parse("2025-11-27T10:30:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @Test
    void onATerminalEveryBarIsRedrawnInPlace() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ProgressBars bars = new ProgressBars(new PrintStream(out, true, StandardCharsets.UTF_8), 2, true, CLOCK);
        bars.update(0, 50, "running", NOW.plusMillis(2_500));
        bars.update(1, 100, "done", null);
        String drawn = out.toString(StandardCharsets.UTF_8);
        String first = "\r\033[2Kjob 0 [" + "#".repeat(15) + "-".repeat(15) + "]  50% running    eta 3s\n"
                + "\r\033[2Kjob 1 [" + "-".repeat(30) + "]   0% waiting    \n";
        String second = "\033[2A" + "\r\033[2Kjob 0 [" + "#".repeat(15) + "-".repeat(15) + "]  50% running    eta 3s\n"
                + "\r\033[2Kjob 1 [" + "#".repeat(30) + "] 100% done       \n";
        assertEquals(first + second, drawn);
    }

    @Test
    void elsewhereEachChangeIsALine() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ProgressBars bars = new ProgressBars(new PrintStream(out, true, StandardCharsets.UTF_8), 2, false, CLOCK);
        bars.update(1, 25, "queued #1", NOW.plusSeconds(10));
        assertEquals("job 1 [" + "#".repeat(8) + "-".repeat(22) + "]  25% queued #1  eta 10s" + System.lineSeparator(),
                out.toString(StandardCharsets.UTF_8));
    }
}
