package org.duet.mixer.webrtc.ice;

import java.net.InetSocketAddress;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.message.Message;
import org.ice4j.message.MessageFactory;
import org.ice4j.message.Request;
import org.ice4j.message.Response;

/**
 * ice4j loads its configuration (jitsi-metaconfig, Typesafe Config) the first time a message is
 * encoded, which takes seconds on a cold JVM. Doing it at startup keeps it out of the first
 * browser's ICE handshake.
 */
public final class StunWarmUp {

    private static volatile boolean done;

    private StunWarmUp() {
    }

    public static void run() {
        if (done) {
            return;
        }
        try {
            Request request = MessageFactory.createBindingRequest();
            request.setTransactionID(new byte[12]);
            Response response = MessageFactory.createBindingResponse(request,
                    new TransportAddress(new InetSocketAddress("127.0.0.1", 9).getAddress(), 9, Transport.UDP));
            response.setTransactionID(request.getTransactionID());
            byte[] bytes = response.encode(null);
            Message.decode(bytes, 0, bytes.length);
        } catch (Exception e) {
            throw new IllegalStateException("ice4j STUN codec unusable", e);
        }
        done = true;
    }
}
