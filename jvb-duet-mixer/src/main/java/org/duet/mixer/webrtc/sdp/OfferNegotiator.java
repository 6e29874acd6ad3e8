package org.duet.mixer.webrtc.sdp;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Decides whether Duet can accept an offer and on what terms. Duet takes exactly one audio
 * m-section (the first usable one), Opus/48000/2 only, DTLS-SRTP with rtcp-mux; anything else in
 * the offer (video, data channels, further audio) is rejected in the answer. Each refusal is an
 * {@link SdpException} whose message can be shown to the user as is.
 */
public final class OfferNegotiator {

    private OfferNegotiator() {
    }

    /**
     * @param offer             the parsed offer
     * @param wanted            what Duet wants to do with the audio: {@link MediaDirection#SENDRECV} for a
     *                          singer (hear the mix, send the voice), {@link MediaDirection#SENDONLY} for a
     *                          listener (Duet sends the mix only)
     * @param setupWhenActpass  Duet's DTLS role when the browser lets us choose: {@link SetupRole#PASSIVE}
     *                          (Duet is the DTLS server) or {@link SetupRole#ACTIVE}
     */
    public static Negotiation negotiate(SessionDescription offer, MediaDirection wanted, SetupRole setupWhenActpass)
            throws SdpException {
        if (wanted != MediaDirection.SENDRECV && wanted != MediaDirection.SENDONLY) {
            throw new IllegalArgumentException("wanted must be SENDRECV (singer) or SENDONLY (listener), got " + wanted);
        }
        if (setupWhenActpass != SetupRole.ACTIVE && setupWhenActpass != SetupRole.PASSIVE) {
            throw new IllegalArgumentException("setupWhenActpass must be ACTIVE or PASSIVE");
        }
        MediaSection audio = null;
        boolean sawAudio = false;
        for (MediaSection m : offer.mediaSections()) {
            if ("audio".equals(m.media())) {
                sawAudio = true;
                if (m.port() != 0 || m.has("bundle-only")) {
                    audio = m;
                    break;
                }
            }
        }
        if (audio == null) {
            throw new SdpException(sawAudio
                    ? "the offer's audio section is disabled (port 0)"
                    : "the offer has no audio section (m=audio); Duet needs a microphone or an audio transceiver");
        }
        if (!audio.isDtlsSrtp()) {
            throw new SdpException("the audio section uses '" + audio.proto()
                    + "'; Duet only accepts DTLS-SRTP (UDP/TLS/RTP/SAVPF)");
        }
        if (!audio.has("rtcp-mux")) {
            throw new SdpException("the audio section lacks a=rtcp-mux; Duet multiplexes RTP and RTCP on one port");
        }
        List<String> bundle = offer.bundleGroup();
        String mid = audio.mid();
        if (!bundle.isEmpty() && (mid == null || !bundle.contains(mid))) {
            throw new SdpException("the audio section is not in the offer's BUNDLE group");
        }
        OpusFormat opus = findOpus(audio);
        IceCredentials ice = iceCredentials(offer, audio);
        List<Fingerprint> fingerprints = fingerprints(offer, audio);
        SetupRole localSetup = localSetup(offer, audio, setupWhenActpass);

        MediaDirection offered = audio.direction();
        MediaDirection answer;
        if (wanted == MediaDirection.SENDRECV) {
            if (!offered.sends()) {
                throw new SdpException("a singer's offer must send audio, but its audio direction is " + offered.attribute()
                        + " (was the microphone added?)");
            }
            answer = MediaDirection.of(offered.receives(), true);
        } else {
            if (!offered.receives()) {
                throw new SdpException("a listener's offer must receive audio, but its audio direction is "
                        + offered.attribute());
            }
            answer = MediaDirection.SENDONLY;
        }

        int audioLevelId = 0;
        int absCaptureTimeId = 0;
        int transportCcId = 0;
        for (String extmap : audio.attributes("extmap")) {
            String[] f = extmap.split(" ");
            if (f.length < 2) {
                throw new SdpException("a=extmap:" + extmap + " must be '<id>[/<direction>] <uri>'");
            }
            String idPart = f[0];
            int slash = idPart.indexOf('/');
            if (slash >= 0) {
                idPart = idPart.substring(0, slash);
            }
            if (!SessionDescription.isDigits(idPart) || idPart.length() > 3) {
                throw new SdpException("a=extmap:" + extmap + " has a malformed id");
            }
            int id = Integer.parseInt(idPart);
            if (id < 1 || id > 255 || id == 15) {
                throw new SdpException("a=extmap:" + extmap + " has id " + id + " (allowed: 1-14, 16-255)");
            }
            if (HeaderExtensions.AUDIO_LEVEL.equals(f[1])) {
                audioLevelId = id;
            } else if (HeaderExtensions.ABS_CAPTURE_TIME.equals(f[1])) {
                absCaptureTimeId = id;
            } else if (HeaderExtensions.TRANSPORT_CC.equals(f[1])) {
                transportCcId = id;
            }
        }
        if (transportCcId != 0 && !audio.attributes("rtcp-fb").contains(opus.payloadType() + " transport-cc")) {
            transportCcId = 0; // the extension without the feedback message: nothing would come back
        }

        List<IceCandidate> candidates = new ArrayList<>();
        for (String c : audio.attributes("candidate")) {
            candidates.add(IceCandidate.parse("candidate:" + c));
        }

        long remoteSsrc = -1;
        String remoteCname = null;
        for (String s : audio.attributes("ssrc")) {
            int space = s.indexOf(' ');
            String id = space < 0 ? s : s.substring(0, space);
            if (!SessionDescription.isDigits(id) || id.length() > 10 || Long.parseLong(id) > 0xFFFFFFFFL) {
                throw new SdpException("a=ssrc:" + s + " has a malformed SSRC");
            }
            if (remoteSsrc < 0) {
                remoteSsrc = Long.parseLong(id);
            }
            if (space > 0 && s.startsWith("cname:", space + 1) && Long.parseLong(id) == remoteSsrc) {
                remoteCname = s.substring(space + 1 + "cname:".length());
            }
        }

        return new Negotiation(offer, audio, mid, opus, audioLevelId, absCaptureTimeId, offered, answer,
                ice, fingerprints, localSetup, candidates, remoteSsrc, remoteCname, transportCcId);
    }

