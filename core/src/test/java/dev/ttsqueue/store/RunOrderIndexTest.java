package dev.ttsqueue.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.spi.QueuePlace;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The index against a plain sorted list, under random operations. */
class RunOrderIndexTest {

    private record Job(int priority, long virtualStart, long sequence, long work) {
    }

    private static final Comparator<Job> RUN_ORDER = (a, b) -> a.priority != b.priority
            ? Integer.compare(b.priority, a.priority)
            : a.virtualStart != b.virtualStart ? Long.compare(a.virtualStart, b.virtualStart)
            : Long.compare(a.sequence, b.sequence);

    @Test
    void matchesASortedListUnderRandomAddsRemovalsAndPolls() {
        Random random = new Random(1130);
        RunOrderIndex<Job> index = new RunOrderIndex<>();
        List<Job> model = new ArrayList<>();
        long sequence = 0;
        for (int op = 0; op < 30_000; op++) {
            int dice = random.nextInt(10);
            if (dice < 5 || model.isEmpty()) {
                // Mostly new jobs at the tail of their level, sometimes an old sequence coming back
                // (a job recovered after a lost worker keeps its place).
                long seq = random.nextInt(8) == 0 && sequence > 10 ? random.nextLong(sequence) : ++sequence;
                // Few virtual starts, so that many jobs share one and the sequence decides.
                Job j = new Job(pickPriority(random), random.nextInt(4) * 720_720L, seq, random.nextInt(500));
                boolean present = model.stream().anyMatch(m -> m.priority == j.priority
                        && m.virtualStart == j.virtualStart && m.sequence == j.sequence);
                assertEquals(!present, index.add(j.priority, j.virtualStart, j.sequence, j.work, j));
                if (!present) {
                    model.add(j);
                    model.sort(RUN_ORDER);
                }
            } else if (dice < 7) {
                Job first = model.remove(0);
                assertEquals(first, index.first());
                assertEquals(first, index.pollFirst());
            } else {
                Job victim = model.remove(random.nextInt(model.size()));
                assertEquals(victim, index.remove(victim.priority, victim.virtualStart, victim.sequence));
                assertNull(index.remove(victim.priority, victim.virtualStart, victim.sequence), "gone already");
            }
            assertEquals(model.size(), index.size());
            if (op % 100 == 0) {
                checkEverything(index, model);
            } else if (!model.isEmpty()) {
                int i = random.nextInt(model.size());
                Job j = model.get(i);
                assertEquals(new QueuePlace(i + 1, workBefore(model, i)), index.place(j.priority, j.virtualStart, j.sequence));
            }
        }
    }

    private static int pickPriority(Random random) {
        return switch (random.nextInt(6)) {
            case 0 -> Integer.MIN_VALUE;
            case 1 -> Integer.MAX_VALUE;
            default -> random.nextInt(5) - 2;
        };
    }

    private static long workBefore(List<Job> model, int index) {
        long sum = 0;
        for (int i = 0; i < index; i++) {
            sum += model.get(i).work;
        }
        return sum;
    }

    private static void checkEverything(RunOrderIndex<Job> index, List<Job> model) {
        long work = 0;
        for (int i = 0; i < model.size(); i++) {
            Job j = model.get(i);
            assertEquals(new QueuePlace(i + 1, work), index.place(j.priority, j.virtualStart, j.sequence), "place of " + j);
            assertEquals(j, index.get(j.priority, j.virtualStart, j.sequence));
            work += j.work;
        }
        assertEquals(work, index.totalWork());
        assertEquals(model, index.range(0, model.size() + 5));
        if (model.size() > 3) {
            int from = model.size() / 3;
            assertEquals(model.subList(from, Math.min(model.size(), from + 7)), index.range(from, 7));
        }
    }

    @Test
    void aJobNotThereHasNoPlace() {
        RunOrderIndex<String> index = new RunOrderIndex<>();
        assertEquals(QueuePlace.NOT_QUEUED, index.place(0, 0, 1));
        index.add(0, 0, 1, 5, "a");
        assertEquals(QueuePlace.NOT_QUEUED, index.place(0, 0, 2));
        assertEquals(QueuePlace.NOT_QUEUED, index.place(1, 0, 1), "same sequence, other priority");
        assertEquals(QueuePlace.NOT_QUEUED, index.place(0, 7, 1), "same sequence, other virtual start");
        assertNull(index.get(0, 0, 2));
        assertTrue(index.range(1, 10).isEmpty());
        assertTrue(index.range(0, 0).isEmpty());
    }

    @Test
    void emptyIndexAnswersNothing() {
        RunOrderIndex<String> index = new RunOrderIndex<>();
        assertTrue(index.isEmpty());
        assertNull(index.first());
        assertNull(index.pollFirst());
        assertEquals(0, index.totalWork());
        assertEquals(List.of(), index.range(0, 3));
    }

    @Test
    void refusesNegativeWorkAndNullValues() {
        RunOrderIndex<String> index = new RunOrderIndex<>();
        assertThrows(IllegalArgumentException.class, () -> index.add(0, 0, 1, -1, "a"));
        assertThrows(NullPointerException.class, () -> index.add(0, 0, 1, 1, null));
        assertThrows(IllegalArgumentException.class, () -> index.range(-1, 1));
        assertFalse(index.add(0, 0, 1, 1, "a") && index.add(0, 0, 1, 2, "b"), "one job per key");
        assertEquals("a", index.first());
    }

    @Test
    void staysShallowAtAHundredThousandJobsAddedInOrder() {
        RunOrderIndex<Long> index = new RunOrderIndex<>();
        for (long i = 1; i <= 100_000; i++) {
            index.add(0, 0, i, 1, i);
        }
        // In-order inserts are the worst case of an unbalanced tree; AVL stays at most 1.44 log2(n) deep.
        assertTrue(index.height() <= 25, "height " + index.height());
        long before = index.comparisons();
        assertEquals(new QueuePlace(50_000, 49_999), index.place(0, 0, 50_000));
        assertTrue(index.comparisons() - before <= 25, "a place is one walk from the root");
        for (long i = 1; i <= 50_000; i++) {
            assertEquals(i, index.pollFirst());
        }
        assertEquals(new QueuePlace(1, 0), index.place(0, 0, 50_001));
        assertTrue(index.height() <= 25, "height " + index.height());
    }
}
