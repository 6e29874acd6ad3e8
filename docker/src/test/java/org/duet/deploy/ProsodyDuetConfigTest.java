package org.duet.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docker/duet/prosody/duet.cfg.lua read by Prosody 13's own configuration parser (Debian's
 * prosody package, core/configmanager.lua) next to docker-jitsi-meet's internal MUC component, taken
 * from its jitsi-meet.cfg.lua template at test time: the Duet accounts become admins of that
 * component only, and everything the image set there stays.
 */
class ProsodyDuetConfigTest {

    private static final String PROSODY = "/usr/lib/prosody";

    @Test
    void duetAccountsAreAdminsOfTheInternalMucOnly() throws Exception {
        assertThat(Path.of(PROSODY, "loader.lua")).as("Prosody 13 (./duet test installs it)").exists();
        Path upstream = DeployFiles.upstreamTree("docker-jitsi-meet");
        String template = DeployFiles.read(upstream.resolve("prosody/rootfs/defaults/conf.d/jitsi-meet.cfg.lua"));
        Matcher block = Pattern.compile("(?s)Component \"\\{\\{ \\$XMPP_INTERNAL_MUC_DOMAIN }}\" \"muc\".*?\n\n").matcher(template);
        assertThat(block.find()).as("internal MUC block in the upstream template").isTrue();
        // Render the few template expressions of that block with the image's defaults.
        String internalMuc = block.group()
                .replace("{{ $XMPP_INTERNAL_MUC_DOMAIN }}", "internal-muc.meet.jitsi")
                .replace("{{ $XMPP_AUTH_DOMAIN }}", "auth.meet.jitsi")
                .replaceAll("(?s)\\{\\{ if .*?\\{\\{ end -}}\n?", "");
        assertThat(internalMuc).doesNotContain("{{");

        Path dir = Files.createDirectories(DeployFiles.dockerDir().resolve("target/prosody-check/conf.d"));
        Files.writeString(dir.resolve("jitsi-meet.cfg.lua"),
                "admins = { \"focus@auth.meet.jitsi\", \"jvb@auth.meet.jitsi\" }\n"
                        + "VirtualHost \"auth.meet.jitsi\"\n    authentication = \"internal_hashed\"\n\n" + internalMuc);
        Files.copy(DeployFiles.dockerDir().resolve("duet/prosody/duet.cfg.lua"), dir.resolve("duet.cfg.lua"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path root = dir.getParent();
        Files.writeString(root.resolve("prosody.cfg.lua"), "Include \"conf.d/*.cfg.lua\"\n");
        Files.writeString(root.resolve("show.lua"), String.join("\n",
                "package.path = '" + PROSODY + "/?.lua;' .. package.path",
                "package.cpath = '" + PROSODY + "/?.so;' .. package.cpath",
                "prosody = { paths = {} }",
                "require 'loader'",
                "local cm = require 'prosody.core.configmanager'",
                "assert(cm.load(arg[1]))",
                "local h = 'internal-muc.meet.jitsi'",
                "print('admins=' .. table.concat(cm.get(h, 'admins') or {}, ','))",
                "print('global_admins=' .. table.concat(cm.get('*', 'admins') or {}, ','))",
                "print('restrict=' .. tostring(cm.get(h, 'restrict_room_creation')))",
                "print('module=' .. tostring(cm.get(h, 'component_module')))",
                "print('modules=' .. table.concat(cm.get(h, 'modules_enabled') or {}, ','))",
                "print('whitelist=' .. tostring(cm.get(h, 'muc_filter_whitelist')))",
                "print('auth_admins=' .. tostring(rawget(cm.getconfig()['auth.meet.jitsi'], 'admins')))", ""));

        DeployFiles.Result r = DeployFiles.run(root, Map.of("XMPP_AUTH_DOMAIN", "auth.meet.jitsi",
                "DUET_MIXER_XMPP_USER", "duet-mixer"), 60, "lua5.4", "show.lua",
                root.resolve("prosody.cfg.lua").toString());
        System.out.println(r.output());
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output())
                .contains("admins=duet-mixer@auth.meet.jitsi,duet-coordinator@auth.meet.jitsi\n")
                .contains("global_admins=focus@auth.meet.jitsi,jvb@auth.meet.jitsi\n") // untouched
                .contains("restrict=true\n") // only admins create rooms there, as before
                .contains("module=muc\n")
                .contains("modules=muc_hide_all,muc_filter_access\n")
                .contains("whitelist=auth.meet.jitsi\n")
                .contains("auth_admins=nil\n"); // no admin rights anywhere else
    }
}
