package org.jitsi.dcsctp4j;

/** The socket options JVB sets (a plain bean here). */
public class DcSctpOptions {
    private int localPort = 5000;
    private int remotePort = 5000;
    private long mtu = 1191;
    private Long maxTimerBackoffDuration;
    private Integer maxRetransmissions = 10;
    private Integer maxInitRetransmits = 8;

    public int getLocalPort() {
        return localPort;
    }

    public void setLocalPort(int localPort) {
        this.localPort = localPort;
    }

    public int getRemotePort() {
        return remotePort;
    }

    public void setRemotePort(int remotePort) {
        this.remotePort = remotePort;
    }

    public long getMtu() {
        return mtu;
    }

    public void setMtu(long mtu) {
        this.mtu = mtu;
    }

    public Long getMaxTimerBackoffDuration() {
        return maxTimerBackoffDuration;
    }

    public void setMaxTimerBackoffDuration(Long duration) {
        this.maxTimerBackoffDuration = duration;
    }

    public Integer getMaxRetransmissions() {
        return maxRetransmissions;
    }

    public void setMaxRetransmissions(Integer count) {
        this.maxRetransmissions = count;
    }

    public Integer getMaxInitRetransmits() {
        return maxInitRetransmits;
    }

    public void setMaxInitRetransmits(Integer count) {
        this.maxInitRetransmits = count;
    }
}
