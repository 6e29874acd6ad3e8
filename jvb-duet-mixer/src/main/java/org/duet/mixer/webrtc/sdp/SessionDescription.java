package org.duet.mixer.webrtc.sdp;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A parsed SDP (RFC 8866), checked strictly for structure: line syntax, line order, the mandatory
 * v=/o=/s=/t= lines, well-formed m= and c= lines and the attributes WebRTC relies on (rtpmap,
 * fmtp, extmap, fingerprint, setup, ICE credentials, candidates). Unknown attributes are kept and
 * otherwise ignored, as RFC 8866 requires. What the offer must contain for Duet to accept it is
 * checked by {@link OfferNegotiator}.
 */
public final class SessionDescription {

    /** Larger offers are refused outright: a browser's audio offer is about 2 KB. */
    public static final int MAX_LENGTH = 64 * 1024;
    static final int MAX_LINE = 4096;
    static final int MAX_MEDIA_SECTIONS = 64;

    /** Session-level line order (RFC 8866 section 5); 'r' ranks with 't' so they may alternate. */
    private static final String SESSION_ORDER = "vosiuepcbtzka";
    private static final String MEDIA_ORDER = "micbka";

    private final String originSessionId;
    private final String originAddress;
    private final List<SdpAttribute> sessionAttributes;
    private final List<MediaSection> mediaSections;

    private SessionDescription(String originSessionId, String originAddress,
                               List<SdpAttribute> sessionAttributes, List<MediaSection> mediaSections) {
        this.originSessionId = originSessionId;
        this.originAddress = originAddress;
        this.sessionAttributes = List.copyOf(sessionAttributes);
        this.mediaSections = List.copyOf(mediaSections);
    }

    public String originSessionId() {
        return originSessionId;
    }

    public String originAddress() {
        return originAddress;
    }

    public List<SdpAttribute> sessionAttributes() {
        return sessionAttributes;
    }

    public List<MediaSection> mediaSections() {
        return mediaSections;
    }

    /** First session-level attribute value with this name ("" for a flag), or null. */
    public String sessionAttribute(String name) {
        for (SdpAttribute a : sessionAttributes) {
            if (a.name().equals(name)) {
                return a.value() == null ? "" : a.value();
            }
        }
        return null;
    }

    public List<String> sessionAttributes(String name) {
        List<String> out = new ArrayList<>();
        for (SdpAttribute a : sessionAttributes) {
            if (a.name().equals(name)) {
                out.add(a.value() == null ? "" : a.value());
            }
        }
        return Collections.unmodifiableList(out);
    }

    /** The mids of the first {@code a=group:BUNDLE}, empty when there is none. */
    public List<String> bundleGroup() {
        for (String g : sessionAttributes("group")) {
            String[] f = g.split(" ");
            if (f.length > 0 && "BUNDLE".equals(f[0])) {
                List<String> mids = new ArrayList<>();
                for (int i = 1; i < f.length; i++) {
                    if (!f[i].isEmpty()) {
                        mids.add(f[i]);
                    }
                }
                return Collections.unmodifiableList(mids);
            }
        }
        return List.of();
    }

