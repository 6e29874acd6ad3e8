package org.jitsi.dcsctp4j;

/** Association state. */
public enum SocketState { kClosed, kConnecting, kConnected, kShuttingDown }
