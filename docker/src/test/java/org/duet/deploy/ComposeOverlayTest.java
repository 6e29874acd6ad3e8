package org.duet.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docker/duet.yml on top of docker-jitsi-meet stable-11146's docker-compose.yml, checked by a Compose
 * implementation: Debian's docker-compose validates each file against its bundled Compose
 * Specification schema (compose/config/compose_spec.json), interpolates the .env and merges the
 * files ("config"); `docker compose` (v2) does the same when its plugin is installed. No engine is
 * needed. Then the merged model is checked for what the overlay must set.
 */
class ComposeOverlayTest {

    private static final String SECRET = "test-secret-0123456789abcdef";
    private static Path project;
    private static List<List<String>> composeCommands;

    @BeforeAll
    static void setUp() throws Exception {
        project = DeployFiles.upstreamTree("docker-jitsi-meet");
        assertThat(project.resolve("docker-compose.yml")).exists();
        composeCommands = new ArrayList<>();
        if (DeployFiles.commandWorks("docker-compose", "version")) {
            composeCommands.add(List.of("docker-compose"));
        }
        if (DeployFiles.commandWorks("docker", "compose", "version")) {
            composeCommands.add(List.of("docker", "compose"));
        }
        assertThat(composeCommands).as("docker-compose (Debian package, installed by ./duet test) or docker compose")
                .isNotEmpty();
    }

    /** docker-jitsi-meet's env.example plus ours, the way docs/deploy.md tells a self-hoster to make .env. */
    private static void writeEnv(boolean withSecrets) throws Exception {
        String env = DeployFiles.read(project.resolve("env.example")) + "\n"
                + DeployFiles.read(DeployFiles.dockerDir().resolve("duet.env.example"));
        env = env.replaceAll("(?m)^DUET_SRC=.*$", "DUET_SRC=" + DeployFiles.repoRoot());
        if (withSecrets) {
            env = env.replaceAll("(?m)^DUET_SECRET=$", "DUET_SECRET=" + SECRET)
                    .replaceAll("(?m)^DUET_MIXER_XMPP_PASSWORD=$", "DUET_MIXER_XMPP_PASSWORD=mixer-pw")
                    .replaceAll("(?m)^DUET_COORDINATOR_XMPP_PASSWORD=$", "DUET_COORDINATOR_XMPP_PASSWORD=coord-pw");
        }
        Files.writeString(project.resolve(".env"), env);
    }

    private static DeployFiles.Result config(List<String> compose) throws Exception {
        List<String> cmd = new ArrayList<>(compose);
        cmd.addAll(List.of("-f", "docker-compose.yml", "-f", DeployFiles.dockerDir().resolve("duet.yml").toString(),
                "config"));
        return DeployFiles.run(project, Map.of(), 120, cmd.toArray(String[]::new));
    }

