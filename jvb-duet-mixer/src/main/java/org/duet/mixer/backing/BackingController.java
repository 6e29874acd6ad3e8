package org.duet.mixer.backing;

import org.duet.mixer.clock.ServerClock;
import org.duet.mixer.room.Room;

/**
 * A room's backing track as the singers control it: load (a decoded file), start, stop, seek,
 * level, loop. Keeps the transport state itself (position at a reference time) and tells the
 * room's {@link BackingPlayer} the same thing in absolute server positions, so the state it
 * reports and what the mix plays agree. Thread-safe; called from signaling and HTTP threads.
 */
public final class BackingController {

    private final Room room;
    private final ServerClock clock;
    private BackingPlayer player;
    private String name;
    private String format;
    private String loadedBy;
    private int length;
    private boolean playing;
    private long refPosition;
    private long offsetAtRef;
    private float level = 1f;
    private boolean loop;

    public BackingController(Room room) {
        this.room = room;
        this.clock = room.clock();
    }

    /** Replaces the track (stopped, at the start). The old one stops at once. */
    public synchronized BackingState load(DecodedAudio audio, String fileName, String by) {
        BackingPlayer p = new BackingPlayer(audio.samples(), loop);
        player = p;
        name = fileName;
        format = audio.format();
        loadedBy = by;
        length = audio.samples().length;
        playing = false;
        offsetAtRef = 0;
        refPosition = now();
        room.setBackingSource(p, level);
        return state();
    }

    public synchronized BackingState start() throws IllegalStateException {
        BackingPlayer p = require();
        long now = now();
        long offset = positionAt(now);
        if (!loop && offset >= length) {
            offset = 0; // played to the end: start again from the top
        }
        long off = offset;
        room.runOnMediaLoop(() -> p.playAt(now, off));
        playing = true;
        refPosition = now;
        offsetAtRef = offset;
        return state();
    }

    public synchronized BackingState stop() throws IllegalStateException {
        BackingPlayer p = require();
        long now = now();
        offsetAtRef = positionAt(now);
        refPosition = now;
        playing = false;
        room.runOnMediaLoop(() -> p.stopAt(now));
        return state();
    }

    /** Moves to {@code ms} from the start (clamped to the track); keeps playing if it was. */
    public synchronized BackingState seek(long ms) throws IllegalStateException {
        BackingPlayer p = require();
        long now = now();
        long offset = Math.max(0, Math.min(length, ms * 48));
        if (playing) {
            room.runOnMediaLoop(() -> p.playAt(now, offset));
        }
        refPosition = now;
        offsetAtRef = offset;
        return state();
    }

    public synchronized BackingState level(float newLevel) throws IllegalStateException {
        require();
        level = newLevel;
        room.setBackingSource(player, level); // checks the range
        return state();
    }

    public synchronized BackingState loop(boolean on) throws IllegalStateException {
        BackingPlayer p = require();
        long now = now();
        offsetAtRef = positionAt(now);
        refPosition = now;
        loop = on;
        room.runOnMediaLoop(() -> p.setLoop(on));
        return state();
    }

    /** Removes the track from every mix. */
    public synchronized void clear() {
        player = null;
        name = null;
        playing = false;
        room.setBackingSource(null, level);
    }

    /** The current state, or null when no track is loaded. */
    public synchronized BackingState state() {
        if (player == null) {
            return null;
        }
        long now = now();
        long pos = positionAt(now);
        boolean ended = playing && !loop && pos >= length;
        return new BackingState(name, format, length / 48L, playing && !ended, Math.min(pos, length) / 48,
                ServerClock.unixNanosMinusNanoTime() / 1e6 + clock.toNanos(now) / 1e6, level, loop, loadedBy);
    }

    /** The track's level in every mix. */
    public synchronized float level() {
        return level;
    }

    private long positionAt(long now) {
        if (!playing) {
            return offsetAtRef;
        }
        long pos = offsetAtRef + (now - refPosition);
        return loop ? pos % length : Math.min(pos, length);
    }

    private BackingPlayer require() {
        if (player == null) {
            throw new IllegalStateException("There is no backing track in this room; upload one first.");
        }
        return player;
    }

    private long now() {
        return clock.toSamples(System.nanoTime());
    }
}
