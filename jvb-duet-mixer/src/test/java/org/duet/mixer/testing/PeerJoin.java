package org.duet.mixer.testing;

import java.net.InetSocketAddress;
import org.duet.mixer.demo.RtpPeer;
import org.duet.mixer.format.MediaFormat;
import org.duet.mixer.room.Participant;
import org.duet.mixer.room.Role;
import org.duet.mixer.room.Room;
import org.duet.mixer.transport.UdpTransport;

/** Joins a plain-RTP test peer to a room over a real loopback UDP socket. */
public final class PeerJoin {

    private PeerJoin() {
    }

    public static Participant join(Room room, String id, Role role, RtpPeer peer) throws Exception {
        UdpTransport t = UdpTransport.open(new InetSocketAddress("127.0.0.1", 0), peer.localAddress());
        Participant p = room.join(id, role, t, MediaFormat.opusDefaults());
        peer.connect(t.localAddress());
        peer.startReceiving();
        return p;
    }
}
