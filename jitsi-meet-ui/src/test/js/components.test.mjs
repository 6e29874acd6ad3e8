// node --test: the page fills in component addresses lib-jitsi-meet's discovery missed (js/jitsi/components.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adoptComponentAddresses } from '../../../web/js/jitsi/components.js';

/** lib-jitsi-meet's XMPP object as far as this concerns it: messages from unknown senders wait. */
function fakeXmpp(discovered) {
  const xmpp = {
    _components: [],
    _preComponentsMsgs: [],
    delivered: [],
    _onPrivateMessage(msg) {
      if (!this._components.includes(msg.from)) {
        this._preComponentsMsgs.push(msg);
        return true;
      }
      this.delivered.push(msg.text);
      return true;
    },
  };
  if (discovered) {
    xmpp.roomMetadataComponentAddress = 'metadata.meet.jitsi';
    xmpp.audioTranslationComponentAddress = 'audiotranslation.meet.jitsi';
    xmpp._components.push('metadata.meet.jitsi', 'audiotranslation.meet.jitsi');
  }
  return xmpp;
}

test('a missed discovery: addresses filled, and the metadata held back so far is delivered', () => {
  const xmpp = fakeXmpp(false);
  xmpp._onPrivateMessage({ from: 'metadata.meet.jitsi', text: 'duet written' });
  xmpp._onPrivateMessage({ from: 'elsewhere.meet.jitsi', text: 'not ours' });
  assert.deepEqual(xmpp.delivered, []);
  const filled = adoptComponentAddresses(xmpp, { domain: 'meet.jitsi' });
  assert.deepEqual(filled, ['metadata.meet.jitsi', 'audiotranslation.meet.jitsi']);
  assert.deepEqual(xmpp.delivered, ['duet written']);
  assert.deepEqual(xmpp._preComponentsMsgs.map((m) => m.text), ['not ours']);
  // and what comes afterwards is delivered at once
  xmpp._onPrivateMessage({ from: 'metadata.meet.jitsi', text: 'next update' });
  assert.deepEqual(xmpp.delivered, ['duet written', 'next update']);
});

test('duet-config.js names the components when a deployment does not follow the domain', () => {
  const xmpp = fakeXmpp(false);
  adoptComponentAddresses(xmpp, { domain: 'meet.jitsi', roomMetadata: 'md.example', audioTranslation: 'at.example' });
  assert.equal(xmpp.roomMetadataComponentAddress, 'md.example');
  assert.equal(xmpp.audioTranslationComponentAddress, 'at.example');
  assert.ok(xmpp._components.includes('md.example'));
});

test('what discovery found is left alone', () => {
  const xmpp = fakeXmpp(true);
  assert.deepEqual(adoptComponentAddresses(xmpp, { domain: 'other.domain' }), []);
  assert.equal(xmpp.roomMetadataComponentAddress, 'metadata.meet.jitsi');
  assert.deepEqual(xmpp._components, ['metadata.meet.jitsi', 'audiotranslation.meet.jitsi']);
  assert.deepEqual(adoptComponentAddresses(null, { domain: 'x' }), []);
});