    private static OpusFormat findOpus(MediaSection audio) throws SdpException {
        List<String> offeredCodecs = new ArrayList<>();
        int opusPt = -1;
        for (String rtpmap : audio.attributes("rtpmap")) {
            int space = rtpmap.indexOf(' ');
            if (space <= 0) {
                throw new SdpException("a=rtpmap:" + rtpmap + " must be '<payload type> <encoding>/<clock rate>[/<channels>]'");
            }
            String pt = rtpmap.substring(0, space);
            String[] enc = rtpmap.substring(space + 1).split("/");
            if (!SessionDescription.isDigits(pt) || pt.length() > 3 || Integer.parseInt(pt) > 127
                    || enc.length < 2 || enc.length > 3 || enc[0].isEmpty() || !SessionDescription.isDigits(enc[1])
                    || (enc.length == 3 && !SessionDescription.isDigits(enc[2]))) {
                throw new SdpException("a=rtpmap:" + rtpmap + " must be '<payload type> <encoding>/<clock rate>[/<channels>]'");
            }
            offeredCodecs.add(rtpmap.substring(space + 1));
            boolean isOpus = "opus".equals(enc[0].toLowerCase(Locale.ROOT)) && "48000".equals(enc[1])
                    && enc.length == 3 && "2".equals(enc[2]);
            if (isOpus && opusPt < 0 && audio.formats().contains(pt)) {
                opusPt = Integer.parseInt(pt);
            }
        }
        if (opusPt < 0) {
            throw new SdpException("the audio section offers no Opus/48000/2 codec; Duet only speaks Opus (offered: "
                    + (offeredCodecs.isEmpty() ? "nothing" : String.join(", ", offeredCodecs)) + ")");
        }
        Map<String, String> params = new HashMap<>();
        String prefix = opusPt + " ";
        for (String fmtp : audio.attributes("fmtp")) {
            if (fmtp.startsWith(prefix)) {
                for (String kv : fmtp.substring(prefix.length()).split(";")) {
                    String p = kv.trim();
                    if (p.isEmpty()) {
                        continue;
                    }
                    int eq = p.indexOf('=');
                    if (eq <= 0) {
                        throw new SdpException("a=fmtp:" + fmtp + " has a parameter without a value: '" + p + "'");
                    }
                    params.put(p.substring(0, eq).trim().toLowerCase(Locale.ROOT), p.substring(eq + 1).trim());
                }
            }
        }
        return new OpusFormat(opusPt,
                flag(params, "stereo", fmtpName(opusPt)),
                flag(params, "useinbandfec", fmtpName(opusPt)),
                flag(params, "usedtx", fmtpName(opusPt)),
                number(params, "minptime", 3, 120, 0, fmtpName(opusPt)),
                number(params, "maxplaybackrate", 8000, 48000, 48000, fmtpName(opusPt)));
    }

