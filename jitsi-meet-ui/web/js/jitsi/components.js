// Where Jitsi's Prosody components are, when lib-jitsi-meet's own discovery missed them.
//
// lib-jitsi-meet learns the room metadata and audio translation components' addresses from the
// server's disco identities at login (lib-jitsi-meet modules/xmpp/xmpp.ts, onDiscoInfo). It also
// keeps a list of known component addresses and holds every message from any other address in a
// queue until discovery finds it (_onPrivateMessage / _preComponentsMsgs). When the disco answer
// is missed (seen on a loaded machine), the page could neither write the duet state nor hear it:
// a page that only filled in the address could write, but the room's echo of its own write waited
// in that queue for ever (the moderator's write went unconfirmed through 8 tries).
//
// Deployments name the components after the domain, as Jitsi does (metadata.<domain>,
// audiotranslation.<domain>); duet-config.js may say otherwise (hosts.roomMetadata,
// hosts.audioTranslation). Only what discovery left empty is filled.

/**
 * Fills the component addresses discovery left empty, adds them to lib-jitsi-meet's known
 * components and delivers what it held back from them.
 *
 * @param xmpp  lib-jitsi-meet's XMPP object (conference.room.xmpp)
 * @param hosts the deployment's hosts ({ domain, roomMetadata?, audioTranslation? })
 * @returns the addresses it had to fill in (empty when discovery had found them)
 */
export function adoptComponentAddresses(xmpp, hosts) {
  const filled = [];
  if (!xmpp || !hosts || !hosts.domain) return filled;
  if (!xmpp.roomMetadataComponentAddress) {
    xmpp.roomMetadataComponentAddress = hosts.roomMetadata || 'metadata.' + hosts.domain;
    filled.push(xmpp.roomMetadataComponentAddress);
  }
  if (!xmpp.audioTranslationComponentAddress) {
    xmpp.audioTranslationComponentAddress = hosts.audioTranslation || 'audiotranslation.' + hosts.domain;
    filled.push(xmpp.audioTranslationComponentAddress);
  }
  const known = Array.isArray(xmpp._components) ? xmpp._components : null;
  if (!known) return filled;
  let added = false;
  for (const address of [xmpp.roomMetadataComponentAddress, xmpp.audioTranslationComponentAddress]) {
    if (address && !known.includes(address)) {
      known.push(address);
      added = true;
    }
  }
  if (added && Array.isArray(xmpp._preComponentsMsgs) && typeof xmpp._onPrivateMessage === 'function') {
    // deliver what was held back; messages from still-unknown senders go back into the queue
    const held = xmpp._preComponentsMsgs;
    xmpp._preComponentsMsgs = [];
    held.forEach((msg) => xmpp._onPrivateMessage(msg));
  }
  return filled;
}
