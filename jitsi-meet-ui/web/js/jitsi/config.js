// Which Jitsi deployment the page talks to. Three layers, later ones win:
//   1. derived from the page's own host (a Debian-installed Jitsi Meet's defaults),
//   2. the deployment's /config.js (Jitsi Meet's own: hosts, websocket), if it loads,
//   3. window.duetConfig from duet-config.js (what the self-hoster wrote).

/** Loads a classic script; resolves true when it ran, false when it could not be fetched. */
export function loadScript(src) {
  return new Promise((resolve) => {
    const s = document.createElement('script');
    s.src = src;
    s.async = false;
    s.onload = () => resolve(true);
    s.onerror = () => { s.remove(); resolve(false); };
    document.head.append(s);
  });
}

/** Defaults for a page served at https://<host>/duet/ next to a stock Debian Jitsi Meet. */
export function derivedDefaults(loc) {
  const host = loc.hostname;
  const wsScheme = loc.protocol === 'https:' ? 'wss://' : 'ws://';
  return {
    meetConfigUrl: '/config.js',
    libUrl: '/libs/lib-jitsi-meet.min.js',
    websocket: wsScheme + loc.host + '/xmpp-websocket',
    hosts: { domain: host, muc: 'conference.' + host },
    meetingUrl: '/',
  };
}

/** Picks what the page needs from Jitsi Meet's own `config` object. */
export function fromMeetConfig(meet) {
  if (!meet || typeof meet !== 'object') return {};
  const out = {};
  if (meet.hosts && meet.hosts.domain) out.hosts = { ...meet.hosts };
  if (meet.websocket) out.websocket = meet.websocket;
  if (meet.focusUserJid) out.focusUserJid = meet.focusUserJid;
  return out;
}

/** Merges the layers; `hosts` is merged key by key. */
export function mergeConfig(...layers) {
  const out = {};
  for (const l of layers) {
    if (!l) continue;
    for (const [k, v] of Object.entries(l)) {
      if (v === undefined) continue;
      out[k] = k === 'hosts' ? { ...(out.hosts || {}), ...v } : v;
    }
  }
  return out;
}

/** Resolves the configuration, loading the deployment's /config.js unless told not to. */
export async function resolveConfig(loc = window.location, own = window.duetConfig || {}) {
  const base = derivedDefaults(loc);
  const meetConfigUrl = own.meetConfigUrl === undefined ? base.meetConfigUrl : own.meetConfigUrl;
  let meet = {};
  let meetConfigLoaded = false;
  if (meetConfigUrl) {
    meetConfigLoaded = await loadScript(meetConfigUrl);
    // Jitsi Meet's config.js declares a global `var config`.
    if (meetConfigLoaded && typeof window.config === 'object') meet = fromMeetConfig(window.config);
  }
  const cfg = mergeConfig(base, meet, own);
  cfg.meetConfigLoaded = meetConfigLoaded;
  return cfg;
}

/** The XMPP WebSocket URL for a room: Prosody's audiotranslation component needs ?room=. */
export function serviceUrlFor(websocket, room) {
  const u = new URL(websocket, window.location.href);
  u.searchParams.set('room', room);
  return u.toString();
}
