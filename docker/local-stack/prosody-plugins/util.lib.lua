-- util.lib.lua: Duet's compatibility helper for Jitsi's Prosody plugins (written for Duet, not a
-- jitsi-meet file).
--
-- jitsi-meet's 2026 mod_room_metadata_component and mod_audio_translation_component import
-- helpers from a util.lib.lua newer than the newest one the stack can pin (jitsi-meet 0103a1c,
-- installed next to this file as util_upstream.lib.lua). This file loads that one and adds the
-- missing helpers with the behaviour the two modules rely on:
--   is_admin(jid)                          true for jids in the global or host "admins" option
--   get_occupant_by_real_jid(room, jid)    the room's occupant for a full real jid
--   table_add(t, u)                        append u's array part to t
--   table_equals(a, b)                     deep equality
--   is_feature_allowed(f, features, mod)   3-argument form: token features decide, else moderators
--   process_host_module(name, callback)    as upstream, but after the host's modules are loaded
local jid = require "util.jid";

local base = module:require "util_upstream";

local util = {};
for name, fn in pairs(base) do
    util[name] = fn;
end

local global_admins = module:context("*"):get_option_set("admins", {}) / jid.prep;
local host_admins = module:get_option_inherited_set("admins", {}) / jid.prep;

function util.is_admin(some_jid)
    local bare = jid.bare(some_jid);
    return global_admins:contains(bare) or host_admins:contains(bare);
end

function util.get_occupant_by_real_jid(room, real_jid)
    return room:get_occupant_by_real_jid(real_jid);
end

function util.table_add(into, from)
    if from == nil then
        return;
    end
    for _, value in ipairs(from) do
        into[#into + 1] = value;
    end
end

local function deep_equal(a, b)
    if a == b then
        return true;
    end
    if type(a) ~= "table" or type(b) ~= "table" then
        return false;
    end
    for key, value in pairs(a) do
        if not deep_equal(value, b[key]) then
            return false;
        end
    end
    for key in pairs(b) do
        if a[key] == nil then
            return false;
        end
    end
    return true;
end
util.table_equals = deep_equal;

-- The newer modules call is_feature_allowed(feature, features, is_moderator); the pinned util
-- has is_feature_allowed(feature, features, granted_features, is_moderator). Both forms work.
function util.is_feature_allowed(feature, features, third, fourth)
    if fourth ~= nil or type(third) == "table" then
        return base.is_feature_allowed(feature, features, third, fourth);
    end
    if features then
        return features[feature] == true or features[feature] == "true";
    end
    return third;
end

-- process_host_module(name, callback) runs callback in host name's context once that host is
-- active. The pinned version waits with a 'host-activated' handler of the default priority, the
-- same as the one with which Prosody loads the host's modules, and Prosody calls handlers of equal
-- priority in no fixed order. So when the room_metadata and audio-translation components waited for
-- the main host, they could announce their disco identity ('jitsi-add-identity') before the main
-- host had loaded mod_features_identity, which then never heard it: seen here in up to three
-- Prosody starts in a row, one component or both missing. Waiting at a lower priority runs the
-- callback after the host's modules are loaded.
local HOST_MODULES_LOADED = -10;
function util.process_host_module(name, callback)
    local function process_host(host)
        if host == name then
            callback(module:context(host), host);
        end
    end
    if prosody.hosts[name] == nil then
        module:log('info', 'No host/component found, will wait for it: %s', name);
        prosody.events.add_handler('host-activated', process_host, HOST_MODULES_LOADED);
    else
        process_host(name);
    end
end

return util;
