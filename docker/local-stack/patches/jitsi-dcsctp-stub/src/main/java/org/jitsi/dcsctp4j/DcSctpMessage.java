package org.jitsi.dcsctp4j;

/** One SCTP user message: stream id, payload protocol id, bytes. */
public class DcSctpMessage {
    private final short streamId;
    private final int ppid;
    private final byte[] payload;

    public DcSctpMessage(short streamId, int ppid, byte[] payload) {
        this.streamId = streamId;
        this.ppid = ppid;
        this.payload = payload;
    }

    public short getStreamID() {
        return streamId;
    }

    public int getPpid() {
        return ppid;
    }

    public byte[] getPayload() {
        return payload;
    }
}
