package org.duet.coordinator.testing;

import org.duet.coordinator.brewery.MixerPresence;
import org.duet.coordinator.config.CoordinatorConfig.XmppSettings;
import org.duet.coordinator.xmpp.XmppConnections;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.MultiUserChatManager;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;

/**
 * A Smack client that announces a mixer in the brewery the way JITSI.md specifies (the duet-mixer account,
 * MUC nickname = mixer id, {@code <duet-mixer xmlns="urn:duet:mixer:1"/>} in every presence).
 */
public final class FakeMixerAnnouncer implements AutoCloseable {

    private final XMPPTCPConnection connection;
    private final EntityBareJid room;
    private final Resourcepart nick;

    public FakeMixerAnnouncer(XmppSettings account, String breweryRoom, MixerPresence first) throws Exception {
        connection = XmppConnections.tcp(account, first.id());
        connection.connect().login();
        room = JidCreate.entityBareFrom(breweryRoom);
        nick = Resourcepart.from(first.id());
        MultiUserChat muc = MultiUserChatManager.getInstanceFor(connection).getMultiUserChat(room);
        muc.createOrJoin(muc.getEnterConfigurationBuilder(nick).requestNoHistory()
                .withPresence(connection.getStanzaFactory().buildPresenceStanza().addExtension(first).build())
                .build());
    }

    /** Sends a new presence (a load change, graceful shutdown, ...). */
    public void announce(MixerPresence p) throws Exception {
        Presence presence = connection.getStanzaFactory().buildPresenceStanza()
                .to(JidCreate.entityFullFrom(room, nick)).addExtension(p).build();
        connection.sendStanza(presence);
    }

    /** The mixer dies: the socket closes without an unavailable presence; Prosody notices and tells the room. */
    public void crash() {
        connection.instantShutdown();
    }

    @Override
    public void close() {
        connection.disconnect();
    }
}
