package org.duet.mixer.webrtc;

/**
 * A snapshot of one browser connection's counters.
 *
 * @param state            overall state
 * @param failure          why it failed, null otherwise
 * @param dtlsState        the DTLS endpoint's state (NEW, HANDSHAKING, CONNECTED, FAILED, CLOSED)
 * @param dtlsRole         "server" (we answered a=setup:passive) or "client"
 * @param srtpProfile      negotiated SRTP protection profile, null before DTLS completes
 * @param selectedPair     "local -> remote" once the browser nominated a pair, null before
 * @param rtpPacketsIn     decrypted RTP packets delivered to the engine
 * @param rtcpPacketsIn    decrypted RTCP packets delivered to the engine
 * @param bytesIn          all datagram bytes received on the socket
 * @param rtpPacketsOut    RTP packets sent
 * @param rtcpPacketsOut   RTCP packets sent
 * @param bytesOut         SRTP/SRTCP bytes sent
 * @param srtpAuthFailures received packets whose SRTP/SRTCP authentication failed (dropped)
 * @param srtpReplays      received packets dropped as replays
 * @param srtpInvalid      received SRTP/SRTCP packets dropped as malformed
 * @param stunRequests     STUN Binding requests received
 * @param stunRejected     STUN datagrams dropped (malformed, wrong username, bad integrity)
 * @param garbage          datagrams that are none of STUN/DTLS/RTP/RTCP, or oversize (dropped)
 * @param unknownSource    DTLS/SRTP datagrams from an address that never passed an ICE check (dropped)
 * @param notReady         media received or sent before the SRTP keys existed (dropped)
 * @param sendDropped      packets not sent: socket buffer full, oversize or protect failure
 * @param consentAgeMillis time since the browser's last authenticated STUN check, -1 if none yet
 * @param rttMillis        round-trip time; NaN: an ICE-lite agent sends no checks of its own,
 *                         so RTT comes from RTCP in the engine
 */
public record WebRtcStats(WebRtcState state, String failure, String dtlsState, String dtlsRole, String srtpProfile,
                          String selectedPair,
                          long rtpPacketsIn, long rtcpPacketsIn, long bytesIn,
                          long rtpPacketsOut, long rtcpPacketsOut, long bytesOut,
                          long srtpAuthFailures, long srtpReplays, long srtpInvalid,
                          long stunRequests, long stunRejected, long garbage, long unknownSource,
                          long notReady, long sendDropped, long consentAgeMillis, double rttMillis) {
}
