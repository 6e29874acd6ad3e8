package org.duet.coordinator.brewery;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.jivesoftware.smack.packet.XmlEnvironment;
import org.jivesoftware.smack.provider.ExtensionElementProvider;
import org.jivesoftware.smack.provider.ProviderManager;
import org.jivesoftware.smack.xml.XmlPullParser;
import org.jivesoftware.smack.xml.XmlPullParserException;

/**
 * Parses {@code <duet-mixer xmlns="urn:duet:mixer:1"/>}. An invalid announcement parses to
 * {@link InvalidMixerPresence} (so Smack does not drop the whole presence), which the registry counts.
 */
public final class MixerPresenceProvider extends ExtensionElementProvider<org.jivesoftware.smack.packet.ExtensionElement> {

    /** Registers this provider with Smack (idempotent). */
    public static void register() {
        ProviderManager.addExtensionProvider(MixerPresence.ELEMENT, MixerPresence.NAMESPACE, new MixerPresenceProvider());
    }

    @Override
    public org.jivesoftware.smack.packet.ExtensionElement parse(XmlPullParser parser, int initialDepth,
                                                                  XmlEnvironment env)
            throws XmlPullParserException, IOException {
        Map<String, String> attrs = new HashMap<>();
        for (int i = 0; i < parser.getAttributeCount(); i++) {
            attrs.put(parser.getAttributeName(i), parser.getAttributeValue(i));
        }
        // skip any children: the element is defined empty, extra content is ignored
        while (!(parser.getEventType() == XmlPullParser.Event.END_ELEMENT && parser.getDepth() == initialDepth)) {
            parser.next();
        }
        try {
            return MixerPresence.fromAttributes(attrs);
        } catch (IllegalArgumentException e) {
            return new InvalidMixerPresence(e.getMessage());
        }
    }
}
