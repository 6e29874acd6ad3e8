package org.duet.coordinator.testing;

import org.duet.coordinator.config.CoordinatorConfig.XmppSettings;
import org.duet.coordinator.xmpp.XmppConnections;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.MultiUserChatManager;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;

/**
 * Does in a conference room what Jicofo does about moderators, so tests are deterministic without
 * Jicofo: the focus account (a Prosody admin; only admins may create conference rooms) creates the room,
 * then grants owner, hence the moderator role, to the participant the test names (Jicofo grants it to the
 * first participant; Prosody's MUC makes owners moderators).
 */
public final class FocusStandIn implements AutoCloseable {

    private final XMPPTCPConnection connection;
    private final MultiUserChat muc;

    public FocusStandIn(XmppSettings focus, String roomJid) throws Exception {
        connection = XmppConnections.tcp(focus, "focus");
        connection.connect().login();
        muc = MultiUserChatManager.getInstanceFor(connection).getMultiUserChat(JidCreate.entityBareFrom(roomJid));
        MultiUserChat.MucCreateConfigFormHandle created = muc.createOrJoin(Resourcepart.from("focus"));
        if (created != null) {
            created.makeInstant();
        }
    }

    /** Makes the occupant with this real JID an owner (moderator role), as Jicofo does. */
    public void grantOwner(String realJid) throws Exception {
        muc.grantOwnership(JidCreate.from(realJid).asBareJid());
    }

    @Override
    public void close() {
        connection.disconnect();
    }
}
