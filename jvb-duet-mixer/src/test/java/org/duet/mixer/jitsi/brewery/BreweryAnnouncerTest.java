package org.duet.mixer.jitsi.brewery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.duet.mixer.config.DuetConfig;
import org.duet.mixer.jitsi.JitsiServer;
import org.duet.mixer.jitsi.JitsiTestBridge;
import org.duet.mixer.room.DuetMixer;
import org.jivesoftware.smack.ConnectionConfiguration.SecurityMode;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.StandardExtensionElement;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.MultiUserChatManager;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;

/**
 * The mixer announces itself in the brewery MUC of the real Prosody 13 (the local stack's
 * config): an observer in the same room, logged in with the coordinator's account, sees the
 * {@code <duet-mixer/>} presence, its figures follow a real conference on the Jitsi endpoint,
 * it is refreshed every 5 s, and closing announces the graceful shutdown before leaving.
 */
class BreweryAnnouncerTest {

    /** One presence of the mixer as the observer received it. */
    record Seen(long atNanos, Presence.Type type, StandardExtensionElement mixer) {
        String attr(String name) {
            return mixer == null ? null : mixer.getAttributeValue(name);
        }
    }

    @Test
    void announcesFiguresThatFollowTheConferencesAndLeavesGracefully() throws Exception {
        Assumptions.assumeTrue(System.getenv("DUET_NETNS_NAME") != null,
                "runs inside its own network namespace (the brewery-in-netns execution of mvn test)");
        try (StackProsody prosody = StackProsody.start()) {
            DuetConfig config = DuetConfig.withOverrides("duet.jitsi.port = 0\nduet.mixer.loops = 1\n"
                    + "duet.jitsi.secret = \"s\"");
            DuetMixer mixer = DuetMixer.start(config);
            JitsiServer jitsi = JitsiServer.start(mixer, config);
            String brewery = "duetbrewery@" + prosody.get("INTERNAL_MUC_DOMAIN");
            BrewerySettings settings = new BrewerySettings(true, prosody.address(),
                    Integer.parseInt(prosody.get("XMPP_PORT")), prosody.get("AUTH_DOMAIN"), prosody.get("MIXER_USER"),
                    prosody.get("MIXER_PASS"), brewery, "mixer-test-1", "ws://10.77.0.1:18770/translate",
                    Duration.ofSeconds(5), Duration.ofSeconds(1), false);

            XMPPTCPConnection observer = new XMPPTCPConnection(XMPPTCPConnectionConfiguration.builder()
                    .setXmppDomain(prosody.get("AUTH_DOMAIN"))
                    .setHostAddress(InetAddress.getByName(prosody.address()))
                    .setPort(Integer.parseInt(prosody.get("XMPP_PORT")))
                    .setUsernameAndPassword(prosody.get("COORDINATOR_USER"), prosody.get("COORDINATOR_PASS"))
                    .setSecurityMode(SecurityMode.disabled).build());
            observer.connect().login();
            List<Seen> seen = new CopyOnWriteArrayList<>();
            MultiUserChat room = MultiUserChatManager.getInstanceFor(observer)
                    .getMultiUserChat(JidCreate.entityBareFrom(brewery));
            room.addParticipantListener(p -> {
                if (p.getFrom() != null && "mixer-test-1".equals(p.getFrom().getResourceOrEmpty().toString())) {
                    seen.add(new Seen(System.nanoTime(), p.getType(),
                            (StandardExtensionElement) p.getExtensionElement(MixerAnnouncement.ELEMENT,
                                    MixerAnnouncement.NAMESPACE)));
                }
            });
            var handle = room.createOrJoin(Resourcepart.from("observer"));
            if (handle != null) {
                handle.makeInstant();
            }

            BreweryAnnouncer announcer = new BreweryAnnouncer(settings, mixer, jitsi).start();
            try {
                await().atMost(Duration.ofSeconds(20)).until(() -> !seen.isEmpty());
                Seen first = seen.get(0);
                assertThat(first.attr("id")).isEqualTo("mixer-test-1");
                assertThat(first.attr("url")).isEqualTo("ws://10.77.0.1:18770/translate");
                assertThat(first.attr("conferences")).isEqualTo("0");
                assertThat(first.attr("graceful-shutdown")).isEqualTo("false");
                assertThat(first.attr("version")).isNotBlank();

                // a conference with two voices on the Jitsi endpoint shows up in the next refreshes
                try (JitsiTestBridge bridge = JitsiTestBridge.connect(URI.create(jitsi.uri() + "/brewery-meeting"), "Bearer s")) {
                    bridge.declareTwoVoices("aaaa5555-a0", "bbbb5555-a0");
                    bridge.streamTones(List.of("aaaa5555-a0", "bbbb5555-a0"), 11_000);
                    Seen busy = seen.stream().filter(s -> "1".equals(s.attr("conferences"))).reduce((a, b) -> b)
                            .orElseThrow(() -> new AssertionError("no presence with the conference: " + seen));
                    System.out.printf("busy mixer announced: conferences=%s voices=%s load=%s%n",
                            busy.attr("conferences"), busy.attr("voices"), busy.attr("load"));
                    assertThat(busy.attr("voices")).isEqualTo("2");
                    assertThat(Double.parseDouble(busy.attr("load"))).isGreaterThan(0.0).isLessThan(2.0);
                }
                // refreshed every 5 s
                List<Seen> available = seen.stream()
                        .filter(s -> s.mixer() != null && "false".equals(s.attr("graceful-shutdown"))).toList();
                assertThat(available.size()).isGreaterThanOrEqualTo(3);
                for (int i = 1; i < available.size(); i++) {
                    double gap = (available.get(i).atNanos() - available.get(i - 1).atNanos()) / 1e9;
                    System.out.printf("presence %d after %.2f s%n", i, gap);
                    assertThat(gap).isBetween(3.5, 7.5);
                }
                await().atMost(Duration.ofSeconds(15)).until(() -> "0".equals(seen.get(seen.size() - 1).attr("conferences")));
            } finally {
                announcer.close();
            }
            // graceful shutdown announced, then the mixer left the room
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.get(seen.size() - 1).type() == Presence.Type.unavailable);
            assertThat(seen.stream().anyMatch(s -> "true".equals(s.attr("graceful-shutdown")))).isTrue();
            observer.disconnect();
            jitsi.close();
            mixer.close();
        }
    }
}
