// Invite links and room tokens (docs/signaling.md, "Access"): what the page adds to its join
// message, and the links a room's moderator shares. A server on loopback has open rooms and
// needs none of this; one reachable from a network admits invited people only.

const params = new URLSearchParams(location.search);
let invite = params.get('invite') || null; // from the link this page was opened with
const token = params.get('token') || null; // a signed room token from the site that sent us here

/** Fields for the join message. */
export function accessFields() {
  const f = {};
  if (invite) f.invite = invite;
  if (token) f.token = token;
  return f;
}

/**
 * After `joined`: a moderator is shown the room's singer link in `linkInput` and its listener link
 * under it; everyone else shares the link they came with.
 */
export function showInvites(msg, linkInput) {
  const base = location.origin + location.pathname + '?room=' + encodeURIComponent(msg.room);
  const withInvite = (secret) => base + '&invite=' + encodeURIComponent(secret);
  let listenerBox = document.getElementById('listener-link');
  if (msg.invites) {
    invite = msg.invites.singer; // also what gets this page back in after a lost connection
    linkInput.value = withInvite(msg.invites.singer);
    if (!listenerBox) {
      listenerBox = document.createElement('input');
      listenerBox.id = 'listener-link';
      listenerBox.readOnly = true;
      listenerBox.setAttribute('aria-label', 'Listener link (can only listen)');
      linkInput.parentElement.after(listenerBox);
    }
    listenerBox.value = withInvite(msg.invites.listener);
    listenerBox.title = 'Listener link: whoever opens it can only listen';
    linkInput.title = 'Singer link: whoever opens it may sing';
  } else {
    linkInput.value = invite ? withInvite(invite) : base;
    if (listenerBox) listenerBox.remove();
  }
}

/** The moderator gave this page a singer role (`assigned`): its invite now admits singers. */
export function onAssigned(msg) {
  if (msg.invite) invite = msg.invite;
}
