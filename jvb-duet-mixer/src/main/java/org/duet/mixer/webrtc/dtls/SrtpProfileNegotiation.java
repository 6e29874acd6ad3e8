package org.duet.mixer.webrtc.dtls;

import java.io.IOException;
import java.util.Hashtable;
import java.util.List;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.UseSRTPData;
import org.duet.mixer.webrtc.srtp.SrtpProfile;

/** The use_srtp extension (RFC 5764 section 4.1) on both sides of the handshake. */
final class SrtpProfileNegotiation {

    private SrtpProfileNegotiation() {
    }

    static UseSRTPData offer(List<SrtpProfile> ours) {
        int[] ids = new int[ours.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = ours.get(i).id();
        }
        return new UseSRTPData(ids, TlsUtils.EMPTY_BYTES);
    }

    /** Server side: our most preferred profile the client offered. */
    static SrtpProfile choose(Hashtable<?, ?> clientExtensions, List<SrtpProfile> ours) throws IOException {
        UseSRTPData data = TlsSRTPUtils.getUseSRTPExtension(clientExtensions);
        if (data == null) {
            throw new TlsFatalAlert(AlertDescription.handshake_failure, "the peer did not offer use_srtp");
        }
        for (SrtpProfile p : ours) {
            for (int id : data.getProtectionProfiles()) {
                if (id == p.id()) {
                    return p;
                }
            }
        }
        throw new TlsFatalAlert(AlertDescription.handshake_failure, "no common SRTP protection profile");
    }

    /** Client side: the one profile the server picked, which must be one we offered. */
    static SrtpProfile accepted(Hashtable<?, ?> serverExtensions, List<SrtpProfile> ours) throws IOException {
        UseSRTPData data = TlsSRTPUtils.getUseSRTPExtension(serverExtensions);
        if (data == null || data.getProtectionProfiles().length != 1) {
            throw new TlsFatalAlert(AlertDescription.illegal_parameter, "the server did not select one SRTP profile");
        }
        SrtpProfile p = SrtpProfile.byId(data.getProtectionProfiles()[0]);
        if (p == null || !ours.contains(p)) {
            throw new TlsFatalAlert(AlertDescription.illegal_parameter, "the server selected an SRTP profile we did not offer");
        }
        return p;
    }
}
