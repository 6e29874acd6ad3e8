package org.jitsi.dcsctp4j;

/** Why the socket reported an error or aborted. */
public enum ErrorKind {
    kNoError, kTooManyRetries, kNotConnected, kParseFailed, kWrongSequence,
    kPeerReported, kProtocolViolation, kResourceExhaustion, kUnsupportedOperation
}
