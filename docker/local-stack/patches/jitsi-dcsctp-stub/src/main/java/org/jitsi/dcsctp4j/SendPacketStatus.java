package org.jitsi.dcsctp4j;

/** Result of handing one packet to the transport. */
public enum SendPacketStatus { kSuccess, kTemporaryFailure, kError }
