// Reconnects the page by itself after a lost connection (docs/signaling.md, "Reconnecting").
//
// The server gives each joined page a secret resume token. When the signaling socket goes quiet
// (no message for `silenceMs`, though the page pings every second), closes without the user
// leaving, or the audio connection fails, this module tries again with backoff and joins the same
// room and role with the token: the server then removes the page's own dead session at once and
// hands the role back, instead of answering "role-taken" until that session times out.
//
// The page supplies two functions: `rejoin(resumeToken)` (connect, join with the token, start
// audio again; throws on failure) and `onStatus(text)` (show what is happening).

const BACKOFF_MS = [250, 500, 1000]; // then every second: the network's return is noticed within ~1 s

export class Reconnect {
  constructor({ rejoin, onStatus, silenceMs = 3500, pingMs = 1000 }) {
    this.rejoin = rejoin;
    this.onStatus = onStatus || (() => {});
    this.silenceMs = silenceMs;
    this.pingMs = pingMs;
    this.token = null;
    this.active = false; // joined, and the user has not left
    this.retrying = false;
    this.lastHeard = 0;
    this.timer = null;
    this.sig = null;
    this.attempts = 0;
  }

  /** The page joined (first time or after a reconnect): remember the token, watch the socket. */
  joined(msg, sig) {
    this.token = msg.resume || null;
    this.active = true;
    this.attempts = 0;
    this.watch(sig);
  }

  /** The user left on purpose: never reconnect. */
  left() {
    this.active = false;
    this.token = null;
    clearInterval(this.timer);
    this.timer = null;
  }

  /** True while a reconnect is under way: the page should not tear down on the old socket's close. */
  get reconnecting() {
    return this.retrying;
  }

  watch(sig) {
    this.sig = sig;
    this.lastHeard = performance.now();
    sig.addEventListener('message', (e) => {
      this.lastHeard = performance.now();
      const m = e.detail;
      if (m.type !== 'error' || this.sig !== sig) return;
      if (m.code === 'removed') this.left(); // the operator, or this page's own newer connection
      else if (m.code === 'media-ended') this.lost(m.message); // the server released the role: take it again
    });
    clearInterval(this.timer);
    this.timer = setInterval(() => {
      if (!this.active || this.retrying || this.sig !== sig) return;
      sig.send({ type: 'ping', t: Math.round(performance.now() * 1000) });
      if (performance.now() - this.lastHeard > this.silenceMs) this.lost('the server stopped answering');
    }, this.pingMs);
  }

  /** The connection is gone (socket closed or silent, media failed, server released the role). */
  async lost(reason) {
    if (!this.active || this.retrying) return;
    this.retrying = true;
    const old = this.sig;
    this.sig = null;
    if (old) { try { old.ws.onclose = null; old.ws.close(); } catch (e) { /* already gone */ } }
    while (this.active) {
      const wait = BACKOFF_MS[Math.min(this.attempts, BACKOFF_MS.length - 1)];
      this.attempts++;
      this.onStatus('Connection lost (' + reason + '); reconnecting, attempt ' + this.attempts + '…');
      await new Promise((r) => setTimeout(r, wait));
      if (!this.active) break;
      try {
        await withTimeout(this.rejoin(this.token), 4000); // a connect that hangs on a dead network
        this.retrying = false;
        this.onStatus('');
        return;
      } catch (e) {
        reason = e.message || String(e);
        if (e.code === 'role-taken' && this.attempts > 30) { // someone else really has it now
          this.active = false;
          this.onStatus('');
          throw e;
        }
      }
    }
    this.retrying = false;
  }
}

function withTimeout(promise, ms) {
  let timer;
  return Promise.race([promise, new Promise((resolve, reject) => {
    timer = setTimeout(() => reject(new Error('no answer from the server within ' + ms / 1000 + ' s')), ms);
  })]).finally(() => clearTimeout(timer));
}
