package org.duet.coordinator.xmpp;

import java.net.URI;
import java.util.concurrent.ThreadLocalRandom;
import org.duet.coordinator.config.CoordinatorConfig.XmppSettings;
import org.jivesoftware.smack.ConnectionConfiguration.SecurityMode;
import org.jivesoftware.smack.SmackConfiguration;
import org.jivesoftware.smack.bosh.BOSHConfiguration;
import org.jivesoftware.smack.bosh.XMPPBOSHConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;
import org.jxmpp.stringprep.XmppStringprepException;

/** Builds Smack connections the way the coordinator and its tests use them. */
public final class XmppConnections {

    static {
        // Stock Smack 4.4.8 (Jitsi's own fork is not on Maven Central); stanzas wait at most this long for a reply.
        SmackConfiguration.setDefaultReplyTimeout(10_000);
    }

    private XmppConnections() {
    }

    /** A TCP (c2s) connection logging in with the configured account; not yet connected. */
    public static XMPPTCPConnection tcp(XmppSettings s, String resourcePrefix) {
        try {
            XMPPTCPConnectionConfiguration.Builder b = XMPPTCPConnectionConfiguration.builder()
                    .setXmppDomain(s.domain())
                    .setHost(s.host())
                    .setPort(s.port())
                    .setUsernameAndPassword(s.username(), s.password())
                    .setResource(resourcePrefix + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt()))
                    .setSecurityMode(s.useTls() ? SecurityMode.required : SecurityMode.disabled)
                    .setConnectTimeout((int) s.replyTimeout().toMillis());
            if (s.disableCertificateVerification()) {
                b.setCustomX509TrustManager(new TrustAnyCertificate()).setHostnameVerifier((host, session) -> true);
            }
            XMPPTCPConnection c = new XMPPTCPConnection(b.build());
            c.setReplyTimeout(s.replyTimeout().toMillis());
            return c;
        } catch (XmppStringprepException e) {
            throw new IllegalArgumentException("bad XMPP domain or resource: " + e.getMessage(), e);
        }
    }

    /**
     * An anonymous BOSH connection to {@code boshUrl} (e.g. {@code http://127.0.0.1:15280/http-bind}) with
     * {@code ?room=<room>} added, the way Jitsi Meet web connects: Jitsi's {@code mod_jitsi_session} puts the
     * room in the session, and the room metadata component only accepts writes from such sessions.
     */
    public static XMPPBOSHConnection boshForRoom(URI boshUrl, String xmppDomain, String room, long replyTimeoutMs) {
        String path = boshUrl.getRawPath() == null || boshUrl.getRawPath().isEmpty() ? "/http-bind" : boshUrl.getRawPath();
        try {
            BOSHConfiguration conf = BOSHConfiguration.builder()
                    .setUseHttps("https".equals(boshUrl.getScheme()))
                    // a DnsName, not setHost(CharSequence): for an IP literal Smack 4.4.8 stores an InetAddress
                    // and its BOSH URI becomes "http:///10.77.0.1:..." (InetAddress.toString())
                    .setHost(org.minidns.dnsname.DnsName.from(boshUrl.getHost()))
                    .setPort(boshUrl.getPort() > 0 ? boshUrl.getPort() : ("https".equals(boshUrl.getScheme()) ? 443 : 80))
                    .setFile(path + "?room=" + java.net.URLEncoder.encode(room, java.nio.charset.StandardCharsets.UTF_8))
                    .setXmppDomain(xmppDomain)
                    .performSaslAnonymousAuthentication()
                    .setSecurityMode(SecurityMode.disabled)
                    .build();
            XMPPBOSHConnection c = new XMPPBOSHConnection(conf);
            c.setReplyTimeout(replyTimeoutMs);
            return c;
        } catch (XmppStringprepException e) {
            throw new IllegalArgumentException("bad XMPP domain: " + e.getMessage(), e);
        }
    }
}
