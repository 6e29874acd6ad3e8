// Duet in Jitsi Meet: settings for this deployment. Edit and keep this file next to jitsi.html.
// Everything is optional. Left out, each value comes from the Jitsi Meet deployment's own
// /config.js (hosts, websocket), and failing that from this page's host name:
//   domain = <page host>, muc = conference.<page host>,
//   websocket = wss://<page host>/xmpp-websocket, library = /libs/lib-jitsi-meet.min.js
window.duetConfig = Object.assign({
  // Read the deployment's /config.js for hosts and the websocket URL (set false to skip it).
  // meetConfigUrl: '/config.js',

  // Where lib-jitsi-meet is served. Use the deployment's own copy: it matches its Jicofo and bridge.
  // libUrl: '/libs/lib-jitsi-meet.min.js',

  // XMPP over WebSocket; the page adds ?room=<room>, which Prosody's audiotranslation needs.
  // websocket: 'wss://meet.example/xmpp-websocket',

  // hosts: {
  //   domain: 'meet.example',              // XMPP domain (docker-jitsi-meet: meet.jitsi)
  //   muc: 'conference.meet.example',      // conference MUC (docker-jitsi-meet: muc.meet.jitsi)
  //   anonymousdomain: 'guest.meet.example', // only when the deployment has secure domain + guests
  //   focus: 'focus@auth.meet.example/focus', // only where Prosody has no focus.<domain> component
  //   // Jitsi's Prosody components, used only when the server's discovery answer does not name them
  //   // (default metadata.<domain> and audiotranslation.<domain>, as Jitsi names them):
  //   roomMetadata: 'metadata.meet.example',
  //   audioTranslation: 'audiotranslation.meet.example'
  // },
  // focusUserJid: 'focus@auth.meet.example', // only where Jicofo has no focus.<domain> client proxy

  // Where the "Back to the meeting" link goes: the meeting at <meetingUrl><room>.
  // meetingUrl: '/',

  // A singer hears the partner's own source through the bridge until the Duet source sends.
  // directFallback: true,

  // Give up joining when the meeting's focus (Jicofo) has not answered after this long.
  // joinTimeoutMs: 60000,
}, window.duetConfig || {});
