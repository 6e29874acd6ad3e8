package org.duet.mixer.webrtc;

import com.typesafe.config.Config;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.duet.mixer.webrtc.sdp.SetupRole;
import org.duet.mixer.webrtc.srtp.SrtpProfile;

/**
 * The {@code duet.webrtc} block. Every key has a default here, so the block may be absent:
 * <pre>
 * duet.webrtc {
 *   bind-address = "127.0.0.1"        # sockets bind here (standalone default: loopback only)
 *   advertised-address = ""           # address put in candidates; empty = bind-address
 *   port-min = 0, port-max = 0        # UDP port range per session; 0/0 = any free port
 *   dtls-role = passive               # our a=setup when the browser offers actpass: passive|active
 *   srtp-profiles = [AEAD_AES_128_GCM, AES_CM_128_HMAC_SHA1_80]   # in order of preference
 *   dtls-handshake-timeout = 10 s
 *   dtls-linger = 10 s                # the handshake thread answers retransmitted flights this long, then ends
 *   ice-timeout = 30 s                # no authenticated check this long after the answer: failed
 *   consent-timeout = 30 s            # RFC 7675: no check this long once connected: failed
 *   certificate-validity = 30 d
 * }
 * </pre>
 */
public record WebRtcConfig(InetAddress bindAddress, InetAddress advertisedAddress, int portMin, int portMax,
                           SetupRole dtlsRole, List<SrtpProfile> srtpProfiles, Duration dtlsHandshakeTimeout,
                           Duration dtlsLinger, Duration iceTimeout, Duration consentTimeout, Duration certificateValidity) {

    public WebRtcConfig {
        srtpProfiles = List.copyOf(srtpProfiles);
        if (srtpProfiles.isEmpty()) {
            throw new IllegalArgumentException("duet.webrtc.srtp-profiles must not be empty");
        }
        if (portMin < 0 || portMax > 65535 || portMin > portMax || (portMin == 0) != (portMax == 0)) {
            throw new IllegalArgumentException("duet.webrtc.port-min/port-max must be 0/0 or 1 <= min <= max <= 65535");
        }
        if (dtlsRole != SetupRole.ACTIVE && dtlsRole != SetupRole.PASSIVE) {
            throw new IllegalArgumentException("duet.webrtc.dtls-role must be passive or active");
        }
        if (advertisedAddress.isAnyLocalAddress()) {
            throw new IllegalArgumentException(
                    "duet.webrtc.advertised-address must be set when bind-address is the wildcard address");
        }
    }

    /** Loopback, any port, passive, GCM then AES-CM: what tests and standalone mode use. */
    public static WebRtcConfig defaults() {
        return new WebRtcConfig(InetAddress.getLoopbackAddress(), InetAddress.getLoopbackAddress(), 0, 0,
                SetupRole.PASSIVE, List.of(SrtpProfile.AEAD_AES_128_GCM, SrtpProfile.AES_CM_128_HMAC_SHA1_80),
                Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(30),
                Duration.ofDays(30));
    }

    /** Reads {@code duet.webrtc} from the whole config, with {@link #defaults()} for missing keys. */
    public static WebRtcConfig from(Config root) {
        WebRtcConfig d = defaults();
        if (!root.hasPath("duet.webrtc")) {
            return d;
        }
        Config c = root.getConfig("duet.webrtc");
        InetAddress bind = c.hasPath("bind-address") ? address(c.getString("bind-address"), "bind-address") : d.bindAddress;
        String advertised = c.hasPath("advertised-address") ? c.getString("advertised-address").trim() : "";
        InetAddress adv = advertised.isEmpty() ? bind : address(advertised, "advertised-address");
        List<SrtpProfile> profiles = d.srtpProfiles;
        if (c.hasPath("srtp-profiles")) {
            profiles = new ArrayList<>();
            for (String name : c.getStringList("srtp-profiles")) {
                try {
                    profiles.add(SrtpProfile.valueOf(name.trim().toUpperCase(Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("duet.webrtc.srtp-profiles: unknown profile " + name
                            + " (known: AEAD_AES_128_GCM, AES_CM_128_HMAC_SHA1_80)", e);
                }
            }
        }
        SetupRole role = d.dtlsRole;
        if (c.hasPath("dtls-role")) {
            String r = c.getString("dtls-role").trim().toLowerCase(Locale.ROOT);
            role = switch (r) {
                case "passive" -> SetupRole.PASSIVE;
                case "active" -> SetupRole.ACTIVE;
                default -> throw new IllegalArgumentException("duet.webrtc.dtls-role must be passive or active, got " + r);
            };
        }
        return new WebRtcConfig(bind, adv,
                c.hasPath("port-min") ? c.getInt("port-min") : d.portMin,
                c.hasPath("port-max") ? c.getInt("port-max") : d.portMax,
                role, profiles,
                c.hasPath("dtls-handshake-timeout") ? c.getDuration("dtls-handshake-timeout") : d.dtlsHandshakeTimeout,
                c.hasPath("dtls-linger") ? c.getDuration("dtls-linger") : d.dtlsLinger,
                c.hasPath("ice-timeout") ? c.getDuration("ice-timeout") : d.iceTimeout,
                c.hasPath("consent-timeout") ? c.getDuration("consent-timeout") : d.consentTimeout,
                c.hasPath("certificate-validity") ? c.getDuration("certificate-validity") : d.certificateValidity);
    }

    private static InetAddress address(String literal, String key) {
        try {
            return InetAddress.getByName(literal.trim());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("duet.webrtc." + key + ": cannot resolve '" + literal + "'", e);
        }
    }

    public WebRtcConfig withDtlsRole(SetupRole role) {
        return new WebRtcConfig(bindAddress, advertisedAddress, portMin, portMax, role, srtpProfiles,
                dtlsHandshakeTimeout, dtlsLinger, iceTimeout, consentTimeout, certificateValidity);
    }

    public WebRtcConfig withSrtpProfiles(List<SrtpProfile> profiles) {
        return new WebRtcConfig(bindAddress, advertisedAddress, portMin, portMax, dtlsRole, profiles,
                dtlsHandshakeTimeout, dtlsLinger, iceTimeout, consentTimeout, certificateValidity);
    }

    public WebRtcConfig withDtlsLinger(Duration linger) {
        return new WebRtcConfig(bindAddress, advertisedAddress, portMin, portMax, dtlsRole, srtpProfiles,
                dtlsHandshakeTimeout, linger, iceTimeout, consentTimeout, certificateValidity);
    }

    public WebRtcConfig withTimeouts(Duration ice, Duration consent) {
        return new WebRtcConfig(bindAddress, advertisedAddress, portMin, portMax, dtlsRole, srtpProfiles,
                dtlsHandshakeTimeout, dtlsLinger, ice, consent, certificateValidity);
    }
}
