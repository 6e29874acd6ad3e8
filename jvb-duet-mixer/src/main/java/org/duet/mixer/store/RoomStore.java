package org.duet.mixer.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Room state that must survive a restart, in an embedded H2 database file: rooms with their
 * invites and backing track, the members' resume tokens (so pages that reconnect after a restart
 * keep their standing), and plain-RTP participants (re-created on the same UDP port, so their
 * peers never notice beyond the gap).
 *
 * <p>Each change is one autocommitted statement flushed at once ({@code WRITE_DELAY=0}); the
 * database locks its file with the operating system's lock ({@code FILE_LOCK=FS}), which a process
 * killed with {@code kill -9} releases, so a restart never waits on a stale lock. Failures are
 * logged, never thrown at signaling: losing the store must not stop a duet.
 */
public final class RoomStore implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RoomStore.class);

    /** A stored room. Invites and backing track may be null. */
    public record RoomRecord(String name, String singerInvite, String listenerInvite, String backingPath,
                             float backingGain, String syncMode, String syncLeader) {

        /** A room with no sync mode chosen. */
        public RoomRecord(String name, String singerInvite, String listenerInvite, String backingPath, float backingGain) {
            this(name, singerInvite, listenerInvite, backingPath, backingGain, null, null);
        }
    }

    /** A member's resume token and standing. */
    public record MemberRecord(String token, String room, String role, boolean moderator) {
    }

    /** A plain-RTP participant as the control API created it. */
    public record RtpRecord(String room, String id, String role, String remote, int payloadType, String localHost,
                            int localPort) {
    }

    private final Connection db;

    private RoomStore(Connection db) {
        this.db = db;
    }

    /** Opens (creating if needed) the store in {@code dir}. */
    public static RoomStore open(Path dir) throws SQLException {
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new SQLException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        String url = "jdbc:h2:file:" + dir.toAbsolutePath().resolve("rooms") + ";FILE_LOCK=FS;WRITE_DELAY=0";
        Connection c = DriverManager.getConnection(url, "duet", "");
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS rooms (name VARCHAR(64) PRIMARY KEY, singer_invite VARCHAR(64),"
                    + " listener_invite VARCHAR(64), backing_path VARCHAR(4096), backing_gain REAL)");
            s.execute("CREATE TABLE IF NOT EXISTS members (token VARCHAR(64) PRIMARY KEY, room VARCHAR(64) NOT NULL,"
                    + " role VARCHAR(16) NOT NULL, moderator BOOLEAN NOT NULL)");
            s.execute("CREATE TABLE IF NOT EXISTS rtp_participants (room VARCHAR(64), id VARCHAR(64), role VARCHAR(16),"
                    + " remote VARCHAR(64), payload_type INT, local_host VARCHAR(64), local_port INT,"
                    + " PRIMARY KEY (room, id))");
            // added after the first release: stores made before get the columns on open
            s.execute("ALTER TABLE rooms ADD COLUMN IF NOT EXISTS sync_mode VARCHAR(32)");
            s.execute("ALTER TABLE rooms ADD COLUMN IF NOT EXISTS sync_leader VARCHAR(64)");
        }
        return new RoomStore(c);
    }

    public synchronized void putRoom(String name, String singerInvite, String listenerInvite) {
        update("MERGE INTO rooms (name, singer_invite, listener_invite, backing_path, backing_gain) KEY (name) "
                + "VALUES (?, ?, ?, (SELECT backing_path FROM rooms WHERE name = ?), "
                + "(SELECT backing_gain FROM rooms WHERE name = ?))", name, singerInvite, listenerInvite, name, name);
    }

    public synchronized void putBackingTrack(String room, String path, float gain) {
        update("MERGE INTO rooms (name, singer_invite, listener_invite, backing_path, backing_gain) KEY (name) "
                + "VALUES (?, (SELECT singer_invite FROM rooms WHERE name = ?), "
                + "(SELECT listener_invite FROM rooms WHERE name = ?), ?, ?)", room, room, room, path, gain);
    }

    /** The room's sync mode (its wire name) and leading singer (may be null), as a singer or the API last set it. */
    public synchronized void putSyncMode(String room, String mode, String leader) {
        if (update("UPDATE rooms SET sync_mode = ?, sync_leader = ? WHERE name = ?", mode, leader, room) == 0) {
            update("INSERT INTO rooms (name, sync_mode, sync_leader) VALUES (?, ?, ?)", room, mode, leader);
        }
    }

    public synchronized void deleteRoom(String name) {
        update("DELETE FROM members WHERE room = ?", name);
        update("DELETE FROM rtp_participants WHERE room = ?", name);
        update("DELETE FROM rooms WHERE name = ?", name);
    }

    public synchronized void putMember(String token, String room, String role, boolean moderator) {
        update("MERGE INTO members (token, room, role, moderator) KEY (token) VALUES (?, ?, ?, ?)",
                token, room, role, moderator);
    }

    public synchronized void deleteMember(String token) {
        update("DELETE FROM members WHERE token = ?", token);
    }

    public synchronized void putRtp(RtpRecord r) {
        update("MERGE INTO rtp_participants (room, id, role, remote, payload_type, local_host, local_port) "
                + "KEY (room, id) VALUES (?, ?, ?, ?, ?, ?, ?)", r.room(), r.id(), r.role(), r.remote(),
                r.payloadType(), r.localHost(), r.localPort());
    }

    public synchronized void deleteRtp(String room, String id) {
        update("DELETE FROM rtp_participants WHERE room = ? AND id = ?", room, id);
    }

    public synchronized List<RoomRecord> rooms() {
        List<RoomRecord> out = new ArrayList<>();
        try (Statement s = db.createStatement();
             ResultSet r = s.executeQuery("SELECT name, singer_invite, listener_invite, backing_path, backing_gain, "
                     + "sync_mode, sync_leader FROM rooms ORDER BY name")) {
            while (r.next()) {
                out.add(new RoomRecord(r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getFloat(5),
                        r.getString(6), r.getString(7)));
            }
        } catch (SQLException e) {
            LOG.warn("room store: reading rooms failed", e);
        }
        return out;
    }

    public synchronized List<MemberRecord> members() {
        List<MemberRecord> out = new ArrayList<>();
        try (Statement s = db.createStatement();
             ResultSet r = s.executeQuery("SELECT token, room, role, moderator FROM members")) {
            while (r.next()) {
                out.add(new MemberRecord(r.getString(1), r.getString(2), r.getString(3), r.getBoolean(4)));
            }
        } catch (SQLException e) {
            LOG.warn("room store: reading members failed", e);
        }
        return out;
    }

    public synchronized List<RtpRecord> rtpParticipants() {
        List<RtpRecord> out = new ArrayList<>();
        try (Statement s = db.createStatement();
             ResultSet r = s.executeQuery("SELECT room, id, role, remote, payload_type, local_host, local_port "
                     + "FROM rtp_participants ORDER BY room, id")) {
            while (r.next()) {
                out.add(new RtpRecord(r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getInt(5),
                        r.getString(6), r.getInt(7)));
            }
        } catch (SQLException e) {
            LOG.warn("room store: reading plain-RTP participants failed", e);
        }
        return out;
    }

    /** Runs one write; returns the rows it changed, or -1 when it failed (logged). */
    private int update(String sql, Object... args) {
        try (PreparedStatement p = db.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                p.setObject(i + 1, args[i]);
            }
            return p.executeUpdate();
        } catch (SQLException e) {
            LOG.warn("room store: write failed ({})", e.getMessage());
            return -1;
        }
    }

    @Override
    public synchronized void close() {
        try {
            db.close();
        } catch (SQLException e) {
            LOG.warn("room store: close failed", e);
        }
    }
}
