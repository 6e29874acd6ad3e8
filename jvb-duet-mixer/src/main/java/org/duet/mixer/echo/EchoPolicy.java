package org.duet.mixer.echo;

/** What happens when a singer's microphone returns their mix ({@code duet.echo.policy}). */
public enum EchoPolicy {
    /** Tell the singer's page, which asks them to use headphones. */
    ASK_HEADPHONES("ask-headphones"),
    /** Tell the page to switch that singer's capture to the browser's echo cancellation. */
    BROWSER_AEC("browser-aec"),
    /**
     * Take the returned mix out of that singer's voice on the server ({@link EchoDucker}), so no
     * mix carries it; their page is told too (and asks for headphones).
     */
    DUCK("duck");

    public final String wireName;

    EchoPolicy(String wireName) {
        this.wireName = wireName;
    }

    public static EchoPolicy parse(String s) {
        for (EchoPolicy p : values()) {
            if (p.wireName.equalsIgnoreCase(s.trim())) {
                return p;
            }
        }
        throw new IllegalArgumentException("duet.echo.policy must be ask-headphones, browser-aec or duck, got '" + s + "'");
    }
}