    private static String fmtpName(int pt) {
        return "a=fmtp:" + pt;
    }

    private static boolean flag(Map<String, String> params, String name, String where) throws SdpException {
        String v = params.get(name);
        if (v == null || "0".equals(v)) {
            return false;
        }
        if ("1".equals(v)) {
            return true;
        }
        throw new SdpException(where + " " + name + "=" + v + " must be 0 or 1");
    }

    private static int number(Map<String, String> params, String name, int min, int max, int absent, String where)
            throws SdpException {
        String v = params.get(name);
        if (v == null) {
            return absent;
        }
        if (!SessionDescription.isDigits(v) || v.length() > 6) {
            throw new SdpException(where + " " + name + "=" + v + " is not a number");
        }
        int n = Integer.parseInt(v);
        if (n < min || n > max) {
            throw new SdpException(where + " " + name + "=" + v + " is outside " + min + ".." + max);
        }
        return n;
    }

    private static IceCredentials iceCredentials(SessionDescription offer, MediaSection audio) throws SdpException {
        String ufrag = audio.attribute("ice-ufrag");
        String pwd = audio.attribute("ice-pwd");
        if (ufrag == null) {
            ufrag = offer.sessionAttribute("ice-ufrag");
        }
        if (pwd == null) {
            pwd = offer.sessionAttribute("ice-pwd");
        }
        if (ufrag == null || pwd == null) {
            throw new SdpException("the offer has no ICE credentials (a=ice-ufrag and a=ice-pwd)");
        }
        if (!IceCredentials.valid(ufrag, 4)) {
            throw new SdpException("the offer's a=ice-ufrag '" + ufrag + "' is invalid (4 to 256 letters, digits, '+' or '/')");
        }
        if (!IceCredentials.valid(pwd, 22)) {
            throw new SdpException("the offer's a=ice-pwd is invalid (22 to 256 letters, digits, '+' or '/')");
        }
        return new IceCredentials(ufrag, pwd);
    }

    private static List<Fingerprint> fingerprints(SessionDescription offer, MediaSection audio) throws SdpException {
        List<String> values = audio.attributes("fingerprint");
        if (values.isEmpty()) {
            values = offer.sessionAttributes("fingerprint");
        }
        if (values.isEmpty()) {
            throw new SdpException("the offer has no DTLS fingerprint (a=fingerprint); Duet only accepts DTLS-SRTP");
        }
        List<Fingerprint> out = new ArrayList<>();
        for (String v : values) {
            out.add(Fingerprint.parse(v));
        }
        return out;
    }

    private static SetupRole localSetup(SessionDescription offer, MediaSection audio, SetupRole whenActpass)
            throws SdpException {
        String value = audio.attribute("setup");
        if (value == null) {
            value = offer.sessionAttribute("setup");
        }
        // RFC 4145 section 4: an absent a=setup means active.
        SetupRole remote = value == null ? SetupRole.ACTIVE : SetupRole.fromAttribute(value);
        if (remote == null) {
            throw new SdpException("a=setup:" + value + " is not one of active, passive, actpass");
        }
        switch (remote) {
            case ACTIVE: return SetupRole.PASSIVE;
            case PASSIVE: return SetupRole.ACTIVE;
            case ACTPASS: return whenActpass;
            default: throw new SdpException("a=setup:holdconn: the offer does not want a DTLS connection");
        }
    }
}
