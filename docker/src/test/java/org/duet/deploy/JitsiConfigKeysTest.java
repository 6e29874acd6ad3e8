package org.duet.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The HOCON files of the overlay, resolved the way their programs resolve them (Typesafe Config with
 * environment fallback; for Jicofo: jicoco's JitsiConfig), and every key they set checked against
 * the reference.conf that defines it: Jicofo's (upstream stable 11146), the mixer's and the
 * coordinator's (this repository). A renamed key fails here, not in production.
 */
class JitsiConfigKeysTest {

    private static Config resolveWithEnv(Path file, Map<String, String> env) {
        return ConfigFactory.parseFile(file.toFile()).resolveWith(ConfigFactory.parseMap(env));
    }

    @Test
    void customJicofoConfAddsTheSecretHeaderAndModeOverJicofosReference() throws Exception {
        Path jicofo = DeployFiles.upstreamTree("jicofo");
        Config reference = ConfigFactory.parseFile(jicofo.resolve("jicofo-selector/src/main/resources/reference.conf").toFile());
        String referenceText = DeployFiles.read(jicofo.resolve("jicofo-selector/src/main/resources/reference.conf"));
        assertThat(referenceText).contains("url-template", "{{MEETING_ID}}");
        assertThat(reference.getString("jicofo.translation.mode")).isEqualTo("per-source");
        assertThat(reference.hasPath("jicofo.translation.http-headers")).isTrue();

        Path custom = DeployFiles.dockerDir().resolve("duet/jicofo/custom-jicofo.conf");
        Config c = resolveWithEnv(custom, Map.of("DUET_SECRET", "s3cret")).withFallback(reference).resolve();
        assertThat(c.getString("jicofo.translation.http-headers.Authorization")).isEqualTo("Bearer s3cret");
        assertThat(c.getString("jicofo.translation.mode")).as("Jicofo's default when unset").isEqualTo("per-source");
        Config single = resolveWithEnv(custom, Map.of("DUET_SECRET", "x", "DUET_TRANSLATION_MODE", "single-bridge"))
                .withFallback(reference).resolve();
        assertThat(single.getString("jicofo.translation.mode")).isEqualTo("single-bridge");
        // Every key custom-jicofo.conf sets exists in Jicofo's reference (http-headers holds free names).
        for (String key : leafPaths(resolveWithEnv(custom, Map.of("DUET_SECRET", "x", "DUET_TRANSLATION_MODE", "m")))) {
            String checked = key.startsWith("jicofo.translation.http-headers.") ? "jicofo.translation.http-headers" : key;
            assertThat(reference.hasPathOrNull(checked)).as(key + " in Jicofo's reference.conf").isTrue();
        }

        // docker-jitsi-meet's jicofo image renders url-template from the variable duet.yml sets, and
        // includes custom-jicofo.conf from its /config.
        Path docker = DeployFiles.upstreamTree("docker-jitsi-meet");
        String template = DeployFiles.read(docker.resolve("jicofo/rootfs/defaults/jicofo.conf"));
        assertThat(template).contains("url-template = \"{{ .Env.JICOFO_TRANSLATION_URL_TEMPLATE }}\"")
                .contains("include \"custom-jicofo.conf\"");
    }

    @Test
    void mixerConfKeysExistInTheMixersReference() {
        Path reference = DeployFiles.repoRoot().resolve("jvb-duet-mixer/src/main/resources/reference.conf");
        Assumptions.assumeTrue(ConfigFactory.parseFile(reference.toFile()).hasPath("duet.jitsi"),
                "the mixer's Jitsi transport is not in this checkout yet");
        checkAgainstReference(DeployFiles.dockerDir().resolve("duet/mixer.conf"), reference);
        checkAgainstReference(DeployFiles.dockerDir().resolve("debian/mixer.conf"), reference);
    }

    @Test
    void coordinatorConfKeysExistInTheCoordinatorsReference() {
        Path reference = DeployFiles.repoRoot().resolve("jicofo-extension/src/main/resources/reference.conf");
        Assumptions.assumeTrue(Files.exists(reference), "jicofo-extension not in this checkout yet");
        checkAgainstReference(DeployFiles.dockerDir().resolve("duet/coordinator.conf"), reference);
        checkAgainstReference(DeployFiles.dockerDir().resolve("debian/coordinator.conf"), reference);
    }

    private static void checkAgainstReference(Path conf, Path referenceFile) {
        Config reference = ConfigFactory.parseFile(referenceFile.toFile()).resolve();
        Map<String, String> env = new java.util.HashMap<>();
        // Every ${?DUET_...} the file reads, with a value, so every key it can set is visited.
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\$\\{\\?(DUET_[A-Z0-9_]+)}")
                .matcher(DeployFiles.read(conf));
        while (m.find()) {
            env.put(m.group(1), m.group(1).endsWith("PORT") ? "1234" : "value");
        }
        Config c = resolveWithEnv(conf, env); // only this file's keys
        Set<String> keys = leafPaths(c);
        assertThat(keys).isNotEmpty();
        for (String key : keys) {
            assertThat(reference.hasPathOrNull(key)).as(conf.getFileName() + " sets " + key + ", which "
                    + referenceFile + " must define").isTrue();
            ConfigValueType want = reference.getValue(key).valueType();
            ConfigValueType got = c.getValue(key).valueType();
            if (want == ConfigValueType.NUMBER) {
                assertThat(c.getString(key)).as(key).matches("-?[0-9.]+");
            } else {
                assertThat(got).as(key + " type").isIn(want, ConfigValueType.STRING);
            }
        }
        System.out.println(conf.getFileName() + "_keys_checked " + keys.size());
    }

    private static Set<String> leafPaths(Config c) {
        Set<String> out = new TreeSet<>();
        c.entrySet().forEach(e -> out.add(e.getKey()));
        return out;
    }
}
