package org.duet.coordinator.brewery;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.duet.coordinator.config.CoordinatorConfig.BrewerySettings;
import org.duet.coordinator.config.CoordinatorConfig.XmppSettings;
import org.duet.coordinator.xmpp.XmppConnections;
import org.jivesoftware.smack.ConnectionListener;
import org.jivesoftware.smack.XMPPConnection;
import org.jivesoftware.smack.packet.ExtensionElement;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.MultiUserChatManager;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Joins the brewery MUC with the coordinator's XMPP account and feeds every occupant's
 * {@code <duet-mixer/>} presence into the {@link MixerRegistry}. Reconnects (after {@code reconnect-delay})
 * when the connection drops; while disconnected the live set is empty, since nothing can be trusted.
 */
public final class BreweryClient implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BreweryClient.class);

    private final XmppSettings xmpp;
    private final BrewerySettings brewery;
    private final MixerRegistry registry;
    private final Thread thread;
    private final AtomicLong connects = new AtomicLong();
    private final AtomicLong connectFailures = new AtomicLong();
    private volatile boolean closed;
    private volatile boolean joined;
    private volatile XMPPTCPConnection connection;
    private volatile CountDownLatch lost = new CountDownLatch(1);

    public BreweryClient(XmppSettings xmpp, BrewerySettings brewery, MixerRegistry registry) {
        this.xmpp = xmpp;
        this.brewery = brewery;
        this.registry = registry;
        MixerPresenceProvider.register();
        this.thread = new Thread(this::run, "duet-brewery");
        this.thread.setDaemon(true);
    }

    public BreweryClient start() {
        thread.start();
        return this;
    }

    /** True while joined to the brewery room. */
    public boolean joined() {
        return joined;
    }

    public long connects() {
        return connects.get();
    }

    public long connectFailures() {
        return connectFailures.get();
    }

    /** Waits (bounded) until the brewery room is joined. */
    public boolean awaitJoined(long timeoutMs) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!joined && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        return joined;
    }

    private void run() {
        while (!closed) {
            CountDownLatch myLoss = new CountDownLatch(1);
            lost = myLoss;
            XMPPTCPConnection c = XmppConnections.tcp(xmpp, "coordinator");
            try {
                connection = c;
                c.addConnectionListener(new ConnectionListener() {
                    @Override
                    public void connectionClosed() {
                        myLoss.countDown();
                    }

                    @Override
                    public void connectionClosedOnError(Exception e) {
                        LOG.warn("brewery XMPP connection lost: {}", e.toString());
                        myLoss.countDown();
                    }
                });
                c.connect().login();
                EntityBareJid room = JidCreate.entityBareFrom(brewery.room());
                MultiUserChat muc = MultiUserChatManager.getInstanceFor(c).getMultiUserChat(room);
                Resourcepart self = Resourcepart.from(brewery.nickname());
                muc.addParticipantListener(p -> onPresence(p, self));
                muc.join(muc.getEnterConfigurationBuilder(self).requestNoHistory()
                        .timeoutAfter(xmpp.replyTimeout().toMillis()).build());
                connects.incrementAndGet();
                joined = true;
                LOG.info("joined the mixer brewery {} as {}", room, self);
                while (!closed && !myLoss.await(1, TimeUnit.SECONDS)) {
                    registry.expireStale();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (Exception e) {
                connectFailures.incrementAndGet();
                LOG.warn("could not join the brewery {} at {}:{}: {}", brewery.room(), xmpp.host(), xmpp.port(), e.toString());
            } finally {
                joined = false;
                c.disconnect();
                registry.clear();
            }
            if (!closed) {
                try {
                    Thread.sleep(xmpp.reconnectDelay().toMillis());
                } catch (InterruptedException e) {
                    break;
                }
            }
        }
    }

    private void onPresence(Presence p, Resourcepart self) {
        Jid from = p.getFrom();
        Resourcepart nick = from == null ? null : from.getResourceOrNull();
        if (nick == null || nick.equals(self)) {
            return;
        }
        String occupant = nick.toString();
        if (p.getType() == Presence.Type.unavailable) {
            registry.unavailable(occupant);
            return;
        }
        ExtensionElement e = p.getExtensionElement(MixerPresence.ELEMENT, MixerPresence.NAMESPACE);
        if (e instanceof MixerPresence m) {
            registry.announced(occupant, m);
        } else if (e instanceof InvalidMixerPresence bad) {
            registry.invalid(occupant, bad.reason());
        } else if (e != null) {
            // another provider claimed the element in this JVM (e.g. a mixer's own announcer class): read its XML
            try {
                ExtensionElement again = new MixerPresenceProvider()
                        .parse(org.jivesoftware.smack.util.PacketParserUtils.getParserFor(e.toXML().toString()));
                onParsed(occupant, again);
            } catch (Exception ex) {
                registry.invalid(occupant, ex.toString());
            }
        }
        // occupants without the element (e.g. another coordinator) are not mixers
    }

    private void onParsed(String occupant, ExtensionElement e) {
        if (e instanceof MixerPresence m) {
            registry.announced(occupant, m);
        } else if (e instanceof InvalidMixerPresence bad) {
            registry.invalid(occupant, bad.reason());
        }
    }

    /** The live XMPP connection, or null (for tests that want to watch it). */
    XMPPConnection connection() {
        return connection;
    }

    @Override
    public void close() {
        closed = true;
        lost.countDown();
        XMPPTCPConnection c = connection;
        if (c != null) {
            c.disconnect();
        }
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
