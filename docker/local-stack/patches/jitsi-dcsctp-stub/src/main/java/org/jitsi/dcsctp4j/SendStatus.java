package org.jitsi.dcsctp4j;

/** Result of queueing one message. */
public enum SendStatus {
    kSuccess, kErrorMessageEmpty, kErrorMessageTooLarge, kErrorResourceExhaustion, kErrorShuttingDown
}
