package dev.ttsqueue.store;

import dev.ttsqueue.spi.QueuePlace;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Queued jobs in run order (higher priority first, then lower virtual start, then lower sequence:
 * see {@link dev.ttsqueue.spi.VirtualTime}), answering a job's place
 * and the work queued ahead of it in O(log n), for stores that keep their queue, or an index of
 * it, in memory.
 *
 * <p>An AVL tree whose nodes also count the jobs and add up the work below them, so a rank is one
 * walk from the root. Priorities are compared, never negated ({@code -Integer.MIN_VALUE}
 * overflows). Keys are unique: a store never queues two jobs with one sequence. With one tenant the
 * virtual start follows the sequence, so a store without tenants may pass 0 for it.
 *
 * <p>Not thread-safe: the store that owns it guards it with its own lock.
 *
 * @param <V> what the store keeps per queued job (a record, an id)
 */
public final class RunOrderIndex<V> {

    private static final class Node<V> {
        final int priority;
        final long virtualStart;
        final long sequence;
        final long work;
        V value;
        Node<V> left;
        Node<V> right;
        int height = 1;
        int size = 1;
        long workBelow;

        Node(int priority, long virtualStart, long sequence, long work, V value) {
            this.priority = priority;
            this.virtualStart = virtualStart;
            this.sequence = sequence;
            this.work = work;
            this.value = value;
            this.workBelow = work;
        }
    }

    private Node<V> root;
    /** Set by the recursive removal: the value of the node it took out, or null when absent. */
    private V removed;
    /** Set by the recursive insertion: false when the key was already present. */
    private boolean inserted;
    private long comparisons;

    /** Jobs in the index. */
    public int size() {
        return size(root);
    }

    public boolean isEmpty() {
        return root == null;
    }

    /** Work of every job in the index. */
    public long totalWork() {
        return workBelow(root);
    }

    /**
     * Adds a job.
     *
     * @param work the job's share of work (e.g. characters of text), at least 0
     * @param value not null
     * @return false, changing nothing, when a job with this key is already there
     * @throws IllegalArgumentException when {@code work} is negative
     */
    public boolean add(int priority, long virtualStart, long sequence, long work, V value) {
        if (work < 0) {
            throw new IllegalArgumentException("work must not be negative: " + work);
        }
        Objects.requireNonNull(value, "value");
        inserted = false;
        root = insert(root, priority, virtualStart, sequence, work, value);
        return inserted;
    }

    /** Removes the job with this key; returns its value, or null when it was not there. */
    public V remove(int priority, long virtualStart, long sequence) {
        removed = null;
        root = delete(root, priority, virtualStart, sequence);
        V out = removed;
        removed = null;
        return out;
    }

    /** The value of the job with this key, or null. */
    public V get(int priority, long virtualStart, long sequence) {
        Node<V> n = root;
        while (n != null) {
            int c = compare(priority, virtualStart, sequence, n);
            if (c == 0) {
                return n.value;
            }
            n = c < 0 ? n.left : n.right;
        }
        return null;
    }

    /** The job that runs next, or null when empty. */
    public V first() {
        Node<V> n = root;
        if (n == null) {
            return null;
        }
        while (n.left != null) {
            n = n.left;
        }
        return n.value;
    }

    /** Removes and returns the job that runs next, or null when empty. */
    public V pollFirst() {
        if (root == null) {
            return null;
        }
        removed = null;
        root = deleteMin(root);
        V out = removed;
        removed = null;
        return out;
    }

    /**
     * Where the job with this key stands: its 1-based position and the work of the jobs ahead of
     * it; {@link QueuePlace#NOT_QUEUED} when it is not in the index.
     */
    public QueuePlace place(int priority, long virtualStart, long sequence) {
        Node<V> n = root;
        int ahead = 0;
        long workAhead = 0;
        while (n != null) {
            int c = compare(priority, virtualStart, sequence, n);
            if (c < 0) {
                n = n.left;
            } else {
                ahead += size(n.left);
                workAhead += workBelow(n.left);
                if (c == 0) {
                    return new QueuePlace(ahead + 1, workAhead);
                }
                ahead += 1;
                workAhead += n.work;
                n = n.right;
            }
        }
        return QueuePlace.NOT_QUEUED;
    }