    /** Parses SDP text (CRLF or LF line ends). */
    public static SessionDescription parse(String sdp) throws SdpException {
        if (sdp == null || sdp.isBlank()) {
            throw new SdpException("the offer is empty");
        }
        if (sdp.length() > MAX_LENGTH) {
            throw new SdpException("the offer is " + sdp.length() + " characters, more than the " + MAX_LENGTH + " accepted");
        }
        String[] lines = sdp.split("\r?\n", -1);
        int count = lines.length;
        while (count > 0 && lines[count - 1].isEmpty()) {
            count--; // the final line end
        }
        if (count == 0 || !"v=0".equals(lines[0])) {
            throw new SdpException("not an SDP description: the first line must be 'v=0'");
        }
        String originSessionId = null;
        String originAddress = null;
        boolean sawSessionName = false;
        boolean sawTiming = false;
        List<SdpAttribute> sessionAttributes = new ArrayList<>();
        List<MediaSection> media = new ArrayList<>();

        // current m-section being collected
        String mMedia = null;
        int mPort = 0;
        String mProto = null;
        List<String> mFormats = null;
        String mConnection = null;
        List<SdpAttribute> mAttributes = null;

        int rank = 0;
        for (int i = 0; i < count; i++) {
            int lineNumber = i + 1;
            String line = lines[i];
            if (line.length() > MAX_LINE) {
                throw SdpException.atLine(lineNumber, line, "line longer than " + MAX_LINE + " characters");
            }
            if (line.length() < 2 || line.charAt(1) != '=' || line.charAt(0) < 'a' || line.charAt(0) > 'z') {
                throw SdpException.atLine(lineNumber, line, "expected '<letter>=<value>'");
            }
            for (int k = 0; k < line.length(); k++) {
                char c = line.charAt(k);
                if (c == '\r' || c == '\0') {
                    throw SdpException.atLine(lineNumber, line, "stray CR or NUL character");
                }
            }
            char type = line.charAt(0);
            String value = line.substring(2);
            if (type == 'm') {
                if (!sawSessionName || originSessionId == null) {
                    throw SdpException.atLine(lineNumber, line, "m= before the session's o= and s= lines");
                }
                if (!sawTiming) {
                    throw SdpException.atLine(lineNumber, line, "m= before the session's t= line");
                }
                if (mMedia != null) {
                    media.add(new MediaSection(media.size(), mMedia, mPort, mProto, mFormats, mConnection, mAttributes));
                }
                if (media.size() >= MAX_MEDIA_SECTIONS) {
                    throw SdpException.atLine(lineNumber, line, "more than " + MAX_MEDIA_SECTIONS + " m= sections");
                }
                String[] f = value.split(" ");
                if (f.length < 4 || f[0].isEmpty() || f[2].isEmpty()) {
                    throw SdpException.atLine(lineNumber, line, "m= must be '<media> <port> <proto> <fmt> ...'");
                }
                mMedia = f[0];
                mPort = parsePort(f[1], lineNumber, line);
                mProto = f[2];
                mFormats = new ArrayList<>();
                for (int k = 3; k < f.length; k++) {
                    if (f[k].isEmpty()) {
                        throw SdpException.atLine(lineNumber, line, "empty format in the m= line");
                    }
                    mFormats.add(f[k]);
                }
                mConnection = null;
                mAttributes = new ArrayList<>();
                rank = 0;
                continue;
            }
            if (mMedia == null) {
                int r = SESSION_ORDER.indexOf(type == 'r' ? 't' : type);
                if (r < 0) {
                    throw SdpException.atLine(lineNumber, line, "'" + type + "=' is not a session-level SDP line");
                }
                if (r < rank) {
                    throw SdpException.atLine(lineNumber, line, "'" + type + "=' is out of order (RFC 8866 section 5)");
                }
                if (r == rank && "vos".indexOf(type) >= 0 && i > 0) {
                    throw SdpException.atLine(lineNumber, line, "'" + type + "=' appears twice");
                }
                if (i == 1 && type != 'o') {
                    throw SdpException.atLine(lineNumber, line, "the second line must be 'o='");
                }
                if (i == 2 && type != 's') {
                    throw SdpException.atLine(lineNumber, line, "the third line must be 's='");
                }
                rank = r;
                switch (type) {
                    case 'o': {
                        String[] f = value.split(" ");
                        if (f.length != 6 || !"IN".equals(f[3])) {
                            throw SdpException.atLine(lineNumber, line,
                                    "o= must be '<username> <sess-id> <sess-version> IN <addrtype> <address>'");
                        }
                        originSessionId = f[1];
                        originAddress = f[5];
                        break;
                    }
                    case 's':
                        if (value.isEmpty()) {
                            throw SdpException.atLine(lineNumber, line, "s= must not be empty (use 's=-')");
                        }
                        sawSessionName = true;
                        break;
                    case 't': {
                        String[] f = value.split(" ");
                        if (f.length != 2 || !isDigits(f[0]) || !isDigits(f[1])) {
                            throw SdpException.atLine(lineNumber, line, "t= must be '<start> <stop>'");
                        }
                        sawTiming = true;
                        break;
                    }
                    case 'c':
                        parseConnection(value, lineNumber, line);
                        break;
                    case 'a':
                        sessionAttributes.add(parseAttribute(value, lineNumber, line));
                        break;
                    default:
                        break; // i, u, e, p, b, r, z, k: allowed, unused
                }
            } else {
                int r = MEDIA_ORDER.indexOf(type);
                if (r < 0) {
                    throw SdpException.atLine(lineNumber, line, "'" + type + "=' is not a media-level SDP line");
                }
                if (r < rank) {
                    throw SdpException.atLine(lineNumber, line, "'" + type + "=' is out of order inside the m= section");
                }
                rank = r;
                if (type == 'c') {
                    if (mConnection != null) {
                        throw SdpException.atLine(lineNumber, line, "only one c= line per m= section is supported");
                    }
                    mConnection = parseConnection(value, lineNumber, line);
                } else if (type == 'a') {
                    mAttributes.add(parseAttribute(value, lineNumber, line));
                }
            }
        }
        if (originSessionId == null || !sawSessionName) {
            throw new SdpException("the description lacks its o= or s= line");
        }
        if (!sawTiming) {
            throw new SdpException("the description lacks its t= line");
        }
        if (mMedia != null) {
            media.add(new MediaSection(media.size(), mMedia, mPort, mProto, mFormats, mConnection, mAttributes));
        }
        return new SessionDescription(originSessionId, originAddress, sessionAttributes, media);
    }

    private static SdpAttribute parseAttribute(String value, int lineNumber, String line) throws SdpException {
        int colon = value.indexOf(':');
        String name = colon < 0 ? value : value.substring(0, colon);
        if (name.isEmpty()) {
            throw SdpException.atLine(lineNumber, line, "attribute without a name");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean token = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`{|}~".indexOf(c) >= 0;
            if (!token) {
                throw SdpException.atLine(lineNumber, line, "attribute name contains '" + c + "'");
            }
        }
        return new SdpAttribute(name, colon < 0 ? null : value.substring(colon + 1));
    }

    private static String parseConnection(String value, int lineNumber, String line) throws SdpException {
        String[] f = value.split(" ");
        if (f.length != 3 || !"IN".equals(f[0]) || !("IP4".equals(f[1]) || "IP6".equals(f[1])) || f[2].isEmpty()) {
            throw SdpException.atLine(lineNumber, line, "c= must be 'IN IP4|IP6 <address>'");
        }
        return f[2];
    }

    private static int parsePort(String field, int lineNumber, String line) throws SdpException {
        String p = field;
        int slash = p.indexOf('/');
        if (slash >= 0) {
            p = p.substring(0, slash);
        }
        if (!isDigits(p) || p.length() > 5 || Integer.parseInt(p) > 65535) {
            throw SdpException.atLine(lineNumber, line, "port '" + field + "' is not 0..65535");
        }
        return Integer.parseInt(p);
    }

    static boolean isDigits(String s) {
        if (s.isEmpty() || s.length() > 20) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
