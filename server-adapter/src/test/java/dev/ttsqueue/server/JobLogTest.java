package dev.ttsqueue.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.ttsqueue.JobHandle;
import dev.ttsqueue.JobRequest;
import dev.ttsqueue.TtsJobQueue;
import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.server.internal.CommandLineOptions;
import dev.ttsqueue.server.internal.StandaloneQueue;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The standalone queue logs one INFO line per finished job, from the queue's own metrics events. */
class JobLogTest {
    private static final Pattern LINE = Pattern.compile(
            "job (\\S+) voice_cloning (completed|cancelled) wait=(\\S+) run=(\\S+) audio=(\\d+\\.\\d{3})s rtf=(\\d+\\.\\d{2}) worker=(\\S+) node=gpu-7");

    @TempDir
    Path dir;

    private final Logger jobs = (Logger) LoggerFactory.getLogger("dev.ttsqueue.server.jobs");
    private final ListAppender<ILoggingEvent> captured = new ListAppender<>();
    private Level level;

    @BeforeEach
    void capture() {
        level = jobs.getLevel();
        jobs.setLevel(Level.INFO);
        captured.start();
        jobs.addAppender(captured);
    }

    @AfterEach
    void release() {
        jobs.detachAppender(captured);
        jobs.setLevel(level);
    }

    @Test
    void eachFinishedJobGetsOneInfoLineWithItsTimesAndWorker() throws Exception {
        CommandLineOptions.Parsed options = CommandLineOptions.parse(new String[] {"--backend", "synthetic", "--store", "memory",
                "--data-dir", dir.toString(), "--node-id", "gpu-7"}, Map.of());
        String id;
        try (TtsJobQueue queue = StandaloneQueue.build(options.standalone())) {
            String ref = queue.uploadReference(new AudioClip(new float[24_000], 24_000));
            JobHandle h = queue.submit(JobRequest.voiceCloning(ref, "one two three").refText("A reference."));
            h.result().get(30, TimeUnit.SECONDS);
            id = h.id();
        }
        List<ILoggingEvent> lines = List.copyOf(captured.list);
        assertEquals(1, lines.size(), lines.toString());
        ILoggingEvent e = lines.get(0);
        assertEquals(Level.INFO, e.getLevel());
        var m = LINE.matcher(e.getFormattedMessage());
        assertTrue(m.matches(), e.getFormattedMessage());
        assertEquals(id, m.group(1));
        assertEquals("completed", m.group(2));
        assertTrue(m.group(3).endsWith("s") && m.group(4).endsWith("s"), e.getFormattedMessage());
        assertTrue(Double.parseDouble(m.group(5)) > 0, "the tone has a length");
        assertTrue(Double.parseDouble(m.group(6)) > 0, "a real-time factor");
        assertEquals("ttsq-worker-0", m.group(7));
    }
}
