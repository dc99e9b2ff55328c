package dev.ttsqueue.examples;

import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One progress bar per job on a terminal: {@code job 2 [##########----------]  50% running  eta 3s}.
 * On a terminal the bars are redrawn in place (ANSI cursor movement); elsewhere (a pipe, a log
 * file, a test) each change is printed as a new line, so nothing unreadable lands in a file.
 */
final class ProgressBars {
    private static final int WIDTH = 30;

    private final PrintStream out;
    private final boolean redraw;
    private final Clock clock;
    private final List<String> lines = new ArrayList<>();
    private boolean drawn;

    /**
     * @param rows one bar per job, in this order
     * @param redraw true on a terminal that understands ANSI escapes
     */
    ProgressBars(PrintStream out, int rows, boolean redraw, Clock clock) {
        this.out = out;
        this.redraw = redraw;
        this.clock = clock;
        for (int i = 0; i < rows; i++) {
            lines.add(line(i, 0, "waiting", null));
        }
    }

    /** Shows {@code row}'s new state; called from any thread. */
    synchronized void update(int row, double percent, String state, Instant eta) {
        lines.set(row, line(row, percent, state, eta));
        if (!redraw) {
            out.println(lines.get(row));
            return;
        }
        if (drawn) {
            out.print("\033[" + lines.size() + "A"); // back to the first bar
        }
        for (String l : lines) {
            out.print("\r\033[2K" + l + "\n");
        }
        out.flush();
        drawn = true;
    }

    private String line(int row, double percent, String state, Instant eta) {
        int filled = (int) Math.round(Math.max(0, Math.min(100, percent)) / 100 * WIDTH);
        String bar = "#".repeat(filled) + "-".repeat(WIDTH - filled);
        return String.format("job %d [%s] %3.0f%% %-10s %s", row, bar, percent, state, eta(eta));
    }

    private String eta(Instant eta) {
        if (eta == null) {
            return "";
        }
        long seconds = Math.max(0, (Duration.between(clock.instant(), eta).toMillis() + 999) / 1000);
        return "eta " + seconds + "s";
    }
}
