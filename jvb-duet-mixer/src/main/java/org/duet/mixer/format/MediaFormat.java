package org.duet.mixer.format;

/**
 * What was negotiated with one participant (from SDP, or given over the HTTP API for plain RTP).
 *
 * @param payloadType               Opus payload type in both directions
 * @param channels                  1 or 2: what the participant's decoder is told to expect
 * @param inbandFec                 the participant decodes in-band FEC, so our encoder may send it
 * @param dtx                       the participant accepts discontinuous transmission
 * @param audioLevelExtensionId     RFC 6464 header extension id, 0 when not negotiated
 * @param absCaptureTimeExtensionId abs-capture-time header extension id, 0 when not negotiated
 * @param transportCcExtensionId    transport-wide sequence number header extension id, 0 when transport-cc
 *                                  feedback was not negotiated (then we stamp nothing and expect no feedback)
 * @param relayed                   media reaches us through a relay that may queue it for seconds and
 *                                  carries no sender clock (the Jitsi media export): the voice's capture
 *                                  estimate keeps a long memory of its fastest arrival (input/VoiceInput)
 */
public record MediaFormat(int payloadType, int channels, boolean inbandFec, boolean dtx,
                          int audioLevelExtensionId, int absCaptureTimeExtensionId, int transportCcExtensionId,
                          boolean relayed) {

    public MediaFormat(int payloadType, int channels, boolean inbandFec, boolean dtx,
                       int audioLevelExtensionId, int absCaptureTimeExtensionId) {
        this(payloadType, channels, inbandFec, dtx, audioLevelExtensionId, absCaptureTimeExtensionId, 0, false);
    }

    public MediaFormat(int payloadType, int channels, boolean inbandFec, boolean dtx,
                       int audioLevelExtensionId, int absCaptureTimeExtensionId, boolean relayed) {
        this(payloadType, channels, inbandFec, dtx, audioLevelExtensionId, absCaptureTimeExtensionId, 0, relayed);
    }

    public MediaFormat {
        if (payloadType < 0 || payloadType > 127) {
            throw new IllegalArgumentException("payload type must be 0..127, got " + payloadType);
        }
        if (channels != 1 && channels != 2) {
            throw new IllegalArgumentException("channels must be 1 or 2, got " + channels);
        }
        checkExtensionId(audioLevelExtensionId, "audio level");
        checkExtensionId(absCaptureTimeExtensionId, "abs-capture-time");
        checkExtensionId(transportCcExtensionId, "transport-wide sequence number");
    }

    /** Opus on payload type 111, mono, FEC on, no DTX, no header extensions. */
    public static MediaFormat opusDefaults() {
        return new MediaFormat(111, 1, true, false, 0, 0);
    }

    public MediaFormat withPayloadType(int pt) {
        return new MediaFormat(pt, channels, inbandFec, dtx, audioLevelExtensionId, absCaptureTimeExtensionId,
                transportCcExtensionId, relayed);
    }

    public MediaFormat withExtensions(int audioLevelId, int absCaptureTimeId) {
        return new MediaFormat(payloadType, channels, inbandFec, dtx, audioLevelId, absCaptureTimeId,
                transportCcExtensionId, relayed);
    }

    /** The same with transport-cc negotiated on extension {@code id} (0: not negotiated). */
    public MediaFormat withTransportCc(int id) {
        return new MediaFormat(payloadType, channels, inbandFec, dtx, audioLevelExtensionId, absCaptureTimeExtensionId,
                id, relayed);
    }

    private static void checkExtensionId(int id, String what) {
        if (id < 0 || id > 255) {
            throw new IllegalArgumentException(what + " extension id must be 0 (none) or 1..255, got " + id);
        }
    }
}
