package dev.ttsqueue.store;

import dev.ttsqueue.InvalidRequestException;
import dev.ttsqueue.JobRequest;
import dev.ttsqueue.ReferenceNotFoundException;
import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.audio.AudioFormatException;
import dev.ttsqueue.audio.WavCodec;
import dev.ttsqueue.audio.WavFormat;
import dev.ttsqueue.spi.AudioEntry;
import dev.ttsqueue.spi.AudioKind;
import dev.ttsqueue.spi.AudioStore;
import dev.ttsqueue.spi.Identifiers;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps clips as 16-bit PCM WAV files {@code root/uploads/{id}.wav} and {@code root/outputs/{id}.wav}
 * (the sample rate is the clip's). Files are written to a temporary name and moved into place, so
 * a crash never leaves a half-written file under a real id. A new instance over the same root
 * picks up the files already there: an entry's creation time is its file's modification time
 * (set on save), its duration comes from the WAV header. Files that are not {@code {safe id}.wav}
 * or not regular files (links included) are ignored with a warning. A file whose WAV header cannot
 * be read is kept, indexed with a duration of 0 and reported ({@link #damage}): a finished job's
 * output damaged on disk stays visible as damaged instead of becoming a 404.
 * Ids that are not {@linkplain Identifiers#isSafe safe} are unknown without touching the disk.
 *
 * <p>A clip saved for a tenant ({@link #save(AudioKind, AudioClip, String)}) has its owner in a
 * sidecar {@code {id}.owner} beside the WAV (the tenant name, UTF-8), written before the WAV, so a
 * clip never appears without its owner; a WAV without a sidecar belongs to the anonymous tenant,
 * as every clip stored before owners did, and the anonymous tenant's clips get no sidecar (the
 * folders look as they always did when no tenants are used). A sidecar left without its WAV (a
 * crash between the two writes or deletes) is deleted at start; a clip whose sidecar does not hold
 * a valid tenant name is ignored with a warning rather than given to anybody.
 * Thread-safe.
 */
public final class DirectoryAudioStore implements AudioStore {
    private static final Logger log = LoggerFactory.getLogger(DirectoryAudioStore.class);
    private static final String SUFFIX = ".wav";
    private static final String OWNER_SUFFIX = ".owner";

    private final Clock clock;
    private final Duration uploadTtl;
    private final Duration outputTtl;
    private final Path uploads;
    private final Path outputs;
    private final Map<String, AudioEntry> entries = new ConcurrentHashMap<>();
    private final Map<String, String> damaged = new ConcurrentHashMap<>();

    /**
     * Creates the folders when missing and indexes the files in them.
     *
     * @param uploadTtl how long an upload is served; null = forever
     * @param outputTtl how long an output is served; null = forever
     * @throws IOException when the folders cannot be created or listed
     * @throws IllegalArgumentException when a TTL is negative
     */
    public DirectoryAudioStore(Path root, Clock clock, Duration uploadTtl, Duration outputTtl) throws IOException {
        Objects.requireNonNull(root, "root");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.uploadTtl = StoreExpiry.checkTtl("uploadTtl", uploadTtl);
        this.outputTtl = StoreExpiry.checkTtl("outputTtl", outputTtl);
        this.uploads = Files.createDirectories(root.resolve("uploads")).toRealPath();
        this.outputs = Files.createDirectories(root.resolve("outputs")).toRealPath();
        scan(AudioKind.UPLOAD);
        scan(AudioKind.OUTPUT);
    }

    /**
     * Writes {@code clip} as 16-bit WAV under a new id.
     *
     * @throws IOException when the file cannot be written; nothing is left behind then
     */
    @Override
    public AudioEntry save(AudioKind kind, AudioClip clip) throws IOException {
        return save(kind, clip, JobRequest.ANONYMOUS_TENANT);
    }

    /**
     * Writes {@code clip} as 16-bit WAV under a new id, with its owner in a sidecar file unless it
     * is the anonymous tenant.
     *
     * @throws IOException when a file cannot be written; nothing is left behind then
     */
    @Override
    public AudioEntry save(AudioKind kind, AudioClip clip, String owner) throws IOException {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(clip, "clip");
        String tenant = JobRequest.checkTenant(owner);
        String id = Identifiers.newId();
        // File times may keep only milliseconds; the entry must read back the same after a restart.
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Path file = fileFor(kind, id);
        Path sidecar = ownerFile(file);
        if (!tenant.isEmpty()) {
            AtomicFiles.writeText(sidecar, tenant);
        }
        long size;
        try {
            size = AtomicFiles.writeWav(file, clip, WavFormat.PCM_16, now);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(sidecar);
            throw e;
        }
        AudioEntry entry = new AudioEntry(id, kind, now, StoreExpiry.expiry(now, ttl(kind)), clip.durationSeconds(), size, file, tenant);
        entries.put(id, entry);
        return entry;
    }

    @Override
    public Optional<AudioEntry> find(String id) {
        return Identifiers.isSafe(id) ? Optional.ofNullable(entries.get(id)) : Optional.empty();
    }

    @Override
    public Optional<String> damage(String id) {
        return Identifiers.isSafe(id) && entries.containsKey(id) ? Optional.ofNullable(damaged.get(id)) : Optional.empty();
    }

    /**
     * @throws ReferenceNotFoundException when the id is unknown or its file has gone
     * @throws AudioFormatException when the file is no longer readable WAV
     */
    @Override
    public AudioClip load(String id) throws IOException {
        AudioEntry entry = require(id);
        try {
            return WavCodec.read(entry.path());
        } catch (NoSuchFileException e) {
            entries.remove(id, entry);
            throw new ReferenceNotFoundException("Audio file not found");
        }
    }

    /** @throws ReferenceNotFoundException when the id is unknown or its file has gone */
    @Override
    public InputStream open(String id) throws IOException {
        AudioEntry entry = require(id);
        try {
            return Files.newInputStream(entry.path());
        } catch (NoSuchFileException e) {
            entries.remove(id, entry);
            throw new ReferenceNotFoundException("Audio file not found");
        }
    }

    @Override
    public boolean delete(String id) throws IOException {
        if (!Identifiers.isSafe(id)) {
            return false;
        }
        AudioEntry entry = entries.remove(id);
        damaged.remove(id);
        if (entry == null) {
            return false;
        }
        try {
            // Durable, so that a deleted clip does not come back after a power cut.
            boolean deleted = AtomicFiles.deleteDurably(entry.path());
            deleteOwnerFile(entry);
            return deleted;
        } catch (IOException e) {
            // Still on disk: keep it listed, so that a later delete or purge can retry it.
            if (Files.exists(entry.path())) {
                entries.putIfAbsent(id, entry);
            }
            throw e;
        }
    }

    /** Oldest first. */
    @Override
    public List<AudioEntry> list() {
        return entries.values().stream()
                .sorted(Comparator.comparing(AudioEntry::createdAt).thenComparing(AudioEntry::id)).toList();
    }

    /**
     * Deletes expired files. A file that cannot be deleted stays listed (so a later purge retries
     * it) and is logged; the others are still purged.
     */
    @Override
    public int purgeExpired(Instant now) {
        int purged = 0;
        for (AudioEntry entry : entries.values()) {
            if (entry.isExpired(now) && entries.remove(entry.id(), entry)) {
                damaged.remove(entry.id());
                try {
                    AtomicFiles.deleteDurably(entry.path());
                    deleteOwnerFile(entry);
                    purged++;
                } catch (IOException e) {
                    if (Files.exists(entry.path())) {
                        entries.putIfAbsent(entry.id(), entry); // still there: a later purge retries it
                    }
                    log.warn("could not delete expired {}: {}", entry.path(), e.toString());
                }
            }
        }
        return purged;
    }

    /** The real paths of {@code uploads/} and {@code outputs/}. */
    @Override
    public List<Path> roots() {
        return List.of(uploads, outputs);
    }

    private AudioEntry require(String id) {
        return find(id).orElseThrow(() -> new ReferenceNotFoundException("Audio file not found"));
    }

    private static Path ownerFile(Path wav) {
        String name = wav.getFileName().toString();
        return wav.resolveSibling(name.substring(0, name.length() - SUFFIX.length()) + OWNER_SUFFIX);
    }

    /** After the WAV is gone: a sidecar left behind by a failure here is deleted at the next start. */
    private static void deleteOwnerFile(AudioEntry entry) {
        if (entry.owner().isEmpty()) {
            return;
        }
        try {
            Files.deleteIfExists(ownerFile(entry.path()));
        } catch (IOException e) {
            log.warn("could not delete {}: {}", ownerFile(entry.path()), e.toString());
        }
    }

    /** The owner kept beside {@code wav}; the anonymous tenant without a sidecar. */
    private static String readOwner(Path wav) throws IOException {
        Path sidecar = ownerFile(wav);
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(sidecar, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return JobRequest.ANONYMOUS_TENANT;
        }
        if (!attrs.isRegularFile() || attrs.size() > JobRequest.MAX_TENANT_LENGTH) {
            throw new AudioFormatException("its owner file " + sidecar.getFileName() + " is not a tenant name");
        }
        try {
            String owner = Files.readString(sidecar, StandardCharsets.UTF_8);
            String tenant = JobRequest.checkTenant(owner);
            if (tenant.isEmpty()) {
                throw new InvalidRequestException("empty");
            }
            return tenant;
        } catch (InvalidRequestException | CharacterCodingException e) {
            throw new AudioFormatException("its owner file " + sidecar.getFileName() + " is not a tenant name");
        }
    }

    /** Sidecars whose WAV is gone: left by a crash between the two writes or the two deletes. */
    private static void deleteOrphanOwners(Path dir) throws IOException {
        try (DirectoryStream<Path> sidecars = Files.newDirectoryStream(dir, "*" + OWNER_SUFFIX)) {
            for (Path sidecar : sidecars) {
                String name = sidecar.getFileName().toString();
                Path wav = sidecar.resolveSibling(name.substring(0, name.length() - OWNER_SUFFIX.length()) + SUFFIX);
                if (!Files.exists(wav, LinkOption.NOFOLLOW_LINKS)) {
                    log.info("deleting {}: its audio is gone", sidecar);
                    Files.deleteIfExists(sidecar);
                }
            }
        }
    }

    private Duration ttl(AudioKind kind) {
        return kind == AudioKind.UPLOAD ? uploadTtl : outputTtl;
    }

    private Path fileFor(AudioKind kind, String id) {
        return AtomicFiles.inside(kind == AudioKind.UPLOAD ? uploads : outputs, Identifiers.requireSafe("audio id", id) + SUFFIX);
    }

    private void scan(AudioKind kind) throws IOException {
        Path dir = kind == AudioKind.UPLOAD ? uploads : outputs;
        AtomicFiles.deleteLeftovers(dir);
        deleteOrphanOwners(dir);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                String id = name.substring(0, name.length() - SUFFIX.length());
                if (!Identifiers.isSafe(id)) {
                    log.warn("ignoring {}: not a name this store writes", file);
                    continue;
                }
                try {
                    BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    if (!attrs.isRegularFile()) {
                        log.warn("ignoring {}: not a regular file", file);
                        continue;
                    }
                    String problem = null;
                    double seconds = 0;
                    try {
                        seconds = WavCodec.probe(file).durationSeconds();
                    } catch (AudioFormatException e) {
                        problem = "stored audio cannot be read: " + e.getMessage();
                    }
                    String owner = readOwner(file);
                    Instant created = attrs.lastModifiedTime().toInstant();
                    AudioEntry entry = new AudioEntry(id, kind, created, StoreExpiry.expiry(created, ttl(kind)),
                            seconds, attrs.size(), file, owner);
                    AudioEntry clash = entries.putIfAbsent(id, entry);
                    if (clash != null) {
                        log.warn("ignoring {}: id {} is already taken by {}", file, id, clash.path());
                    } else if (problem != null) {
                        damaged.put(id, problem);
                        log.warn("kept {} although its {}; it is listed and served as it is, and reported as damaged", file, problem);
                    }
                } catch (AudioFormatException e) {
                    log.warn("ignoring {}: {}", file, e.getMessage());
                }
            }
        }
    }
}