    /**
     * Values in run order, starting at the 0-based {@code offset}, at most {@code limit}: O(log n + limit).
     */
    public List<V> range(int offset, int limit) {
        if (offset < 0 || limit < 0) {
            throw new IllegalArgumentException("offset and limit must not be negative");
        }
        List<V> out = new ArrayList<>(Math.min(limit, Math.max(0, size() - offset)));
        if (limit == 0 || offset >= size()) {
            return out;
        }
        // Path from the root to the node at `offset`, keeping only the nodes still to visit.
        ArrayList<Node<V>> stack = new ArrayList<>();
        Node<V> n = root;
        int skip = offset;
        while (n != null) {
            int leftSize = size(n.left);
            if (skip < leftSize) {
                stack.add(n);
                n = n.left;
            } else if (skip == leftSize) {
                stack.add(n);
                break;
            } else {
                skip -= leftSize + 1;
                n = n.right;
            }
        }
        while (!stack.isEmpty() && out.size() < limit) {
            Node<V> next = stack.remove(stack.size() - 1);
            out.add(next.value);
            for (Node<V> m = next.right; m != null; m = m.left) {
                stack.add(m);
            }
        }
        return out;
    }

    /**
     * Key comparisons made since the index was created: lets tests check that an operation costs
     * O(log n) comparisons, not a walk of the queue.
     */
    public long comparisons() {
        return comparisons;
    }

    /** Levels of the tree (for tests: an AVL tree stays within 1.44 log2(n) of them). */
    int height() {
        return height(root);
    }

    /** Removes every job. */
    public void clear() {
        root = null;
    }

    /** Takes every job of {@code other}, which is left empty, in place of the jobs this index held. */
    public void replaceWith(RunOrderIndex<V> other) {
        if (other != this) {
            root = other.root;
            other.root = null;
        }
    }

    // ---- the tree --------------------------------------------------------------------------

    /** Negative when the key runs before {@code n}. */
    private int compare(int priority, long virtualStart, long sequence, Node<?> n) {
        comparisons++;
        if (priority != n.priority) {
            return priority > n.priority ? -1 : 1;
        }
        if (virtualStart != n.virtualStart) {
            return Long.compare(virtualStart, n.virtualStart);
        }
        return Long.compare(sequence, n.sequence);
    }

    private Node<V> insert(Node<V> n, int priority, long virtualStart, long sequence, long work, V value) {
        if (n == null) {
            inserted = true;
            return new Node<>(priority, virtualStart, sequence, work, value);
        }
        int c = compare(priority, virtualStart, sequence, n);
        if (c == 0) {
            return n;
        }
        if (c < 0) {
            n.left = insert(n.left, priority, virtualStart, sequence, work, value);
        } else {
            n.right = insert(n.right, priority, virtualStart, sequence, work, value);
        }
        return inserted ? balance(n) : n;
    }

    private Node<V> delete(Node<V> n, int priority, long virtualStart, long sequence) {
        if (n == null) {
            return null;
        }
        int c = compare(priority, virtualStart, sequence, n);
        if (c < 0) {
            n.left = delete(n.left, priority, virtualStart, sequence);
        } else if (c > 0) {
            n.right = delete(n.right, priority, virtualStart, sequence);
        } else {
            removed = n.value;
            if (n.left == null) {
                return n.right;
            }
            if (n.right == null) {
                return n.left;
            }
            // Two children: the successor takes this node's place.
            Node<V> successor = n.right;
            while (successor.left != null) {
                successor = successor.left;
            }
            V kept = removed;
            Node<V> rest = deleteMin(n.right);
            removed = kept;
            successor.right = rest;
            successor.left = n.left;
            return balance(successor);
        }
        return removed != null ? balance(n) : n;
    }

    /** Removes the leftmost node under {@code n}, leaving its value in {@link #removed}. */
    private Node<V> deleteMin(Node<V> n) {
        if (n.left == null) {
            removed = n.value;
            return n.right;
        }
        n.left = deleteMin(n.left);
        return balance(n);
    }

    private Node<V> balance(Node<V> n) {
        update(n);
        int bf = height(n.left) - height(n.right);
        if (bf > 1) {
            if (height(n.left.left) < height(n.left.right)) {
                n.left = rotateLeft(n.left);
            }
            return rotateRight(n);
        }
        if (bf < -1) {
            if (height(n.right.right) < height(n.right.left)) {
                n.right = rotateRight(n.right);
            }
            return rotateLeft(n);
        }
        return n;
    }

    private Node<V> rotateRight(Node<V> n) {
        Node<V> l = n.left;
        n.left = l.right;
        l.right = n;
        update(n);
        update(l);
        return l;
    }

    private Node<V> rotateLeft(Node<V> n) {
        Node<V> r = n.right;
        n.right = r.left;
        r.left = n;
        update(n);
        update(r);
        return r;
    }

    private static void update(Node<?> n) {
        n.height = 1 + Math.max(height(n.left), height(n.right));
        n.size = 1 + size(n.left) + size(n.right);
        n.workBelow = n.work + workBelow(n.left) + workBelow(n.right);
    }

    private static int height(Node<?> n) {
        return n == null ? 0 : n.height;
    }

    private static int size(Node<?> n) {
        return n == null ? 0 : n.size;
    }

    private static long workBelow(Node<?> n) {
        return n == null ? 0 : n.workBelow;
    }
}
