package org.duet.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every variable the overlay reads has a default (or is a required secret with a message), is
 * documented in duet.env.example with that same default, and every variable the containers read
 * (entrypoint, HOCON files, Prosody config) is passed to them by duet.yml.
 */
class OverlayVariablesTest {

    /** ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?message}, ${NAME?message}. */
    private static final Pattern REF = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?}");

    private final Path docker = DeployFiles.dockerDir();
    private final String overlay = DeployFiles.read(docker.resolve("duet.yml"));
    private final String example = DeployFiles.read(docker.resolve("duet.env.example"));

    record Ref(String name, String op, String value) {
    }

    private List<Ref> refs() {
        Matcher m = REF.matcher(overlay);
        List<Ref> out = new java.util.ArrayList<>();
        while (m.find()) {
            out.add(new Ref(m.group(1), m.group(2), m.group(3)));
        }
        return out;
    }

    /** NAME -> value of the example's NAME=value lines, each of which must follow a comment. */
    private Map<String, String> documented() {
        Map<String, String> out = new LinkedHashMap<>();
        String[] lines = example.split("\n");
        for (int i = 0; i < lines.length; i++) {
            Matcher m = Pattern.compile("^([A-Z_][A-Z0-9_]*)=(.*)$").matcher(lines[i]);
            if (m.matches()) {
                int j = i - 1;
                while (j >= 0 && lines[j].matches("^[A-Z_][A-Z0-9_]*=.*$")) {
                    j--; // a group of variables under one comment
                }
                assertThat(j >= 0 && lines[j].startsWith("#")).as(m.group(1) + " has a comment above it").isTrue();
                out.put(m.group(1), m.group(2));
            }
        }
        return out;
    }

    @Test
    void everyVariableHasADefaultOrIsARequiredSecret() {
        List<Ref> refs = refs();
        assertThat(refs).hasSizeGreaterThan(20);
        for (Ref r : refs) {
            assertThat(r.op()).as("${" + r.name() + "} needs :-default or :?message").isIn(":-", ":?");
            if (r.op().equals(":?")) {
                assertThat(r.value()).as(r.name() + " message").contains(r.name());
            }
        }
    }

    @Test
    void everyDuetVariableIsDocumentedWithTheSameDefault() {
        Map<String, String> doc = documented();
        Set<String> used = new HashSet<>();
        for (Ref r : refs()) {
            used.add(r.name());
            if (!r.name().startsWith("DUET_") && !r.name().equals("ENABLE_AUDIO_TRANSLATION")) {
                continue; // docker-jitsi-meet's own variables (XMPP_*, TZ, RESTART_POLICY): its env.example
            }
            assertThat(doc).as(r.name() + " documented in duet.env.example").containsKey(r.name());
            if (r.op().equals(":-")) {
                assertThat(doc.get(r.name())).as(r.name() + " default").isEqualTo(r.value());
            } else {
                assertThat(doc.get(r.name())).as(r.name() + " is a secret: empty in the example").isEmpty();
            }
        }
        for (String name : doc.keySet()) {
            assertThat(used).as(name + " (documented) is used by duet.yml").contains(name);
        }
        System.out.println("overlay_variables_documented " + doc.size());
    }

    @Test
    void upstreamVariablesAreDocker_jitsi_meetOwn() throws Exception {
        Path upstream = DeployFiles.upstreamTree("docker-jitsi-meet");
        String theirs = DeployFiles.read(upstream.resolve("env.example")) + DeployFiles.read(upstream.resolve("docker-compose.yml"));
        for (Ref r : refs()) {
            if (!r.name().startsWith("DUET_")) {
                assertThat(theirs).as(r.name() + " is a docker-jitsi-meet variable").contains(r.name());
            }
        }
    }

    @Test
    void everyVariableTheContainersReadIsPassedToThem() throws Exception {
        JsonNode services = new ObjectMapper(new YAMLFactory()).readTree(overlay).get("services");
        Map<String, List<Path>> readers = Map.of(
                "duet-mixer", List.of(docker.resolve("duet/mixer.conf"), docker.resolve("duet/entrypoint.sh")),
                "duet-coordinator", List.of(docker.resolve("duet/coordinator.conf"), docker.resolve("duet/entrypoint.sh")),
                "jicofo", List.of(docker.resolve("duet/jicofo/custom-jicofo.conf")),
                "prosody", List.of(docker.resolve("duet/prosody/duet.cfg.lua")));
        Pattern read = Pattern.compile("\\$\\{\\??(DUET_[A-Z0-9_]+)(?::?-[^}]*)?}|getenv\\(\"(DUET_[A-Z0-9_]+)\"\\)");
        int checked = 0;
        for (var e : readers.entrySet()) {
            Set<String> passed = new HashSet<>();
            for (JsonNode env : services.get(e.getKey()).get("environment")) {
                passed.add(env.asText().split("=", 2)[0]);
            }
            for (Path file : e.getValue()) {
                Matcher m = read.matcher(DeployFiles.read(file));
                while (m.find()) {
                    String name = m.group(1) != null ? m.group(1) : m.group(2);
                    boolean entrypoint = file.getFileName().toString().equals("entrypoint.sh");
                    if (name.equals("DUET_MIXER_ID")
                            || entrypoint && !name.startsWith(prefixOf(e.getKey())) && !name.equals("DUET_SECRET")) {
                        continue; // the entrypoint derives the mixer id; the other role's branch
                    }
                    assertThat(passed).as(file.getFileName() + " reads " + name + ": duet.yml must pass it to "
                            + e.getKey()).contains(name);
                    checked++;
                }
            }
        }
        assertThat(checked).isGreaterThan(10);
    }

    private static String prefixOf(String service) {
        return service.equals("duet-mixer") ? "DUET_MIXER_" : service.equals("duet-coordinator") ? "DUET_COORDINATOR_" : "DUET_";
    }
}
