package org.duet.coordinator.brewery;

import org.jivesoftware.smack.packet.ExtensionElement;
import org.jivesoftware.smack.packet.XmlEnvironment;
import org.jivesoftware.smack.util.XmlStringBuilder;

/** A {@code <duet-mixer/>} element whose attributes did not validate; carries the reason for the log. */
public record InvalidMixerPresence(String reason) implements ExtensionElement {

    @Override
    public String getElementName() {
        return MixerPresence.ELEMENT;
    }

    @Override
    public String getNamespace() {
        return MixerPresence.NAMESPACE;
    }

    @Override
    public XmlStringBuilder toXML(XmlEnvironment enclosingNamespace) {
        return new XmlStringBuilder(this, enclosingNamespace).closeEmptyElement();
    }
}
