package org.duet.mixer.record;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recordings directory: one sub-directory per take with its files and {@code take.json}.
 * Takes are found again after a restart (a take that was still recording is marked
 * {@code interrupted}; its files play up to the last flush). Caps on the number of takes and on
 * their total size are checked before a take starts and, for size, while it is written. Nothing
 * here deletes a take unless asked to. Thread-safe.
 */
public final class TakeStore {

    private static final Logger LOG = LoggerFactory.getLogger(TakeStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
    static final String META = "take.json";

    private final Path dir;
    private final int maxTakes;
    private final long maxBytes;
    private final Map<String, TakeInfo> takes = new LinkedHashMap<>();

    /** Refusal to start a take, with a sentence for people. */
    public static final class TakeRefused extends Exception {
        public TakeRefused(String message) {
            super(message, null, false, false);
        }
    }

    public TakeStore(Path dir, int maxTakes, long maxBytes) {
        this.dir = dir.toAbsolutePath().normalize();
        this.maxTakes = maxTakes;
        this.maxBytes = maxBytes;
        load();
    }

    public Path dir() {
        return dir;
    }

    public int maxTakes() {
        return maxTakes;
    }

    public long maxBytes() {
        return maxBytes;
    }

    private synchronized void load() {
        if (!Files.isDirectory(dir)) {
            return;
        }
        List<TakeInfo> found = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path d : ds) {
                Path meta = d.resolve(META);
                if (!Files.isRegularFile(meta)) {
                    continue;
                }
                try {
                    TakeInfo t = JSON.readValue(meta.toFile(), TakeInfo.class);
                    if (t.isRecording()) {
                        t = t.with(TakeInfo.INTERRUPTED, "The server stopped during this take; the files play up to"
                                + " the last second written.", t.durationMs(), withSizes(d, t.tracks()), sizeOf(d));
                        write(d, t);
                    }
                    found.add(t);
                } catch (IOException e) {
                    LOG.warn("take {} has an unreadable {}: {}", d.getFileName(), META, e.getMessage());
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot list the recordings directory {}: {}", dir, e.getMessage());
        }
        found.sort(Comparator.comparingDouble(TakeInfo::startEpochMs));
        for (TakeInfo t : found) {
            takes.put(t.id(), t);
        }
        LOG.info("recordings directory {}: {} takes", dir, takes.size());
    }

    private static List<TakeInfo.Track> withSizes(Path d, List<TakeInfo.Track> tracks) {
        List<TakeInfo.Track> out = new ArrayList<>();
        for (TakeInfo.Track t : tracks) {
            long size;
            try {
                size = Files.size(d.resolve(t.file()));
            } catch (IOException e) {
                size = 0;
            }
            out.add(new TakeInfo.Track(t.file(), t.kind(), t.voice(), size));
        }
        return out;
    }

    private static long sizeOf(Path d) {
        long total = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(d)) {
            for (Path f : ds) {
                total += Files.size(f);
            }
        } catch (IOException e) {
            // counted as far as it could be read
        }
        return total;
    }

    /** Reserves a directory for a new take; refuses when a cap is reached or the directory is unusable. */
    public synchronized TakeInfo begin(String room, String startedBy, double startEpochMs, long startPosition)
            throws TakeRefused {
        if (takes.size() >= maxTakes) {
            throw new TakeRefused("The recordings directory already holds " + takes.size() + " takes, the most"
                    + " allowed (duet.rehearsal.takes.max-count); delete a take first.");
        }
        if (remainingBytes() <= 64 * 1024) {
            throw new TakeRefused("The recordings directory is at its size cap of " + mib(maxBytes)
                    + " (duet.rehearsal.takes.max-bytes); delete a take first.");
        }
        String base = room + "-" + STAMP.format(Instant.ofEpochMilli((long) startEpochMs));
        String id = base;
        for (int n = 2; takes.containsKey(id) || Files.exists(dir.resolve(id)); n++) {
            id = base + "-" + n;
        }
        Path d = dir.resolve(id);
        try {
            Files.createDirectories(d);
        } catch (IOException e) {
            throw new TakeRefused("Cannot record: the recordings directory " + dir + " is not writable ("
                    + describe(e) + ").");
        }
        TakeInfo t = new TakeInfo(id, room, startedBy, startEpochMs, startPosition, 0, TakeInfo.RECORDING, null,
                List.of(), 0);
        try {
            write(d, t);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(d);
            } catch (IOException ignored) {
                // left empty; harmless
            }
            throw new TakeRefused("Cannot record: writing to " + dir + " failed (" + describe(e) + ").");
        }
        takes.put(id, t);
        return t;
    }

    /** Bytes new takes may still use under the size cap. */
    public synchronized long remainingBytes() {
        long used = 0;
        for (TakeInfo t : takes.values()) {
            used += t.bytes();
        }
        return maxBytes - used;
    }

    /** Records the take's new state in memory and, if the disk lets us, in its {@code take.json}. */
    synchronized void update(TakeInfo t) {
        takes.put(t.id(), t);
        try {
            write(dir.resolve(t.id()), t);
        } catch (IOException e) {
            LOG.debug("take {}: {} not updated: {}", t.id(), META, e.getMessage());
        }
    }

    private static void write(Path d, TakeInfo t) throws IOException {
        Path tmp = d.resolve(META + ".tmp");
        Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(t));
        try {
            Files.move(tmp, d.resolve(META), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, d.resolve(META), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    public synchronized List<TakeInfo> list(String room) {
        List<TakeInfo> out = new ArrayList<>();
        for (TakeInfo t : takes.values()) {
            if (room == null || room.equals(t.room())) {
                out.add(t);
            }
        }
        return out;
    }

    public synchronized TakeInfo get(String id) {
        return takes.get(id);
    }

    /** The path of one of a take's files, or null when the take has no such file. */
    public synchronized Path file(String id, String fileName) {
        TakeInfo t = takes.get(id);
        if (t == null) {
            return null;
        }
        for (TakeInfo.Track track : t.tracks()) {
            if (track.file().equals(fileName)) {
                return dir.resolve(id).resolve(fileName);
            }
        }
        return null;
    }

    /** Deletes a finished take and its files. */
    public synchronized boolean delete(String id) throws IOException {
        TakeInfo t = takes.get(id);
        if (t == null) {
            return false;
        }
        if (t.isRecording()) {
            throw new IOException("take " + id + " is still recording; stop it first");
        }
        Path d = dir.resolve(id);
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(d)) {
            for (Path f : ds) {
                Files.deleteIfExists(f);
            }
        }
        Files.deleteIfExists(d);
        takes.remove(id);
        return true;
    }

    Path takeDir(String id) {
        return dir.resolve(id);
    }

    static String describe(IOException e) {
        String m = e.getMessage();
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such directory";
        }
        return m == null ? e.getClass().getSimpleName() : m;
    }

    static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.0f MiB", bytes / 1048576.0);
    }
}