    @Test
    void overlayIsValidComposeAndSetsWhatDuetNeeds() throws Exception {
        writeEnv(true);
        for (List<String> compose : composeCommands) {
            DeployFiles.Result r = config(compose);
            assertThat(r.exit()).as(String.join(" ", compose) + " config:\n" + r.output()).isZero();
            // Warnings (stderr) come first; the model starts at its first top-level key.
            Matcher top = Pattern.compile("(?m)^(name|version|services|networks|volumes):").matcher(r.output());
            assertThat(top.find()).as(r.output()).isTrue();
            JsonNode merged = new ObjectMapper(new YAMLFactory()).readTree(r.output().substring(top.start()));
            JsonNode services = merged.get("services");
            System.out.println("compose_validated_by " + String.join(" ", compose) + " services="
                    + services.size());

            for (String s : List.of("duet-mixer", "duet-coordinator")) {
                JsonNode build = services.get(s).get("build");
                assertThat(Path.of(build.get("context").asText())).isEqualTo(DeployFiles.repoRoot());
                Path dockerfile = DeployFiles.repoRoot().resolve(build.get("dockerfile").asText());
                assertThat(dockerfile).exists();
                assertThat(DeployFiles.read(dockerfile)).contains(" AS " + build.get("target").asText() + "\n");
                assertThat(env(services, s, "DUET_SECRET")).isEqualTo(SECRET);
                assertThat(services.get(s).get("networks").has("meet.jitsi")).isTrue();
            }
            assertThat(env(services, "duet-mixer", "DUET_XMPP_PASSWORD")).isEqualTo("mixer-pw");
            assertThat(env(services, "duet-coordinator", "DUET_XMPP_PASSWORD")).isEqualTo("coord-pw");
            assertThat(env(services, "duet-mixer", "DUET_BREWERY_MUC")).isEqualTo("duetbrewery@internal-muc.meet.jitsi");

            // Jicofo: docker-jitsi-meet's template renders translation.url-template from this variable.
            assertThat(env(services, "jicofo", "JICOFO_TRANSLATION_URL_TEMPLATE"))
                    .isEqualTo("ws://duet-coordinator:18765/translate/{{MEETING_ID}}");
            assertThat(env(services, "jicofo", "DUET_SECRET")).isEqualTo(SECRET);
            assertThat(env(services, "jicofo", "DUET_TRANSLATION_MODE")).isEqualTo("single-bridge");
            for (String s : List.of("jicofo", "prosody", "web")) {
                assertThat(env(services, s, "ENABLE_AUDIO_TRANSLATION")).as(s).isEqualTo("1");
            }
            // Every file the overlay mounts exists in this repository, at the path the image reads.
            assertThat(mounts(services, "prosody")).containsEntry("/config/conf.d/duet.cfg.lua",
                    DeployFiles.dockerDir().resolve("duet/prosody/duet.cfg.lua"));
            assertThat(mounts(services, "jicofo")).containsEntry("/config/custom-jicofo.conf",
                    DeployFiles.dockerDir().resolve("duet/jicofo/custom-jicofo.conf"));
            assertThat(mounts(services, "web")).containsEntry("/usr/share/jitsi-meet/duet",
                    DeployFiles.repoRoot().resolve("jitsi-meet-ui/web"));
            for (String s : List.of("prosody", "jicofo", "web")) {
                mounts(services, s).forEach((target, source) -> {
                    if (source.startsWith(DeployFiles.repoRoot())) {
                        assertThat(source).as(s + " mounts " + target).exists();
                    }
                });
            }
            assertThat(DeployFiles.repoRoot().resolve("jitsi-meet-ui/web/jitsi.html")).exists();
        }
    }

    @Test
    void aMissingSecretIsRefusedWithItsName() throws Exception {
        writeEnv(false);
        for (List<String> compose : composeCommands) {
            DeployFiles.Result r = config(compose);
            assertThat(r.exit()).as(r.output()).isNotZero();
            assertThat(r.output()).contains("DUET_");
        }
    }

    @Test
    void theDockerfileCopiesOnlyFilesThatExist() {
        Path dockerfile = DeployFiles.dockerDir().resolve("duet/Dockerfile");
        Matcher m = Pattern.compile("(?m)^COPY (?!--from)(.+) (\\S+)$").matcher(DeployFiles.read(dockerfile));
        int copies = 0;
        while (m.find()) {
            for (String src : m.group(1).trim().split("\\s+")) {
                if (!src.equals(".")) {
                    assertThat(DeployFiles.repoRoot().resolve(src)).as("COPY " + src).exists();
                }
                copies++;
            }
        }
        assertThat(copies).isGreaterThanOrEqualTo(4);
        // The modules the image builds are modules of this repository.
        Matcher pl = Pattern.compile("-pl (\\S+)").matcher(DeployFiles.read(dockerfile));
        assertThat(pl.find()).isTrue();
        String rootPom = DeployFiles.read(DeployFiles.repoRoot().resolve("pom.xml"));
        for (String module : pl.group(1).split(",")) {
            org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(DeployFiles.repoRoot().resolve(module)),
                    module + " is not in this checkout yet");
            assertThat(rootPom).contains("<module>" + module + "</module>");
        }
    }

    private static String env(JsonNode services, String service, String name) {
        JsonNode env = services.get(service).get("environment");
        assertThat(env).as(service + " environment").isNotNull();
        if (env.isArray()) {
            for (JsonNode e : env) {
                if (e.asText().startsWith(name + "=")) {
                    return e.asText().substring(name.length() + 1);
                }
            }
            return null;
        }
        return env.hasNonNull(name) ? env.get(name).asText() : null;
    }

    /** target -> source of the service's bind mounts (short or long syntax). */
    private static Map<String, Path> mounts(JsonNode services, String service) {
        Map<String, Path> out = new java.util.HashMap<>();
        JsonNode vols = services.get(service).get("volumes");
        if (vols == null) {
            return out;
        }
        for (JsonNode v : vols) {
            if (v.isTextual()) {
                String[] parts = v.asText().split(":");
                out.put(parts[1], Path.of(parts[0]));
            } else if (v.has("source")) {
                out.put(v.get("target").asText(), Path.of(v.get("source").asText()));
            }
        }
        return out;
    }
}
