// The signaling client: JSON messages over one WebSocket (docs/signaling.md).

export class Signaling extends EventTarget {
  constructor(url) {
    super();
    this.url = url;
    this.ws = null;
    this.pingTimer = null;
  }

  /** Resolves once the socket is open. */
  connect() {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.url);
      this.ws = ws;
      ws.onopen = () => {
        const ping = () => this.send({ type: 'ping', t: Math.round(performance.now() * 1000) });
        this.pingTimer = setInterval(ping, 5000);
        ping();
        resolve();
      };
      ws.onerror = () => reject(new Error('cannot reach the Duet server at ' + this.url));
      ws.onmessage = (e) => {
        let msg;
        try { msg = JSON.parse(e.data); } catch (err) { return; }
        if (msg.type === 'pong') {
          msg.rttMs = (performance.now() * 1000 - msg.t) / 1000;
        }
        this.dispatchEvent(new CustomEvent(msg.type, { detail: msg }));
        this.dispatchEvent(new CustomEvent('message', { detail: msg }));
      };
      ws.onclose = (e) => {
        clearInterval(this.pingTimer);
        this.dispatchEvent(new CustomEvent('close', { detail: { code: e.code, reason: e.reason } }));
      };
    });
  }

  send(msg) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }

  /** Waits for the first of the given message types. */
  next(...types) {
    return new Promise((resolve) => {
      const handlers = [];
      for (const t of types) {
        const h = (e) => { handlers.forEach(([tt, hh]) => this.removeEventListener(tt, hh)); resolve(e.detail); };
        handlers.push([t, h]);
        this.addEventListener(t, h);
      }
    });
  }

  close() {
    clearInterval(this.pingTimer);
    if (this.ws) this.ws.close(1000, 'bye');
  }
}
