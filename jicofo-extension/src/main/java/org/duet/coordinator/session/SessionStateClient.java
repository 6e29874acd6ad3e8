package org.duet.coordinator.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.duet.coordinator.xmpp.XmppConnections;
import org.jivesoftware.smack.bosh.XMPPBOSHConnection;
import org.jivesoftware.smack.filter.StanzaTypeFilter;
import org.jivesoftware.smack.packet.ExtensionElement;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.StandardExtensionElement;
import org.jivesoftware.smack.packet.Stanza;
import org.jivesoftware.smackx.muc.MUCRole;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.MultiUserChatManager;
import org.jivesoftware.smackx.muc.Occupant;
import org.jxmpp.jid.DomainBareJid;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A room occupant that reads and writes Duet's session state the way a Jitsi Meet page does: an anonymous
 * BOSH session with {@code ?room=NAME} (Jitsi's {@code mod_jitsi_session} records the room; the metadata
 * component refuses writes from sessions without it), a MUC nickname of 8 hex digits (the endpoint id),
 * {@code <json-message/>} broadcasts from the metadata component, {@code <room_metadata/>} writes to it.
 * Prosody applies a write only when this occupant is a moderator; otherwise nothing changes.
 */
public final class SessionStateClient implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SessionStateClient.class);

    private final XMPPBOSHConnection connection;
    private final EntityBareJid room;
    private final DomainBareJid metadataComponent;
    private final String endpointId;
    private final Object changed = new Object();
    private MultiUserChat muc;
    private ObjectNode metadata; // under changed
    private final AtomicLong broadcasts = new AtomicLong();
    private final AtomicLong invalidSessions = new AtomicLong();
    private final AtomicLong errorReplies = new AtomicLong();

    private SessionStateClient(XMPPBOSHConnection connection, EntityBareJid room, DomainBareJid metadataComponent) {
        this.connection = connection;
        this.room = room;
        this.metadataComponent = metadataComponent;
        this.endpointId = String.format("%08x", ThreadLocalRandom.current().nextInt());
    }

    /**
     * Connects (anonymous BOSH at {@code boshUrl}, e.g. {@code http://127.0.0.1:15280/http-bind}) and joins
     * {@code roomName@mucDomain}; metadata arrives before the join completes.
     */
    public static SessionStateClient join(URI boshUrl, String xmppDomain, String mucDomain, String roomName,
                                          String metadataComponent, Duration timeout) throws Exception {
        XMPPBOSHConnection c = XmppConnections.boshForRoom(boshUrl, xmppDomain, roomName, timeout.toMillis());
        SessionStateClient s = new SessionStateClient(c, JidCreate.entityBareFrom(roomName + "@" + mucDomain),
                JidCreate.domainBareFrom(metadataComponent));
        c.addAsyncStanzaListener(s::onMessage, StanzaTypeFilter.MESSAGE);
        try {
            c.connect().login();
            s.muc = MultiUserChatManager.getInstanceFor(c).getMultiUserChat(s.room);
            s.muc.join(s.muc.getEnterConfigurationBuilder(Resourcepart.from(s.endpointId)).requestNoHistory()
                    .timeoutAfter(timeout.toMillis()).build());
        } catch (Exception e) {
            c.disconnect();
            throw e;
        }
        LOG.info("{} joined {} as {}", c.getUser(), s.room, s.endpointId);
        return s;
    }

    private void onMessage(Stanza stanza) {
        if (!(stanza instanceof Message m) || m.getFrom() == null || !m.getFrom().equals(metadataComponent)) {
            return;
        }
        if (m.getType() == Message.Type.error) {
            errorReplies.incrementAndGet();
            synchronized (changed) {
                changed.notifyAll();
            }
            return;
        }
        ExtensionElement e = m.getExtensionElement(RoomMetadata.BROADCAST_ELEMENT, RoomMetadata.NAMESPACE);
        if (e instanceof StandardExtensionElement json && json.getText() != null) {
            RoomMetadata.metadataOf(json.getText()).ifPresent(md -> {
                broadcasts.incrementAndGet();
                synchronized (changed) {
                    metadata = md;
                    changed.notifyAll();
                }
            });
        }
    }

    /** This occupant's endpoint id (its MUC nickname). */
    public String endpointId() {
        return endpointId;
    }

    /** The full JID of this connection (for a moderator to grant ownership to). */
    public String jid() {
        return connection.getUser().toString();
    }

    /** The last metadata broadcast, or null before the first. */
    public ObjectNode metadata() {
        synchronized (changed) {
            return metadata;
        }
    }

    /** The {@code duet} key of the last broadcast; empty when absent or invalid (invalid ones are counted). */
    public Optional<DuetSession> session() {
        ObjectNode md = metadata();
        JsonNode v = md == null ? null : md.get(DuetSession.METADATA_KEY);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        try {
            return Optional.of(DuetSession.fromJson(v));
        } catch (IllegalArgumentException e) {
            invalidSessions.incrementAndGet();
            LOG.warn("room {} carries an invalid duet session: {}", room, e.getMessage());
            return Optional.empty();
        }
    }

    /** Waits (at most {@code timeout}) until the metadata satisfies {@code condition}; returns whether it did. */
    public boolean awaitMetadata(Predicate<ObjectNode> condition, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        synchronized (changed) {
            while (metadata == null || !condition.test(metadata)) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                changed.wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }

    /** Writes the {@code duet} key (Prosody applies it only if this occupant is a moderator). */
    public void write(DuetSession session) throws Exception {
        writeKey(DuetSession.METADATA_KEY, session.toJson());
    }

    /** Writes any metadata key (tests use it to write invalid values). */
    public void writeKey(String key, JsonNode data) throws Exception {
        StandardExtensionElement body = StandardExtensionElement
                .builder(RoomMetadata.WRITE_ELEMENT, RoomMetadata.NAMESPACE)
                .addAttribute("room", room.toString())
                .setText(RoomMetadata.writeBody(key, data))
                .build();
        Message m = connection.getStanzaFactory().buildMessageStanza().to(metadataComponent).addExtension(body).build();
        connection.sendStanza(m);
    }

    /** Whether the room currently gives this occupant the moderator role. */
    public boolean isModerator() {
        try {
            Occupant me = muc.getOccupant(JidCreate.entityFullFrom(room, Resourcepart.from(endpointId)));
            return me != null && me.getRole() == MUCRole.moderator;
        } catch (Exception e) {
            return false;
        }
    }

    public long broadcasts() {
        return broadcasts.get();
    }

    public long invalidSessions() {
        return invalidSessions.get();
    }

    /** Error replies from the metadata component (Prosody bounces refused writes). */
    public long errorReplies() {
        return errorReplies.get();
    }

    public EntityBareJid room() {
        return room;
    }

    @Override
    public void close() {
        try {
            if (muc != null && muc.isJoined()) {
                muc.leave();
            }
        } catch (Exception e) {
            LOG.debug("leave", e);
        }
        connection.disconnect();
    }
}
