package org.duet.mixer.jitsi.brewery;

import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.duet.mixer.config.DuetConfig;
import org.duet.mixer.jitsi.ConferenceSnapshot;
import org.duet.mixer.jitsi.JitsiServer;
import org.duet.mixer.room.DuetMixer;
import org.jivesoftware.smack.ConnectionConfiguration.SecurityMode;
import org.jivesoftware.smack.SmackConfiguration;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.MultiUserChatManager;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.EntityFullJid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Announces this mixer in the brewery MUC, the way Jitsi's bridges, Jibri and Jigasi announce
 * themselves to Jicofo: an XMPP client (Smack) joins {@code duetbrewery@internal-muc.<domain>}
 * with the nickname = mixer id, and its presence carries a {@link MixerAnnouncement}
 * (conferences, voices, load of the media loops), sent again every {@code refresh} (5 s). The
 * coordinator picks the least loaded live mixer for each meeting; a mixer that dies leaves the
 * room (Prosody tells the occupants when its socket closes), so the coordinator stops sending
 * meetings there. {@link #close()} first announces {@code graceful-shutdown="true"}.
 *
 * <p>One daemon thread: connect, log in, join, refresh; on any failure wait
 * {@code reconnect-delay} and start over. Nothing here touches the media loops except reading
 * their CPU time.
 */
public final class BreweryAnnouncer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BreweryAnnouncer.class);
    private static final String VERSION = versionOf();

    private final BrewerySettings settings;
    private final JitsiServer jitsi;
    private final LoopLoad load;
    private final String id;
    private final Thread thread;
    private final AtomicLong announcements = new AtomicLong();
    private final AtomicLong connectFailures = new AtomicLong();
    private final Object wake = new Object();
    private volatile boolean closed;
    private volatile boolean joined;
    private volatile XMPPTCPConnection connection;
    private volatile EntityFullJid occupant;

    public BreweryAnnouncer(BrewerySettings settings, DuetMixer mixer, JitsiServer jitsi) {
        this.settings = settings;
        this.jitsi = jitsi;
        this.load = new LoopLoad(mixer.loops());
        this.id = settings.mixerId();
        this.thread = new Thread(this::run, "duet-brewery-announcer");
        this.thread.setDaemon(true);
    }

    /** Starts announcing when {@code duet.jitsi.brewery.enabled}; null otherwise. */
    public static BreweryAnnouncer startIfEnabled(DuetConfig config, DuetMixer mixer, JitsiServer jitsi) {
        BrewerySettings s = BrewerySettings.from(config.raw());
        if (!s.enabled()) {
            return null;
        }
        BreweryAnnouncer a = new BreweryAnnouncer(s, mixer, jitsi);
        a.thread.start();
        return a;
    }

    public BreweryAnnouncer start() {
        thread.start();
        return this;
    }

    /** What the next presence says. */
    public MixerAnnouncement current(boolean gracefulShutdown) {
        int conferences = 0;
        int voices = 0;
        for (String meeting : jitsi.meetingIds()) {
            ConferenceSnapshot s = jitsi.snapshot(meeting);
            if (s != null) {
                conferences++;
                for (ConferenceSnapshot.Voice v : s.voices()) {
                    if (v.mixed()) {
                        voices++;
                    }
                }
            }
        }
        return new MixerAnnouncement(id, settings.urlFor(jitsi.uri()), conferences, voices, load.sample(),
                gracefulShutdown, VERSION);
    }

    private void run() {
        while (!closed) {
            try {
                connectAndJoin();
                while (!closed && connection.isConnected() && connection.isAuthenticated()) {
                    synchronized (wake) {
                        wake.wait(settings.refresh().toMillis());
                    }
                    if (!closed) {
                        announce(false);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                if (!closed) {
                    connectFailures.incrementAndGet();
                    LOG.warn("brewery {} on {}:{}: {} (retrying in {} ms)", settings.mucJid(), settings.xmppHost(),
                            settings.xmppPort(), e.toString(), settings.reconnectDelay().toMillis());
                }
            }
            joined = false;
            XMPPTCPConnection c = connection;
            if (c != null && !closed) {
                c.instantShutdown();
            }
            if (!closed) {
                try {
                    TimeUnit.NANOSECONDS.sleep(settings.reconnectDelay().toNanos());
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private void connectAndJoin() throws Exception {
        XMPPTCPConnectionConfiguration conf = XMPPTCPConnectionConfiguration.builder()
                .setXmppDomain(settings.domain())
                .setHostAddress(InetAddress.getByName(settings.xmppHost()))
                .setPort(settings.xmppPort())
                .setUsernameAndPassword(settings.username(), settings.password())
                .setResource("duet-mixer-" + id)
                .setSecurityMode(settings.requireTls() ? SecurityMode.required : SecurityMode.ifpossible)
                .setConnectTimeout(10_000)
                .build();
        XMPPTCPConnection c = new XMPPTCPConnection(conf);
        c.setReplyTimeout(Math.max(SmackConfiguration.getDefaultReplyTimeout(), 10_000));
        connection = c;
        c.connect().login();
        EntityBareJid room = JidCreate.entityBareFrom(settings.mucJid());
        Resourcepart nick = Resourcepart.from(id);
        MultiUserChat muc = MultiUserChatManager.getInstanceFor(c).getMultiUserChat(room);
        muc.createOrJoin(muc.getEnterConfigurationBuilder(nick).requestNoHistory()
                .withPresence(c.getStanzaFactory().buildPresenceStanza().addExtension(current(false)).build())
                .build());
        occupant = JidCreate.entityFullFrom(room, nick);
        joined = true;
        announcements.incrementAndGet();
        LOG.info("mixer {} announced in the brewery {} as {}", id, room, settings.urlFor(jitsi.uri()));
    }

    private void announce(boolean gracefulShutdown) throws Exception {
        XMPPTCPConnection c = connection;
        Presence p = c.getStanzaFactory().buildPresenceStanza().to(occupant)
                .addExtension(current(gracefulShutdown)).build();
        c.sendStanza(p);
        announcements.incrementAndGet();
    }

    /** True while in the brewery room. */
    public boolean joined() {
        return joined;
    }

    /** Presences sent so far (join included). */
    public long announcements() {
        return announcements.get();
    }

    public long connectFailures() {
        return connectFailures.get();
    }

    public String describe() {
        return settings.mucJid() + " on " + settings.xmppHost() + ":" + settings.xmppPort() + " as " + id;
    }

    /** Announces the graceful shutdown, leaves the room and disconnects. */
    @Override
    public void close() {
        closed = true;
        XMPPTCPConnection c = connection;
        if (c != null && joined) {
            try {
                announce(true);
            } catch (Exception e) {
                LOG.debug("graceful-shutdown presence not sent: {}", e.toString());
            }
        }
        synchronized (wake) {
            wake.notifyAll();
        }
        if (c != null) {
            c.disconnect();
        }
        joined = false;
        try {
            thread.join(3000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String versionOf() {
        String v = BreweryAnnouncer.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0" : v;
    }
}
