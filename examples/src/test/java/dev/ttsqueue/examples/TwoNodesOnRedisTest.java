package dev.ttsqueue.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.store.redis.testing.RedisServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example keeps its promises against a real redis-server: both nodes work, in one priority order, on shared audio. */
class TwoNodesOnRedisTest {

    @Test
    void bothNodesTakeJobsFromOneQueueHighestPriorityFirstAndShareTheirAudio(@TempDir Path dir) throws Exception {
        try (RedisServer redis = RedisServer.start(dir)) {
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            TwoNodesOnRedis.Outcome outcome = TwoNodesOnRedis.run("redis://127.0.0.1:" + redis.port() + "/0",
                    new PrintStream(printed, true, StandardCharsets.UTF_8));
            assertEquals(Set.of("A", "B"), new HashSet<>(outcome.nodeOfJob().subList(0, 2)), "the two long jobs, one on each node");
            assertEquals(Set.of(0, 1), new HashSet<>(outcome.startOrder().subList(0, 2)));
            assertEquals(List.of(4, 2, 3), outcome.startOrder().subList(2, 5), "the priority 5 job first, then arrival order");
            assertTrue(outcome.audioReadOnOtherNode());
            String text = printed.toString(StandardCharsets.UTF_8);
            assertTrue(text.contains("job 4 submitted on node A with priority 5, place 1 in the shared queue"), text);
        }
    }
}
