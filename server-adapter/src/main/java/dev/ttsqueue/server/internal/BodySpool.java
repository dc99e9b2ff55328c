package dev.ttsqueue.server.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.io.Content;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where request bodies wait for their last byte: in memory while they are small and the memory
 * budget allows, else in a file of the spool folder. Counts what all bodies hold together, so the
 * memory and disk that waiting bodies take stay within {@link BodyLimits}.
 */
final class BodySpool {
    private static final Logger log = LoggerFactory.getLogger(BodySpool.class);
    /** A body larger than this goes to a file even while memory is left: memory is for the many small JSON bodies. */
    static final int IN_MEMORY_MAX = 256 * 1024;

    private final Path dir;
    private final BodyLimits limits;
    private final AtomicLong inMemory = new AtomicLong();
    private final AtomicLong held = new AtomicLong();

    BodySpool(Path dir, BodyLimits limits) {
        this.dir = dir;
        this.limits = limits;
    }

    long bytesHeld() {
        return held.get();
    }

    Body newBody() {
        return new Body();
    }

    /** The spool budget is spent: the body is refused for now. */
    static final class FullException extends Exception {
        private static final long serialVersionUID = 1L;

        FullException() {
            super("Too many request bodies are arriving at once; try again shortly", null, false, false);
        }
    }

    /** One request's body as it arrives; {@link #close()} frees what it holds. Not thread-safe: one reader at a time. */
    final class Body implements AutoCloseable {
        private byte[] bytes = new byte[0];
        private int inBytes;
        private Path file;
        private FileChannel channel;
        private long length;
        private boolean closed;

        long length() {
            return length;
        }

        /** Appends the chunk's bytes. */
        void append(ByteBuffer data) throws IOException, FullException {
            int n = data.remaining();
            if (n == 0) {
                return;
            }
            if (held.addAndGet(n) > limits.spoolBytes()) {
                held.addAndGet(-n);
                throw new FullException();
            }
            length += n;
            if (channel == null) {
                if (inBytes + n <= IN_MEMORY_MAX) {
                    if (inMemory.addAndGet(n) <= limits.memoryBytes()) {
                        if (inBytes + n > bytes.length) {
                            bytes = Arrays.copyOf(bytes, Math.max(inBytes + n, Math.min(IN_MEMORY_MAX, Math.max(1024, bytes.length * 2))));
                        }
                        data.get(bytes, inBytes, n);
                        inBytes += n;
                        return;
                    }
                    inMemory.addAndGet(-n);
                }
                spill(); // these bytes go to the file, after those held so far
            }
            while (data.hasRemaining()) {
                channel.write(data);
            }
        }

        private void spill() throws IOException {
            file = Files.createTempFile(dir, "body-", ".tmp");
            channel = FileChannel.open(file, StandardOpenOption.WRITE);
            channel.write(ByteBuffer.wrap(bytes, 0, inBytes));
            inMemory.addAndGet(-inBytes);
            bytes = null;
            inBytes = 0;
        }

        /** The whole body, to be read once. */
        Content.Source source() throws IOException {
            if (channel == null) {
                return Content.Source.from(ByteBuffer.wrap(bytes, 0, inBytes));
            }
            channel.close();
            channel = null;
            return Content.Source.from(file);
        }

        @Override
        public void close() {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
            }
            held.addAndGet(-length);
            if (bytes != null) {
                inMemory.addAndGet(-inBytes);
                bytes = null;
            }
            try {
                if (channel != null) {
                    channel.close();
                }
                if (file != null) {
                    Files.deleteIfExists(file);
                }
            } catch (IOException e) {
                log.debug("could not delete the spooled body {}: {}", file, e.toString());
            }
        }
    }
}
