package org.duet.mixer.rehearsal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.duet.mixer.backing.AudioFileDecoder;
import org.duet.mixer.backing.BackingState;
import org.duet.mixer.backing.BadAudioFileException;
import org.duet.mixer.backing.DecodedAudio;
import org.duet.mixer.clock.ServerClock;
import org.duet.mixer.logging.LibraryConsole;
import org.duet.mixer.record.TakeInfo;
import org.duet.mixer.record.TakeStore;
import org.duet.mixer.record.TakeWriter;
import org.duet.mixer.room.DuetMixer;
import org.duet.mixer.room.Role;
import org.duet.mixer.room.Room;
import org.duet.mixer.signaling.Member;
import org.duet.mixer.signaling.Messages;
import org.duet.mixer.signaling.Outbox;
import org.duet.mixer.signaling.SignalingExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rehearsal room (docs/rehearsal.md): a backing track the singers upload and control, each
 * singer's own monitor mix, the listeners' shared balance, and takes recorded to disk. Reached
 * from the page over signaling (messages {@code backing}, {@code monitor}, {@code listener-mix},
 * {@code take}; state pushed as {@code rehearsal}), from the page over HTTP for uploads and
 * downloads, and from the loopback control API with the same operations.
 *
 * <p>Files are decoded on one worker thread with a short queue, never on a media loop; a second
 * upload while the worker is busy is refused rather than queued without bound.
 */
