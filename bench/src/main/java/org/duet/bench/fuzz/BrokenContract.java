package org.duet.bench.fuzz;

/**
 * Thrown by a fuzz target, not by the parser: the parser returned, but what it returned breaks
 * what the server relies on (a refusal without a sentence, a length outside its buffer, a 5xx).
 * Counted as {@code _contract_breaks}; any other throwable out of a case is {@code _uncaught}.
 */
public final class BrokenContract extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public BrokenContract(String message) {
        super(message);
    }

    public BrokenContract(String message, Throwable cause) {
        super(message, cause);
    }
}
