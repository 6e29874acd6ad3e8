-- Duet for docker-jitsi-meet's Prosody (mounted as /config/conf.d/duet.cfg.lua; the image copies
-- /config into /run/prosody/config, whose prosody.cfg.lua ends with Include "conf.d/*.cfg.lua").
--
-- The internal MUC only lets admins create rooms (restrict_room_creation = true in the image's
-- jitsi-meet.cfg.lua). The Duet mixer and coordinator create and join the duetbrewery room
-- there, so they are made admins of that one component: Prosody 13's mod_authz_internal reads
-- `admins` per host (module:get_option_inherited_set), which gives them prosody:admin on
-- internal-muc and nowhere else. Everything else about the component stays as the image set it.
-- Names come from the container's environment (docker/duet.yml passes them to prosody).
local auth_domain = Lua.os.getenv("XMPP_AUTH_DOMAIN") or "auth.meet.jitsi"
local internal_muc = Lua.os.getenv("XMPP_INTERNAL_MUC_DOMAIN") or "internal-muc.meet.jitsi"
local mixer_user = Lua.os.getenv("DUET_MIXER_XMPP_USER") or "duet-mixer"
local coordinator_user = Lua.os.getenv("DUET_COORDINATOR_XMPP_USER") or "duet-coordinator"

Component (internal_muc) "muc"
    admins = { mixer_user .. "@" .. auth_domain, coordinator_user .. "@" .. auth_domain }