public final class RehearsalService implements SignalingExtension, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RehearsalService.class);
    private static final Set<String> TYPES = Set.of("rehearsal", "backing", "monitor", "listener-mix", "take");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final DuetMixer mixer;
    private final RehearsalSettings settings;
    private final AudioFileDecoder decoder;
    private final TakeStore store;
    private final ThreadPoolExecutor decodeWorker;
    private final Map<String, RoomRehearsal> rooms = new ConcurrentHashMap<>();
    private final Map<String, RoomRehearsal.Slot> byToken = new ConcurrentHashMap<>();

    public RehearsalService(DuetMixer mixer, RehearsalSettings settings) {
        this.mixer = mixer;
        this.settings = settings;
        this.decoder = new AudioFileDecoder(settings.maxUploadBytes(), settings.maxTrackSeconds());
        this.store = new TakeStore(settings.takesDir(), settings.maxTakes(), settings.maxTakesBytes());
        this.decodeWorker = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(2), r -> {
            Thread t = new Thread(r, "duet-backing-decode");
            t.setDaemon(true);
            t.setPriority(Thread.NORM_PRIORITY - 1);
            return t;
        });
    }

    public RehearsalSettings settings() {
        return settings;
    }

    public TakeStore takes() {
        return store;
    }

    private RoomRehearsal room(String name) {
        Room r = mixer.openRoom(name);
        return rooms.compute(name, (n, old) -> old != null && old.room == r ? old : new RoomRehearsal(n, r));
    }

    // ---- signaling ----

    @Override
    public Set<String> types() {
        return TYPES;
    }

    @Override
    public void onJoin(Member member, Outbox out) {
        RoomRehearsal rr = room(member.room());
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        RoomRehearsal.Slot slot = new RoomRehearsal.Slot(member, out, HexFormat.of().formatHex(b));
        synchronized (rr) {
            rr.members.put(member.id(), slot);
        }
        byToken.put(slot.token(), slot);
    }

    @Override
    public void onLeave(Member member) {
        RoomRehearsal rr = rooms.get(member.room());
        if (rr == null) {
            return;
        }
        RoomRehearsal.Slot slot;
        synchronized (rr) {
            slot = rr.members.remove(member.id());
            rr.monitors.remove(member.id());
            rr.subscribed.remove(member.id());
        }
        if (slot != null) {
            byToken.remove(slot.token());
        }
    }

    @Override
    public void onMessage(Member member, JsonNode msg, Outbox out) {
        String type = msg.path("type").asText();
        try {
            if (type.equals("rehearsal")) {
                subscribe(member, out);
                return;
            }
            if (!member.isSinger()) {
                throw new RehearsalException("not-allowed", 403, "Only singers control the backing track, the mixes"
                        + " and recording; listeners hear what the singers set.");
            }
            String who = member.name().isEmpty() ? member.id() : member.name();
            switch (type) {
                case "backing" -> backing(member.room(), msg);
                case "monitor" -> monitor(member.room(), member.id(), level(msg, "partner"), level(msg, "backing"));
                case "listener-mix" -> listenerMix(member.room(), levels(msg.get("voices")),
                        msg.hasNonNull("backing") ? level(msg, "backing") : null);
                case "take" -> take(member.room(), msg, who);
                default -> throw new RehearsalException("unknown-type", 400, "unknown message type " + type);
            }
        } catch (RehearsalException e) {
            out.send(error(e.code(), e.getMessage(), type));
        } catch (RuntimeException e) {
            LOG.warn("rehearsal message {} failed", type, e);
            out.send(error("internal", "the server failed to handle this message: " + e, type));
        }
    }

    /** A page asks for the rehearsal state: it gets it now and after every change. */
    private void subscribe(Member member, Outbox out) {
        RoomRehearsal rr = room(member.room());
        RoomRehearsal.Slot slot;
        synchronized (rr) {
            slot = rr.members.get(member.id());
            if (slot != null) {
                rr.subscribed.add(member.id());
            }
        }
        if (slot != null) {
            out.send(stateFor(rr, slot));
        }
    }

    private void backing(String room, JsonNode msg) throws RehearsalException {
        String action = msg.path("action").asText("");
        switch (action) {
            case "start" -> backingStart(room);
            case "stop" -> backingStop(room);
            case "seek" -> backingSeek(room, longField(msg, "positionMs"));
            case "level" -> backingLevel(room, level(msg, "level"));
            case "loop" -> backingLoop(room, msg.path("loop").asBoolean(false));
            case "clear" -> backingClear(room);
            default -> throw new RehearsalException("bad-message", 400, "backing action must be start, stop, seek,"
                    + " level, loop or clear");
        }
    }

    private void take(String room, JsonNode msg, String who) throws RehearsalException {
        String action = msg.path("action").asText("");
        switch (action) {
            case "start" -> startTake(room, who);
            case "stop" -> stopTake(room);
            case "play" -> playTake(room, text(msg, "id"), who);
            case "delete" -> deleteTake(room, text(msg, "id"));
            default -> throw new RehearsalException("bad-message", 400, "take action must be start, stop, play or delete");
        }
    }

    // ---- backing track ----

    /**
     * Decodes {@code data} on the worker and makes it the room's backing track (stopped, at the
     * start). Bad files complete exceptionally with a {@link RehearsalException} and change nothing.
     */
    public CompletableFuture<BackingState> uploadBacking(String roomName, String by, String fileName, byte[] data) {
        String name = cleanName(fileName);
        RoomRehearsal rr = room(roomName);
        CompletableFuture<BackingState> result = new CompletableFuture<>();
        if (data.length > settings.maxUploadBytes()) {
            result.completeExceptionally(new RehearsalException("file-too-large", 413, name + " is "
                    + String.format(java.util.Locale.ROOT, "%.1f MiB", data.length / 1048576.0)
                    + "; backing tracks may be at most "
                    + String.format(java.util.Locale.ROOT, "%.1f MiB", settings.maxUploadBytes() / 1048576.0) + "."));
            return result;
        }
        // Shown as loading before the worker can pick it up: a tiny bad file may be refused at once.
        synchronized (rr) {
            rr.loadingCount++;
            rr.loadingName = name;
            rr.loadingBy = by;
        }
        broadcast(rr);
        try {
            decodeWorker.execute(() -> LibraryConsole.muffled(() -> {
                try {
                    DecodedAudio audio = decoder.decode(data, name);
                    BackingState s = rr.backing.load(audio, name, by);
                    LOG.info("room {}: backing track {} ({}, {} s) loaded by {}", roomName, name, audio.format(),
                            String.format(java.util.Locale.ROOT, "%.1f", audio.durationSeconds()), by);
                    result.complete(s);
                } catch (BadAudioFileException e) {
                    result.completeExceptionally(new RehearsalException(e.reason().code(),
                            e.reason() == BadAudioFileException.Reason.TOO_LARGE ? 413 : 400, e.getMessage()));
                } catch (RuntimeException | OutOfMemoryError e) {
                    result.completeExceptionally(new RehearsalException("corrupt-file", 400, name
                            + " could not be decoded (" + e + ")."));
                } finally {
                    loadingDone(rr);
                }
            }));
        } catch (RejectedExecutionException e) {
            loadingDone(rr);
            result.completeExceptionally(new RehearsalException("busy", 503, "The server is still decoding other"
                    + " uploads; try again in a moment."));
        }
        return result;
    }

    /** One upload finished (or was refused): the room stops showing "loading" when none is left. */
    private void loadingDone(RoomRehearsal rr) {
        synchronized (rr) {
            if (--rr.loadingCount <= 0) {
                rr.loadingCount = 0;
                rr.loadingName = null;
                rr.loadingBy = null;
            }
        }
        broadcast(rr);
    }

    public BackingState backingState(String room) {
        return room(room).backing.state();
    }

    public BackingState backingStart(String room) throws RehearsalException {
        return changed(room, rr -> rr.backing.start());
    }

    public BackingState backingStop(String room) throws RehearsalException {
        return changed(room, rr -> rr.backing.stop());
    }

    public BackingState backingSeek(String room, long positionMs) throws RehearsalException {
        return changed(room, rr -> rr.backing.seek(positionMs));
    }

    public BackingState backingLevel(String room, float level) throws RehearsalException {
        return changed(room, rr -> rr.backing.level(level));
    }

    public BackingState backingLoop(String room, boolean loop) throws RehearsalException {
        return changed(room, rr -> rr.backing.loop(loop));
    }

    public void backingClear(String room) throws RehearsalException {
        changed(room, rr -> {
            rr.backing.clear();
            return null;
        });
    }

    private interface Change<T> {
        T apply(RoomRehearsal rr);
    }

    private <T> T changed(String room, Change<T> change) throws RehearsalException {
        RoomRehearsal rr = room(room);
        T result;
        try {
            result = change.apply(rr);
        } catch (IllegalStateException e) {
            throw new RehearsalException("no-backing-track", 409, e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new RehearsalException("bad-message", 400, e.getMessage());
        }
        broadcast(rr);
        return result;
    }

    // ---- monitor and listener mixes ----

    /** A singer's own ear: partner and backing levels (linear, 0 to 4). */
    public void monitor(String room, String participantId, float partner, float backing) throws RehearsalException {
        RoomRehearsal rr = room(room);
        try {
            rr.room.setMonitorMix(participantId, partner, backing);
        } catch (IllegalArgumentException e) {
            throw new RehearsalException("bad-message", 400, e.getMessage());
        }
        synchronized (rr) {
            rr.monitors.put(participantId, new float[] {partner, backing});
        }
        broadcast(rr);
    }

    /** The listeners' balance: levels by singer role ("singer-a"), and the backing track's (null: unchanged). */
    public void listenerMix(String room, Map<String, Float> voices, Float backing) throws RehearsalException {
        RoomRehearsal rr = room(room);
        Map<String, Float> byLabel = new LinkedHashMap<>();
        float backingLevel;
        synchronized (rr) {
            for (Map.Entry<String, Float> e : voices.entrySet()) {
                Role role;
                try {
                    role = Role.parse(e.getKey());
                } catch (IllegalArgumentException ex) {
                    throw new RehearsalException("bad-role", 400, "unknown singer role " + e.getKey());
                }
                if (!role.isSinger()) {
                    throw new RehearsalException("bad-role", 400, "listener-mix levels are for singer roles");
                }
                rr.listenerVoices.put(role.wireName(), e.getValue());
            }
            if (backing != null) {
                rr.listenerBacking = backing;
            }
            for (Map.Entry<String, Float> e : rr.listenerVoices.entrySet()) {
                byLabel.put(Role.parse(e.getKey()).label(), e.getValue());
            }
            backingLevel = rr.listenerBacking;
        }
        rr.room.setListenerBalance(byLabel, backingLevel);
        broadcast(rr);
    }

    // ---- takes ----

    /** Starts recording the room. */
    public TakeInfo startTake(String room, String by) throws RehearsalException {
        RoomRehearsal rr = room(room);
        TakeWriter writer;
        synchronized (rr) {
            if (rr.take != null) {
                throw new RehearsalException("take-running", 409, "A take is already recording in this room.");
            }
            ServerClock clock = rr.room.clock();
            long nowNanos = System.nanoTime();
            long start = clock.toSamples(nowNanos);
            double epochMs = (clock.toNanos(start) + ServerClock.unixNanosMinusNanoTime()) / 1e6;
            TakeInfo info;
            try {
                info = store.begin(room, by, epochMs, start);
            } catch (TakeStore.TakeRefused e) {
                throw new RehearsalException("recording-refused", 507, e.getMessage());
            }
            writer = TakeWriter.start(store, info, settings.queueEntries(), t -> onTakeChange(rr, t));
            rr.take = writer;
        }
        rr.room.setRecorder(writer.recorder());
        LOG.info("room {}: take {} started by {}", room, writer.info().id(), by);
        broadcast(rr);
        return writer.info();
    }

    /** Stops the room's take; its files are closed shortly after (see {@link #awaitTake}). */
    public TakeInfo stopTake(String room) throws RehearsalException {
        RoomRehearsal rr = room(room);
        TakeWriter writer;
        synchronized (rr) {
            writer = rr.take;
            if (writer == null) {
                throw new RehearsalException("no-take", 409, "No take is recording in this room.");
            }
        }
        endOnLoop(rr, writer);
        return writer.info();
    }

    private void endOnLoop(RoomRehearsal rr, TakeWriter writer) {
        rr.room.setRecorder(null);
        ServerClock clock = rr.room.clock();
        rr.room.runOnMediaLoop(() -> writer.recorder().end(clock.toSamples(System.nanoTime())));
    }

    /** Waits for the room's current take's files to be closed; returns its final state. */
    public TakeInfo awaitTake(String room, String id, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < deadline) {
            TakeInfo t = store.get(id);
            if (t != null && !t.isRecording()) {
                return t;
            }
            Thread.sleep(20);
        }
        return store.get(id);
    }

    private void onTakeChange(RoomRehearsal rr, TakeInfo t) {
        if (t.isRecording()) {
            broadcast(rr); // duration so far, about once a second
            return;
        }
        boolean wasCurrent;
        TakeWriter writer;
        synchronized (rr) {
            writer = rr.take;
            wasCurrent = writer != null && writer.info().id().equals(t.id());
            if (wasCurrent) {
                rr.take = null;
            }
        }
        if (TakeInfo.FAILED.equals(t.status())) {
            if (wasCurrent) {
                endOnLoop(rr, writer); // unhook the recorder; the live mix never noticed
            }
            for (RoomRehearsal.Slot s : rr.slots()) {
                s.out().send(error("take-failed", t.message(), "take"));
            }
        }
        broadcast(rr);
    }

    public List<TakeInfo> listTakes(String room) {
        return store.list(room);
    }

    public void deleteTake(String room, String id) throws RehearsalException {
        TakeInfo t = store.get(id);
        if (t == null || room != null && !room.equals(t.room())) {
            throw new RehearsalException("no-take", 404, "There is no take " + id + " in this room.");
        }
        try {
            store.delete(id);
        } catch (IOException e) {
            throw new RehearsalException("take-busy", 409, "Take " + id + " could not be deleted: " + e.getMessage());
        }
        if (room != null) {
            broadcast(room(room));
        }
    }

    /** Plays a take's listener mix to the room as its backing track. */
    public CompletableFuture<BackingState> playTake(String room, String id, String by) throws RehearsalException {
        TakeInfo t = store.get(id);
        Path mix = t == null || !t.room().equals(room) ? null : store.file(id, "mix.opus");
        if (mix == null || t.isRecording()) {
            throw new RehearsalException("no-take", 404, "Take " + id + " has no finished mix to play.");
        }
        byte[] data;
        try {
            data = Files.readAllBytes(mix);
        } catch (IOException e) {
            throw new RehearsalException("no-take", 404, "Take " + id + " cannot be read: " + e.getMessage());
        }
        CompletableFuture<BackingState> loaded = uploadBacking(room, by, "take " + id, data);
        return loaded.thenApply(s -> {
            try {
                return backingStart(room);
            } catch (RehearsalException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        });
    }

    // ---- who may download ----

    /** The member a page's token stands for, or null. */
    public Member memberForToken(String token) {
        RoomRehearsal.Slot s = token == null ? null : byToken.get(token);
        return s == null ? null : s.member();
    }

    // ---- state pushed to pages ----

    private void broadcast(RoomRehearsal rr) {
        // One push at a time per room, each built when it is sent: two threads changing the room
        // at once could otherwise send an older state last (a page stuck on "loading").
        synchronized (rr.pushLock) {
            for (RoomRehearsal.Slot s : rr.slots()) {
                try {
                    s.out().send(stateFor(rr, s));
                } catch (RuntimeException e) {
                    LOG.debug("rehearsal push failed", e);
                }
            }
        }
    }

    private String stateFor(RoomRehearsal rr, RoomRehearsal.Slot slot) {
        ObjectNode n = Messages.JSON.createObjectNode();
        n.put("type", "rehearsal");
        n.put("room", rr.name);
        n.put("token", slot.token());
        n.put("canControl", slot.member().isSinger());
        BackingState b = rr.backing.state();
        n.set("backing", b == null ? null : Messages.JSON.valueToTree(b));
        float[] monitor = rr.monitorOf(slot.member().id());
        ObjectNode m = n.putObject("monitor");
        m.put("partner", monitor[0]);
        m.put("backing", monitor[1]);
        synchronized (rr) {
            if (rr.loadingName != null) {
                n.putObject("loading").put("name", rr.loadingName).put("by", rr.loadingBy);
            } else {
                n.putNull("loading");
            }
            ObjectNode lm = n.putObject("listenerMix");
            ObjectNode voices = lm.putObject("voices");
            rr.listenerVoices.forEach(voices::put);
            lm.put("backing", rr.listenerBacking);
            n.set("take", rr.take == null ? null : Messages.JSON.valueToTree(rr.take.info()));
        }
        n.set("takes", Messages.JSON.valueToTree(store.list(rr.name)));
        ObjectNode limits = n.putObject("limits");
        limits.put("maxUploadBytes", settings.maxUploadBytes());
        limits.put("maxTrackSeconds", settings.maxTrackSeconds());
        limits.putArray("formats").add("WAV").add("FLAC").add("Ogg Opus").add("MP3");
        return n.toString();
    }

    static String error(String code, String message, String inReplyTo) {
        ObjectNode n = Messages.JSON.createObjectNode();
        n.put("type", "error");
        n.put("code", code);
        n.put("message", message);
        if (inReplyTo != null) {
            n.put("inReplyTo", inReplyTo);
        }
        return n.toString();
    }

    // ---- field helpers ----

    private static float level(JsonNode msg, String field) throws RehearsalException {
        JsonNode v = msg.get(field);
        if (v == null || !v.isNumber() || !Double.isFinite(v.asDouble()) || v.asDouble() < 0 || v.asDouble() > 4) {
            throw new RehearsalException("bad-message", 400, "\"" + field + "\" must be a level from 0 to 4 (1 = unchanged)");
        }
        return (float) v.asDouble();
    }

    /** Parses {"singer-a": 1.0, ...} (levels 0 to 4). */
    public static Map<String, Float> levels(JsonNode voices) throws RehearsalException {
        Map<String, Float> out = new LinkedHashMap<>();
        if (voices == null || voices.isNull()) {
            return out;
        }
        if (!voices.isObject() || voices.size() > 26) {
            throw new RehearsalException("bad-message", 400, "\"voices\" must be an object of role: level");
        }
        var it = voices.fields();
        while (it.hasNext()) {
            var e = it.next();
            ObjectNode one = Messages.JSON.createObjectNode();
            one.set("v", e.getValue());
            out.put(e.getKey(), level(one, "v"));
        }
        return out;
    }

    private static long longField(JsonNode msg, String field) throws RehearsalException {
        JsonNode v = msg.get(field);
        if (v == null || !v.isNumber() || !Double.isFinite(v.asDouble()) || v.asDouble() < 0) {
            throw new RehearsalException("bad-message", 400, "\"" + field + "\" must be a number of milliseconds");
        }
        return v.asLong();
    }

    private static String text(JsonNode msg, String field) throws RehearsalException {
        JsonNode v = msg.get(field);
        if (v == null || !v.isTextual()) {
            throw new RehearsalException("bad-message", 400, "\"" + field + "\" must be a string");
        }
        return v.asText();
    }

    /** A file name for display: no path, printable, at most 100 characters. */
    static String cleanName(String name) {
        if (name == null || name.isBlank()) {
            return "backing track";
        }
        String base = name.replace('\\', '/');
        base = base.substring(base.lastIndexOf('/') + 1).replaceAll("[\\p{Cntrl}]", "").strip();
        if (base.isEmpty()) {
            return "backing track";
        }
        return base.length() > 100 ? base.substring(0, 100) : base;
    }

    /** Stops every take cleanly (files closed) and the decode worker. */
    @Override
    public void close() {
        for (RoomRehearsal rr : rooms.values()) {
            TakeWriter w;
            synchronized (rr) {
                w = rr.take;
            }
            if (w != null) {
                endOnLoop(rr, w);
                try {
                    w.await(3000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        decodeWorker.shutdownNow();
    }
}
