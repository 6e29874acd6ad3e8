package org.jitsi.dcsctp4j;

/** Per-message send options (public fields, as JVB uses them). */
public class SendOptions {
    public boolean isUnordered = false;
    public Long lifetime = null;
    public Long maxRetransmissions = null;
    public long lifecycleId = 0;
}
