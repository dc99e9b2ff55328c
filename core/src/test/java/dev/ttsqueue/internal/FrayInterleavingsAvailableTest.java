package dev.ttsqueue.internal;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Makes it visible in the test report when the Fray interleaving tests ({@code src/fray-test},
 * the {@code fray} profile) cannot run here: they need a JDK 25 at {@code fray.jdk25.home}, and
 * without one Maven leaves the profile off without a word. This test is then reported as skipped,
 * with the reason and the way to run them; where the JDK is present it passes, and the profile runs
 * them in {@code integration-test}.
 */
class FrayInterleavingsAvailableTest {
    @Test
    void theJdkTheFrayInterleavingTestsNeedIsInstalled() {
        String home = System.getProperty("ttsq.fray.jdk25.home", "");
        assumeTrue(!home.isBlank() && Files.isExecutable(Path.of(home, "bin", "jlink")),
                "Fray interleaving tests NOT RUN: no JDK 25 at '" + home + "'. Install one (run-tests.sh "
                        + "finds it under /usr/lib/jvm or at $FRAY_JDK25_HOME) or run with -Pfray -Dfray.jdk25.home=<a JDK 25>");
    }
}
