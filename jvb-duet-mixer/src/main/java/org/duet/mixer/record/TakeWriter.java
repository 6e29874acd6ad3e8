package org.duet.mixer.record;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread that writes one take to disk: drains the {@link TakeRecorder}'s queue into one file
 * per voice, one for the listener mix and one for the backing track, flushes Ogg pages about once
 * a second (so a killed server leaves playable files) and keeps {@code take.json} current.
 *
 * <p>Any I/O error (disk full, directory gone or read-only, size cap) ends the take: the files are
 * closed as they are, the take is marked {@code failed} with a sentence saying why, and the
 * recorder stops queueing. The media loop never waits for any of this.
 */
public final class TakeWriter implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(TakeWriter.class);
    private static final long FLUSH_NANOS = TimeUnit.SECONDS.toNanos(1);
    static final int MIX_BITRATE = 128_000;

    private final TakeStore store;
    private final TakeRecorder recorder;
    private final Path dir;
    private final ByteBudget budget;
    private final Consumer<TakeInfo> onChange;
    private final Map<String, VoiceTrack> voices = new LinkedHashMap<>();
    private final PcmTrack mix;
    private final PcmTrack backing;
    private final PcmTrack metronome;
    private final Thread thread;
    private volatile TakeInfo info;
    private long lastPosition;

    /**
     * @param onChange told (on this thread) about each new state: every flush, and the end
     */
    public static TakeWriter start(TakeStore store, TakeInfo info, int queueEntries, Consumer<TakeInfo> onChange) {
        TakeRecorder recorder = new TakeRecorder(queueEntries, info.startPosition());
        TakeWriter w = new TakeWriter(store, info, recorder, onChange);
        w.thread.start();
        return w;
    }

    private TakeWriter(TakeStore store, TakeInfo info, TakeRecorder recorder, Consumer<TakeInfo> onChange) {
        this.store = store;
        this.info = info;
        this.recorder = recorder;
        this.onChange = onChange;
        this.dir = store.takeDir(info.id());
        this.budget = new ByteBudget(Math.max(0, store.remainingBytes()), "Recording stopped: the recordings directory"
                + " reached its size cap of " + TakeStore.mib(store.maxBytes())
                + " (duet.rehearsal.takes.max-bytes). The take so far is kept.");
        long start = info.startPosition();
        this.mix = new PcmTrack(dir.resolve("mix.opus"), "listener mix", start, budget, MIX_BITRATE);
        this.backing = new PcmTrack(dir.resolve("backing.opus"), "backing track", start, budget, MIX_BITRATE);
        this.metronome = new PcmTrack(dir.resolve("metronome.opus"), "metronome", start, budget, MIX_BITRATE);
        this.lastPosition = start;
        this.thread = new Thread(this, "duet-take-" + info.id());
        this.thread.setDaemon(true);
    }

    /** What the media loop feeds. */
    public TakeRecorder recorder() {
        return recorder;
    }

    public TakeInfo info() {
        return info;
    }

    /** Waits until the take's files are closed (after {@link TakeRecorder#end}). */
    public boolean await(long millis) throws InterruptedException {
        thread.join(millis);
        return !thread.isAlive();
    }

    @Override
    public void run() {
        long nextFlush = System.nanoTime() + FLUSH_NANOS;
        try {
            while (true) {
                RecordEntry e = recorder.poll();
                if (e == null) {
                    if (recorder.overflowed()) {
                        throw new IOException("Recording stopped: writing to " + store.dir() + " could not keep up"
                                + " with the room (more than a few seconds behind). The take so far is kept.");
                    }
                    if (System.nanoTime() - nextFlush >= 0) {
                        flushAll();
                        nextFlush = System.nanoTime() + FLUSH_NANOS;
                    }
                    LockSupport.parkNanos(2_000_000L);
                    continue;
                }
                try {
                    if (e.kind == RecordEntry.Kind.END) {
                        finish(e.position);
                        return;
                    }
                    handle(e);
                } finally {
                    recorder.recycle(e);
                }
                if (System.nanoTime() - nextFlush >= 0) {
                    flushAll();
                    nextFlush = System.nanoTime() + FLUSH_NANOS;
                }
            }
        } catch (IOException | RuntimeException ex) {
            fail(ex);
        }
    }

    private void handle(RecordEntry e) throws IOException {
        switch (e.kind) {
            case VOICE -> voices.computeIfAbsent(e.voice, v -> new VoiceTrack(dir.resolve("voice-singer-" + v + ".opus"),
                    "singer " + v + " (as received)", info.startPosition(), budget)).add(e);
            case LISTENER_MIX -> {
                mix.add(e);
                lastPosition = Math.max(lastPosition, e.position + e.length);
            }
            case BACKING -> backing.add(e);
            case METRONOME -> metronome.add(e);
            default -> {
            }
        }
    }

    private void flushAll() throws IOException {
        if (!java.nio.file.Files.isDirectory(dir)) {
            // Deleted while recording: open files would take writes into unlinked inodes, lost at close.
            throw new java.nio.file.NoSuchFileException(dir.toString());
        }
        for (VoiceTrack v : voices.values()) {
            v.flush();
        }
        mix.flush();
        backing.flush();
        metronome.flush();
        publish(TakeInfo.RECORDING, null, durationMs(lastPosition));
    }

    private void finish(long endPosition) throws IOException {
        for (VoiceTrack v : voices.values()) {
            v.finish();
        }
        mix.finish(endPosition);
        backing.finish(endPosition);
        metronome.finish(endPosition);
        publish(TakeInfo.DONE, null, durationMs(endPosition));
        LOG.info("take {} done: {} ms, {} bytes", info.id(), info.durationMs(), info.bytes());
    }

    private long durationMs(long position) {
        return Math.max(0, (position - info.startPosition()) * 1000 / 48_000);
    }

    private void fail(Exception ex) {
        recorder.markFailed();
        for (VoiceTrack v : voices.values()) {
            v.abandon();
        }
        mix.abandon();
        backing.abandon();
        metronome.abandon();
        String message = ex instanceof ByteBudget.CapReached || (ex.getMessage() != null
                && ex.getMessage().startsWith("Recording stopped")) ? ex.getMessage() : describe(ex);
        LOG.warn("take {} failed: {}", info.id(), message);
        publish(TakeInfo.FAILED, message, durationMs(lastPosition));
        // Give back whatever the loop queued meanwhile (it stops queueing once it sees the failure).
        RecordEntry e;
        while ((e = recorder.poll()) != null) {
            recorder.recycle(e);
        }
    }

    private String describe(Exception ex) {
        String m = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
        if (m.contains("No space left")) {
            return "Recording stopped: the disk holding " + store.dir() + " is full (" + m + "). The live mix was not"
                    + " affected; the take so far is kept.";
        }
        if (ex instanceof java.nio.file.AccessDeniedException || m.contains("Permission denied")
                || m.contains("Read-only")) {
            return "Recording stopped: cannot write to " + store.dir() + " (" + m + ").";
        }
        if (ex instanceof java.nio.file.NoSuchFileException) {
            return "Recording stopped: the take's directory " + dir + " is gone (deleted while recording?). The"
                    + " live mix was not affected.";
        }
        return "Recording stopped: writing to " + store.dir() + " failed (" + m + ").";
    }

    private void publish(String status, String message, long durationMs) {
        List<TakeInfo.Track> tracks = new ArrayList<>();
        long bytes = 0;
        for (Map.Entry<String, VoiceTrack> v : voices.entrySet()) {
            if (v.getValue().hasFile()) {
                tracks.add(new TakeInfo.Track(v.getValue().path().getFileName().toString(), "voice",
                        "singer-" + v.getKey(), v.getValue().bytes()));
                bytes += v.getValue().bytes();
            }
        }
        if (mix.hasFile()) {
            tracks.add(new TakeInfo.Track("mix.opus", "mix", null, mix.bytes()));
            bytes += mix.bytes();
        }
        if (backing.hasFile()) {
            tracks.add(new TakeInfo.Track("backing.opus", "backing", null, backing.bytes()));
            bytes += backing.bytes();
        }
        if (metronome.hasFile()) {
            tracks.add(new TakeInfo.Track("metronome.opus", "metronome", null, metronome.bytes()));
            bytes += metronome.bytes();
        }
        info = info.with(status, message, durationMs, tracks, bytes);
        store.update(info);
        try {
            onChange.accept(info);
        } catch (RuntimeException e) {
            LOG.warn("take listener failed", e);
        }
    }
}
