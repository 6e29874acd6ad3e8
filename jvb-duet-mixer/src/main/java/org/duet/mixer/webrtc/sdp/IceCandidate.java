package org.duet.mixer.webrtc.sdp;

import java.util.Locale;

/**
 * One ICE candidate line (RFC 8839 section 5.1):
 * {@code candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> [raddr <a> rport <p>] *(<name> <value>)}.
 * The address may be an IP literal or an mDNS name ({@code <uuid>.local}) as browsers hide host addresses that way.
 */
public record IceCandidate(String foundation, int component, String transport, long priority,
                           String address, int port, String type, String relatedAddress, int relatedPort) {

    /** RTP component; with rtcp-mux it is the only one. */
    public static final int COMPONENT_RTP = 1;

    /**
     * Parses {@code candidate:...}, {@code a=candidate:...} or the bare value after "candidate:".
     */
    public static IceCandidate parse(String text) throws SdpException {
        String s = text.trim();
        if (s.startsWith("a=")) {
            s = s.substring(2);
        }
        if (s.startsWith("candidate:")) {
            s = s.substring("candidate:".length());
        }
        String[] f = s.split(" ");
        if (f.length < 8) {
            throw new SdpException("ICE candidate needs at least 8 fields, got " + f.length + ": '" + text + "'");
        }
        String foundation = f[0];
        if (foundation.isEmpty() || foundation.length() > 32 || !IceCredentials.valid(foundation + "xxxx", 4)) {
            throw new SdpException("ICE candidate has a malformed foundation '" + foundation + "'");
        }
        int component = parseInt(f[1], 1, 256, "component id", text);
        String transport = f[2].toLowerCase(Locale.ROOT);
        long priority = parseLong(f[3], 1, 0xFFFFFFFFL, "priority", text);
        String address = f[4];
        if (address.isEmpty()) {
            throw new SdpException("ICE candidate has an empty address: '" + text + "'");
        }
        int port = parseInt(f[5], 0, 65535, "port", text);
        if (!"typ".equals(f[6])) {
            throw new SdpException("ICE candidate must have 'typ' as its 7th field: '" + text + "'");
        }
        String type = f[7];
        String raddr = null;
        int rport = -1;
        int i = 8;
        while (i < f.length) {
            if (i + 1 >= f.length) {
                throw new SdpException("ICE candidate extension '" + f[i] + "' has no value: '" + text + "'");
            }
            if ("raddr".equals(f[i])) {
                raddr = f[i + 1];
            } else if ("rport".equals(f[i])) {
                rport = parseInt(f[i + 1], 0, 65535, "rport", text);
            }
            i += 2;
        }
        return new IceCandidate(foundation, component, transport, priority, address, port, type, raddr, rport);
    }

    public boolean isUdp() {
        return "udp".equals(transport);
    }

    /** RFC 8445 section 5.1.2.1 priority: type preference, local preference, component. */
    public static long priority(int typePreference, int localPreference, int component) {
        return ((long) typePreference << 24) | ((long) localPreference << 8) | (256 - component);
    }

    /** The value of the SDP attribute, without "a=": {@code candidate:1 1 udp ... typ host}. */
    public String attributeValue() {
        StringBuilder sb = new StringBuilder(96);
        sb.append("candidate:").append(foundation).append(' ').append(component).append(' ')
                .append(transport).append(' ').append(priority).append(' ').append(address).append(' ')
                .append(port).append(" typ ").append(type);
        if (relatedAddress != null) {
            sb.append(" raddr ").append(relatedAddress).append(" rport ").append(Math.max(relatedPort, 0));
        }
        if (!"udp".equals(transport)) {
            return sb.toString();
        }
        return sb.append(" generation 0").toString();
    }

    private static int parseInt(String v, int min, int max, String what, String text) throws SdpException {
        return (int) parseLong(v, min, max, what, text);
    }

    private static long parseLong(String v, long min, long max, String what, String text) throws SdpException {
        if (v.isEmpty() || v.length() > 10) {
            throw new SdpException("ICE candidate " + what + " '" + v + "' is not a number: '" + text + "'");
        }
        for (int i = 0; i < v.length(); i++) {
            if (v.charAt(i) < '0' || v.charAt(i) > '9') {
                throw new SdpException("ICE candidate " + what + " '" + v + "' is not a number: '" + text + "'");
            }
        }
        long n = Long.parseLong(v);
        if (n < min || n > max) {
            throw new SdpException("ICE candidate " + what + " " + n + " is out of range: '" + text + "'");
        }
        return n;
    }
}
