package dev.ttsqueue.store;

import dev.ttsqueue.InvalidRequestException;
import dev.ttsqueue.JobRequest;
import dev.ttsqueue.ReferenceNotFoundException;
import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.audio.AudioFormatException;
import dev.ttsqueue.audio.WavCodec;
import dev.ttsqueue.audio.WavFormat;
import dev.ttsqueue.spi.Identifiers;
import dev.ttsqueue.spi.Voice;
import dev.ttsqueue.spi.VoiceBank;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Voices as files, in the old server's layout: {@code {dir}/{name}.wav} and, when a transcript
 * was given, {@code {dir}/{name}_ref.txt} (UTF-8). The folder is looked at on every call, so
 * voices copied in by hand or written by the old server appear at once; their WAV may be in any
 * format {@link WavCodec} reads. What a voice's files say (duration, transcript) is kept in memory
 * with the files' identity, size and modification time, and read again only when one of those
 * changed. Every submit of a permanent voice looks its voice up, so a voice found is taken as it
 * was for {@link #RECHECK_AFTER} (a second) before its files are looked at again, two {@code stat}
 * calls: a voice replaced or deleted by hand is seen within that second; a name not known is looked
 * for on disk at every call, and changes made through this bank are seen at once. New voices are
 * written as 16-bit PCM at the clip's rate, atomically.
 *
 * <p>{@link #save} normalises the name it is given ({@link Identifiers#normalizeVoiceName}).
 * {@link #find}, {@link #load} and {@link #delete} take the stored, normalised name: anything
 * else (upper case, spaces, path characters) is simply unknown and never reaches the disk, so
 * callers holding a user's spelling use {@link #lookup}. A {@code .wav} whose header cannot be
 * read is left out of {@link #find} and {@link #list} with a warning, but can still be deleted.
 *
 * <p>A tenant's voices ({@link #forTenant}) live in a folder of their own, {@code {dir}/{tenant}/},
 * in the same layout; the voices directly in {@code dir} are the shared ones, so the folder of a
 * server without tenants is exactly the old server's. A tenant's folder is created when its bank
 * is first asked for. Tenant names differing only in case share a folder on a case-insensitive
 * file system. Thread-safe within one process.
 */
public final class DirectoryVoiceBank implements VoiceBank {
    private static final Logger log = LoggerFactory.getLogger(DirectoryVoiceBank.class);
    private static final String WAV = ".wav";
    private static final String TRANSCRIPT = "_ref.txt";
    /** How long a voice found stays as it was read before its files are looked at again. */
    public static final Duration RECHECK_AFTER = Duration.ofSeconds(1);
    private static final long RECHECK_NANOS = RECHECK_AFTER.toNanos();

    private final Path dir;
    /** Nanosecond ticks ({@link System#nanoTime} but in tests) that time {@link #RECHECK_AFTER}. */
    private final LongSupplier ticker;
    // Writers replace two files; readers must not see the new audio with the old transcript.
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    /** Voices read before, with the state of the files they were read from; only voices that exist. */
    private final Map<String, Known> known = new ConcurrentHashMap<>();
    /** The tenants' banks, one per tenant asked for (bounded by the tenants); null in a tenant's own bank. */
    private final Map<String, DirectoryVoiceBank> tenants;

    /** A voice and what its files were when it was read; {@code transcript} is null when there was none. */
    private record Known(Voice voice, FileState wav, FileState transcript, long checkedAt) {
    }

    /** Enough of a file's metadata to tell it was replaced or changed: a rename brings a new inode. */
    private record FileState(Object key, long size, FileTime modified) {

        /** The state of a regular file (links not followed), or null when there is none. */
        static FileState of(Path file) throws IOException {
            BasicFileAttributes a;
            try {
                a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                return null;
            }
            return a.isRegularFile() ? new FileState(a.fileKey(), a.size(), a.lastModifiedTime()) : null;
        }
    }

    /**
     * Creates the folder when missing.
     *
     * @throws IOException when it cannot be created or resolved
     */
    public DirectoryVoiceBank(Path dir) throws IOException {
        this(dir, true, System::nanoTime);
    }

    /** With the ticker that times {@link #RECHECK_AFTER} (tests). */
    DirectoryVoiceBank(Path dir, LongSupplier ticker) throws IOException {
        this(dir, true, ticker);
    }

    private DirectoryVoiceBank(Path dir, boolean shared, LongSupplier ticker) throws IOException {
        Objects.requireNonNull(dir, "dir");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.dir = Files.createDirectories(dir).toRealPath();
        this.tenants = shared ? new ConcurrentHashMap<>() : null;
        AtomicFiles.deleteLeftovers(this.dir);
    }

    /**
     * The bank over {@code {dir}/{tenant}/}, created when missing; this bank for the anonymous tenant.
     *
     * @throws InvalidRequestException for an invalid tenant name, and for {@code .} and {@code ..}
     * @throws UnsupportedOperationException on a tenant's own bank (tenants do not nest)
     * @throws UncheckedIOException when the folder cannot be created
     */
    @Override
    public VoiceBank forTenant(String tenant) {
        String name = JobRequest.checkTenant(tenant);
        if (name.isEmpty()) {
            return this;
        }
        if (tenants == null) {
            throw new UnsupportedOperationException("a tenant's voice bank holds no other tenants");
        }
        if (name.equals(".") || name.equals("..")) {
            throw new InvalidRequestException("Tenant '" + name + "' cannot have voices of its own: its name is not a folder name");
        }
        return tenants.computeIfAbsent(name, t -> {
            try {
                return new DirectoryVoiceBank(AtomicFiles.inside(dir, t), false, ticker);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the voice folder of tenant '" + t + "'", e);
            }
        });
    }

    /**
     * Stores a voice, replacing any voice of the same normalised name (its transcript too: a blank
     * {@code refText} removes the old one).
     *
     * @throws dev.ttsqueue.InvalidRequestException when nothing is left of the name after normalising
     * @throws IOException when the files cannot be written
     */
    @Override
    public Voice save(String name, AudioClip audio, String refText) throws IOException {
        Objects.requireNonNull(audio, "audio");
        String normalized = Identifiers.normalizeVoiceName(name);
        String text = refText == null ? "" : refText.strip();
        lock.writeLock().lock();
        known.remove(normalized); // read again after the change, whatever its file times say
        try {
            Path wav = wavFile(normalized);
            Path transcript = transcriptFile(normalized);
            // Both files are written and synced under temporary names first, so a full disk fails
            // the save with the old voice intact. Then the old transcript goes, durably, before the
            // new audio moves in: a crash in between leaves a voice without a transcript (reported
            // as such), never new audio under the old words.
            AtomicFiles.Prepared newWav = AtomicFiles.prepareWav(wav, audio, WavFormat.PCM_16);
            AtomicFiles.Prepared newText = null;
            try {
                if (!text.isEmpty()) {
                    newText = AtomicFiles.prepareText(transcript, text);
                }
                AtomicFiles.deleteDurably(transcript);
                newWav.commit();
                if (newText != null) {
                    newText.commit();
                }
            } catch (IOException | RuntimeException | Error e) {
                newWav.discard();
                if (newText != null) {
                    newText.discard();
                }
                throw e;
            }
            return new Voice(normalized, wav.getFileName().toString(), audio.durationSeconds(), text, wav);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Writes {@code {name}_ref.txt} when the voice has no transcript and its WAV still decodes to
     * {@code transcribed}; compared under the write lock, so a concurrent {@link #save} either
     * happens before (and the audio differs) or after (and replaces the transcript too).
     */
    @Override
    public boolean storeTranscript(String name, AudioClip transcribed, String refText) throws IOException {
        String text = refText == null ? "" : refText.strip();
        if (!isStoredName(name) || text.isEmpty()) {
            return false;
        }
        lock.writeLock().lock();
        known.remove(name); // read again after the change, whatever its file times say
        try {
            Optional<Voice> voice = read(name);
            if (voice.isEmpty() || !voice.get().refText().isEmpty()) {
                return false;
            }
            if (!WavCodec.read(wavFile(name)).equals(transcribed)) {
                return false;
            }
            AtomicFiles.prepareText(transcriptFile(name), text).commit();
            known.remove(name);
            return true;
        } catch (NoSuchFileException e) {
            return false;
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public Optional<Voice> find(String name) {
        if (!isStoredName(name)) {
            return Optional.empty();
        }
        lock.readLock().lock();
        try {
            return read(name);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read voice '" + name + "' in " + dir, e);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Decodes the voice's audio.
     *
     * @throws ReferenceNotFoundException when there is no such voice
     * @throws AudioFormatException when its file is not readable WAV
     */
    @Override
    public AudioClip load(String name) throws IOException {
        if (!isStoredName(name)) {
            throw new ReferenceNotFoundException(ReferenceNotFoundException.Reason.VOICE_NOT_FOUND, "Voice '" + name + "' not found");
        }
        lock.readLock().lock();
        try {
            return WavCodec.read(wavFile(name));
        } catch (NoSuchFileException e) {
            throw new ReferenceNotFoundException(ReferenceNotFoundException.Reason.VOICE_NOT_FOUND, "Voice '" + name + "' not found");
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Voices sorted by name. */
    @Override
    public List<Voice> list() {
        lock.readLock().lock();
        try {
            List<Voice> voices = new ArrayList<>();
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + WAV)) {
                for (Path file : files) {
                    String fileName = file.getFileName().toString();
                    String name = fileName.substring(0, fileName.length() - WAV.length());
                    if (isStoredName(name)) {
                        read(name).ifPresent(voices::add);
                    }
                }
            }
            voices.sort(Comparator.comparing(Voice::name));
            return voices;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list voices in " + dir, e);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Removes the voice's audio and transcript; false when there was no audio file. */
    @Override
    public boolean delete(String name) throws IOException {
        if (!isStoredName(name)) {
            return false;
        }
        lock.writeLock().lock();
        known.remove(name); // read again after the change, whatever its file times say
        try {
            Files.deleteIfExists(transcriptFile(name));
            return Files.deleteIfExists(wavFile(name));
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** The real path of the voice folder. */
    @Override
    public Path directory() {
        return dir;
    }

    private Optional<Voice> read(String name) throws IOException {
        Known before = known.get(name);
        long now = ticker.getAsLong();
        if (before != null && now - before.checkedAt() < RECHECK_NANOS) {
            return Optional.of(before.voice());
        }
        Path wav = before != null ? before.voice().path() : wavFile(name);
        FileState wavState = FileState.of(wav);
        if (wavState == null) {
            known.remove(name);
            return Optional.empty();
        }
        Path transcript = transcriptFile(name);
        FileState textState = FileState.of(transcript);
        if (before != null && before.wav().equals(wavState) && Objects.equals(before.transcript(), textState)) {
            known.replace(name, before, new Known(before.voice(), wavState, textState, now));
            return Optional.of(before.voice());
        }
        Optional<Voice> voice = readFiles(name, wav, transcript);
        if (voice.isPresent()) {
            known.put(name, new Known(voice.get(), wavState, textState, now));
        } else {
            known.remove(name);
        }
        return voice;
    }

    private Optional<Voice> readFiles(String name, Path wav, Path transcript) throws IOException {
        double duration;
        try {
            duration = WavCodec.probe(wav).durationSeconds();
        } catch (AudioFormatException e) {
            log.warn("ignoring voice {}: {}", wav, e.getMessage());
            return Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        String text = "";
        if (Files.isRegularFile(transcript, LinkOption.NOFOLLOW_LINKS)) {
            try {
                text = Files.readString(transcript, StandardCharsets.UTF_8).strip();
            } catch (NoSuchFileException e) {
                text = "";
            } catch (java.nio.charset.CharacterCodingException e) {
                log.warn("ignoring transcript {}: not UTF-8", transcript);
            }
        }
        return Optional.of(new Voice(name, wav.getFileName().toString(), duration, text, wav));
    }

    /** True for names as {@link Identifiers#normalizeVoiceName} produces them (or produced under the earlier rule). */
    private static boolean isStoredName(String name) {
        return Identifiers.isVoiceName(name);
    }

    private Path wavFile(String name) {
        return AtomicFiles.inside(dir, name + WAV);
    }

    private Path transcriptFile(String name) {
        return AtomicFiles.inside(dir, name + TRANSCRIPT);
    }
}
