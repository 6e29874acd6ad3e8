package org.duet.mixer.webrtc.sdp;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** One m-section of a parsed description: the m= line, its c= line and its attributes, in order. */
public final class MediaSection {

    private final int index;
    private final String media;
    private final int port;
    private final String proto;
    private final List<String> formats;
    private final String connectionAddress;
    private final List<SdpAttribute> attributes;

    MediaSection(int index, String media, int port, String proto, List<String> formats,
                 String connectionAddress, List<SdpAttribute> attributes) {
        this.index = index;
        this.media = media;
        this.port = port;
        this.proto = proto;
        this.formats = List.copyOf(formats);
        this.connectionAddress = connectionAddress;
        this.attributes = List.copyOf(attributes);
    }

    /** Position among the m-sections, from 0. */
    public int index() {
        return index;
    }

    /** "audio", "video", "application", ... */
    public String media() {
        return media;
    }

    public int port() {
        return port;
    }

    /** e.g. "UDP/TLS/RTP/SAVPF" or "UDP/DTLS/SCTP". */
    public String proto() {
        return proto;
    }

    /** The fmt list of the m= line (payload types for RTP). */
    public List<String> formats() {
        return formats;
    }

    /** Address of this section's c= line, null when absent. */
    public String connectionAddress() {
        return connectionAddress;
    }

    public List<SdpAttribute> attributes() {
        return attributes;
    }

    /** The value of the first attribute with this name, or null. */
    public String attribute(String name) {
        for (SdpAttribute a : attributes) {
            if (a.name().equals(name)) {
                return a.value() == null ? "" : a.value();
            }
        }
        return null;
    }

    /** The values of every attribute with this name, in order. */
    public List<String> attributes(String name) {
        List<String> out = new ArrayList<>();
        for (SdpAttribute a : attributes) {
            if (a.name().equals(name)) {
                out.add(a.value() == null ? "" : a.value());
            }
        }
        return Collections.unmodifiableList(out);
    }

    public boolean has(String name) {
        return attribute(name) != null;
    }

    /** The a=mid value, or null. */
    public String mid() {
        return attribute("mid");
    }

    /** The direction attribute, sendrecv when absent (RFC 8866 section 6.7). */
    public MediaDirection direction() {
        for (SdpAttribute a : attributes) {
            if (a.isFlag()) {
                MediaDirection d = MediaDirection.fromAttribute(a.name());
                if (d != null) {
                    return d;
                }
            }
        }
        return MediaDirection.SENDRECV;
    }

    /** True when this is an RTP profile secured with DTLS-SRTP (what WebRTC audio uses). */
    public boolean isDtlsSrtp() {
        return "UDP/TLS/RTP/SAVPF".equals(proto) || "UDP/TLS/RTP/SAVP".equals(proto);
    }

    @Override
    public String toString() {
        return "m=" + media + " " + port + " " + proto + " " + String.join(" ", formats);
    }
}
