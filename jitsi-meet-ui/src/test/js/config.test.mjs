// node --test: which deployment the Jitsi page talks to (js/jitsi/config.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { derivedDefaults, fromMeetConfig, mergeConfig, serviceUrlFor } from '../../../web/js/jitsi/config.js';

globalThis.window = { location: { href: 'https://meet.example.org/duet/?room=x' } };
const loc = { hostname: 'meet.example.org', host: 'meet.example.org', protocol: 'https:' };

test('defaults follow a Debian-installed Jitsi Meet on the page host', () => {
  const d = derivedDefaults(loc);
  assert.equal(d.websocket, 'wss://meet.example.org/xmpp-websocket');
  assert.deepEqual(d.hosts, { domain: 'meet.example.org', muc: 'conference.meet.example.org' });
  assert.equal(d.libUrl, '/libs/lib-jitsi-meet.min.js');
  assert.equal(derivedDefaults({ ...loc, protocol: 'http:', host: 'localhost:8000' }).websocket, 'ws://localhost:8000/xmpp-websocket');
});

test('the deployment config.js overrides the defaults, duet-config.js overrides both, hosts merge by key', () => {
  const meet = fromMeetConfig({ hosts: { domain: 'meet.jitsi', muc: 'muc.meet.jitsi' }, websocket: 'wss://meet.example.org/xmpp-websocket',
    bosh: 'ignored' });
  const cfg = mergeConfig(derivedDefaults(loc), meet, { hosts: { anonymousdomain: 'guest.meet.jitsi' }, directFallback: false });
  assert.deepEqual(cfg.hosts, { domain: 'meet.jitsi', muc: 'muc.meet.jitsi', anonymousdomain: 'guest.meet.jitsi' });
  assert.equal(cfg.directFallback, false);
  assert.equal(cfg.bosh, undefined);
  assert.deepEqual(fromMeetConfig(undefined), {});
});

test('the service URL carries the room, which Prosody\'s audiotranslation component needs', () => {
  assert.equal(serviceUrlFor('wss://meet.example.org/xmpp-websocket', 'myroom'),
    'wss://meet.example.org/xmpp-websocket?room=myroom');
  assert.equal(serviceUrlFor('wss://h/xmpp-websocket?room=old', 'new room'), 'wss://h/xmpp-websocket?room=new+room');
});
