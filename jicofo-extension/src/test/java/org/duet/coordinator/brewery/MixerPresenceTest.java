package org.duet.coordinator.brewery;

import static org.assertj.core.api.Assertions.assertThat;

import org.jivesoftware.smack.packet.ExtensionElement;
import org.jivesoftware.smack.util.PacketParserUtils;
import org.jivesoftware.smack.xml.XmlPullParser;
import org.junit.jupiter.api.Test;

class MixerPresenceTest {

    private static ExtensionElement parse(String xml) throws Exception {
        XmlPullParser p = PacketParserUtils.getParserFor(xml);
        return new MixerPresenceProvider().parse(p);
    }

    @Test
    void parsesTheContractExampleAndWritesItBack() throws Exception {
        String xml = "<duet-mixer xmlns='urn:duet:mixer:1' id='mixer-1' url='ws://10.77.0.1:18770/translate'"
                + " conferences='2' voices='4' load='0.07' graceful-shutdown='false' version='0.1.0' future='x'/>";
        MixerPresence m = (MixerPresence) parse(xml);
        assertThat(m.id()).isEqualTo("mixer-1");
        assertThat(m.url().toString()).isEqualTo("ws://10.77.0.1:18770/translate");
        assertThat(m.conferences()).isEqualTo(2);
        assertThat(m.voices()).isEqualTo(4);
        assertThat(m.load()).isEqualTo(0.07);
        assertThat(m.gracefulShutdown()).isFalse();
        MixerPresence again = (MixerPresence) parse(m.toXML().toString());
        assertThat(again.toString()).isEqualTo(m.toString());
    }

    @Test
    void refusesBadAnnouncementsWithAReason() throws Exception {
        assertThat(parse("<duet-mixer xmlns='urn:duet:mixer:1' id='m' url='http://x/'/>"))
                .isInstanceOf(InvalidMixerPresence.class);
        assertThat(parse("<duet-mixer xmlns='urn:duet:mixer:1' id='m' url='ws://x:1/t' load='lots'/>"))
                .isInstanceOf(InvalidMixerPresence.class);
        assertThat(parse("<duet-mixer xmlns='urn:duet:mixer:1' url='ws://x:1/t'/>"))
                .isInstanceOf(InvalidMixerPresence.class);
        assertThat(parse("<duet-mixer xmlns='urn:duet:mixer:1' id='m' url='ws://x:1/t' load='-1'/>"))
                .isInstanceOf(InvalidMixerPresence.class);
    }
}
