package dev.ttsqueue.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example keeps its promises: the waiting jobs are spoken highest priority first, with progress, into WAV files. */
class SpeakWithPrioritiesTest {

    @Test
    void waitingJobsAreSpokenHighestPriorityFirst(@TempDir Path out) throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        List<Integer> order = SpeakWithPriorities.run(out, new PrintStream(printed, true, StandardCharsets.UTF_8));
        // Job 0 runs at once; then job 3 (priority 5), job 2 (0), job 1 (-1), whatever their arrival order.
        assertEquals(List.of(0, 3, 2, 1), order);
        for (int i = 0; i < 4; i++) {
            Speech.assertSpoken(out.resolve("job-" + i + ".wav"), 1.0);
        }
        String text = printed.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("job 3 queued with priority 5 at place 1"), text);
        assertTrue(text.matches("(?s).*job 3: +\\d+% \\(step \\d+ of \\d+\\).*"), "progress is printed: " + text);
        assertTrue(text.contains("spoken in the order: jobs [0, 3, 2, 1]"), text);
    }
}
