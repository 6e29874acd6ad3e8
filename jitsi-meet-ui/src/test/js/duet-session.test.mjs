// node --test: js/jitsi/duet-session.js against a recording stand-in for lib-jitsi-meet's JitsiConference
// (the calls and their order are what lib-jitsi-meet 11146 exposes: getMetadataHandler().setMetadata/
// getMetadata/isSupported, METADATA_UPDATED, setParticipantTranslationLanguage, setAudioSubscriptionMode).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DuetSession, parseDuetState, makeDuetState, planFor } from '../../../web/js/jitsi/duet-session.js';

const EVENT = 'conference.metadata.updated';

function conference(myId, { moderator = false, metadata = {} } = {}) {
  const listeners = new Map();
  const c = {
    calls: [], written: [], metadata,
    myUserId: () => myId,
    isModerator: () => moderator,
    getMetadataHandler: () => ({
      isSupported: () => true,
      getMetadata: () => c.metadata,
      setMetadata: (key, data) => c.written.push([key, data]),
    }),
    on: (e, f) => listeners.set(e, f),
    off: (e) => listeners.delete(e),
    setParticipantTranslationLanguage: (ep, name) => c.calls.push(['translate', ep, name]),
    setAudioSubscriptionMode: (m) => c.calls.push(['subscribe', m]),
    emit: (md) => { c.metadata = md; listeners.get(EVENT)(md); },
    listening: () => listeners.has(EVENT),
  };
  return c;
}

const A = 'aaaa1111', B = 'bbbb2222', L = 'cccc3333';
const running = makeDuetState({ active: true, a: A, b: B, updatedBy: A, now: 7 });

test('validation: 8-hex endpoint ids, unknown fields ignored, bad JSON refused', () => {
  const s = parseDuetState(JSON.stringify({ ...running, extra: { x: 1 } }));
  assert.deepEqual(s.singers, { a: A, b: B });
  assert.equal(s.extra, undefined);
  assert.throws(() => parseDuetState('{"v":1,'), /not JSON/);
  assert.throws(() => parseDuetState({ v: 1, active: true, singers: { a: A, b: 'not-hex!' } }), /8 hex/);
  assert.throws(() => parseDuetState({ v: 1, active: true, singers: { a: A } }), /both singers/);
  assert.throws(() => parseDuetState({ v: 1, active: true, singers: { a: A, b: A } }), /differ/);
  assert.throws(() => parseDuetState({ v: 2 }), /version/);
  assert.throws(() => parseDuetState({ v: 1, leader: 'c' }), /leader/);
  assert.throws(() => parseDuetState({ v: 1, active: 'yes' }), /active/);
  assert.equal(parseDuetState({ v: 1 }).active, false);
});

test('singer a requests b\'s duet source and hears only it (plus the fallback until it sends)', () => {
  const c = conference(A);
  const d = new DuetSession(c, EVENT);
  assert.deepEqual(c.calls, [], 'no duet: the page keeps lib-jitsi-meet\'s subscription');
  c.emit({ duet: running });
  assert.deepEqual(c.calls, [
    ['translate', B, 'duet'],
    ['subscribe', { all: false, include: ['bbbb2222-a0.duet', 'bbbb2222-a0'], exclude: [] }],
  ]);
  c.calls.length = 0;
  d.setSending('bbbb2222-a0.duet', true);
  assert.deepEqual(c.calls, [['subscribe', { all: false, include: ['bbbb2222-a0.duet'], exclude: [] }]]);
  assert.equal(d.plan.role, 'singer-a');
});

test('singer b mirrors a; a listener asks singer a\'s duetmix', () => {
  const cb = conference(B, { metadata: { duet: running } });
  new DuetSession(cb, EVENT, { directFallback: false });
  assert.deepEqual(cb.calls, [['translate', A, 'duet'],
    ['subscribe', { all: false, include: ['aaaa1111-a0.duet'], exclude: [] }]]);
  const cl = conference(L, { metadata: { duet: running } });
  new DuetSession(cl, EVENT);
  assert.deepEqual(cl.calls, [['translate', A, 'duetmix'],
    ['subscribe', { all: false, include: ['aaaa1111-a0.duetmix'], exclude: [] }]]);
});

test('a role change undoes the old request; a stop restores the default subscription', () => {
  const c = conference(L, { metadata: { duet: running } });
  const d = new DuetSession(c, EVENT, { directFallback: false });
  c.calls.length = 0;
  // the moderator makes L singer b instead of B
  c.emit({ duet: makeDuetState({ active: true, a: A, b: L, updatedBy: A }) });
  assert.deepEqual(c.calls, [['translate', A, null], ['translate', A, 'duet'],
    ['subscribe', { all: false, include: ['aaaa1111-a0.duet'], exclude: [] }]]);
  c.calls.length = 0;
  c.emit({ duet: makeDuetState({ active: false, a: A, b: L, updatedBy: A }) });
  assert.deepEqual(c.calls, [['translate', A, null], ['subscribe', { all: true, include: [], exclude: [] }]]);
  assert.equal(d.plan.role, null);
  c.calls.length = 0;
  c.emit({ duet: makeDuetState({ active: false, a: A, b: L, updatedBy: A, now: 9 }) });
  assert.deepEqual(c.calls, [], 'nothing more to undo');
});

test('an invalid state is counted and treated as no duet; dispose undoes and stops listening', () => {
  const c = conference(A, { metadata: { duet: running } });
  const warnings = [];
  const d = new DuetSession(c, EVENT, { log: { warn: (m) => warnings.push(m) } });
  c.calls.length = 0;
  c.emit({ duet: { v: 1, active: true, singers: { a: A, b: '<img>' } } });
  assert.equal(d.invalid, 1);
  assert.equal(warnings.length, 1);
  assert.deepEqual(c.calls, [['translate', B, null], ['subscribe', { all: true, include: [], exclude: [] }]]);
  c.emit({ duet: running });
  c.calls.length = 0;
  d.dispose();
  assert.deepEqual(c.calls, [['translate', B, null], ['subscribe', { all: true, include: [], exclude: [] }]]);
  assert.equal(c.listening(), false);
});

test('writes go through the metadata handler, moderators only', () => {
  const mod = conference(A, { moderator: true });
  const d = new DuetSession(mod, EVENT);
  d.start(A, B);
  assert.equal(mod.written.length, 1);
  assert.equal(mod.written[0][0], 'duet');
  assert.deepEqual(mod.written[0][1].singers, { a: A, b: B });
  assert.equal(mod.written[0][1].updatedBy, A);
  mod.emit({ duet: mod.written[0][1] });
  d.stop();
  assert.equal(mod.written[1][1].active, false);
  assert.deepEqual(mod.written[1][1].singers, { a: A, b: B });
  const other = new DuetSession(conference(B), EVENT);
  assert.equal(other.canWrite(), false);
  assert.throws(() => other.start(A, B), /moderator/);
  assert.throws(() => d.start(A, 'nope'), /8 hex/);
});

test('the state held at construction is reported after the constructor returns', async () => {
  const changes = [];
  let session = null;
  session = new DuetSession(conference(A, { metadata: { duet: running } }), EVENT,
    { onChange: (c) => changes.push([session !== null, c.plan.role]) });
  assert.deepEqual(changes, []);
  await Promise.resolve();
  assert.deepEqual(changes, [[true, 'singer-a']]);
});

test('planFor never subscribes a singer to their own voice', () => {
  for (const me of [A, B]) {
    assert.ok(!planFor(running, me).include.some((n) => n.startsWith(me)));
  }
});

/** Timers the test runs by hand: the session's confirm-and-resend without waiting seconds. */
function manualTimers() {
  const t = { pending: [], setTimeout: (f) => { t.pending.push(f); return t.pending.length; },
    clearTimeout: (id) => { t.pending[id - 1] = null; },
    fire: () => { const due = t.pending.filter(Boolean); t.pending = []; due.forEach((f) => f()); return due.length; } };
  return t;
}

test('a write the room never echoes is sent again, then reported; an echoed one is not', () => {
  const quiet = { warn: () => {} };
  const c = conference(A, { moderator: true });
  const timers = manualTimers();
  let changes = 0;
  const s = new DuetSession(c, EVENT, { timers, log: quiet, onChange: () => { changes++; } });
  const written = s.start(A, B);
  assert.equal(c.written.length, 1);
  timers.fire(); // no echo within the confirm time: sent again
  assert.equal(c.written.length, 2);
  assert.deepEqual(c.written[1], ['duet', written]);
  c.emit({ duet: written }); // the room shows it: no more resends
  assert.equal(timers.fire(), 0);
  assert.equal(c.written.length, 2);
  assert.equal(s.writeError, null);

  const c2 = conference(A, { moderator: true });
  const t2 = manualTimers();
  const s2 = new DuetSession(c2, EVENT, { timers: t2, log: quiet, onChange: () => { changes++; } });
  s2.start(A, B);
  for (let i = 0; i < 10 && t2.fire() > 0; i++) { /* until it gives up */ }
  assert.equal(c2.written.length, 8, 'eight tries in all');
  assert.match(s2.writeError, /not confirmed/);
  s2.dispose();
  s.dispose();
});

test('referenceSources: a listener also receives both singers\' own sources, a singer the partner\'s', () => {
  const cl = conference(L);
  const dl = new DuetSession(cl, EVENT, { referenceSources: true });
  cl.emit({ duet: running });
  assert.deepEqual(dl.referenceSourceNames(), ['aaaa1111-a0', 'bbbb2222-a0']);
  assert.deepEqual(cl.calls.at(-1),
    ['subscribe', { all: false, include: ['aaaa1111-a0.duetmix', 'aaaa1111-a0', 'bbbb2222-a0'], exclude: [] }]);
  const ca = conference(A);
  const da = new DuetSession(ca, EVENT, { referenceSources: true, directFallback: false });
  ca.emit({ duet: running });
  assert.deepEqual(da.referenceSourceNames(), ['bbbb2222-a0']);
  assert.deepEqual(ca.calls.at(-1), ['subscribe', { all: false, include: ['bbbb2222-a0.duet', 'bbbb2222-a0'], exclude: [] }]);
  // off by default, and nothing without a duet
  const cd = conference(L);
  const dd = new DuetSession(cd, EVENT);
  cd.emit({ duet: running });
  assert.deepEqual(dd.referenceSourceNames(), []);
  cl.emit({ duet: makeDuetState({ active: false, a: A, b: B, updatedBy: A, now: 8 }) });
  assert.deepEqual(dl.referenceSourceNames(), []);
});

test('a write the room holds without an update event is confirmed by reading the room', () => {
  const c = conference(A, { moderator: true });
  const timers = manualTimers();
  const s = new DuetSession(c, EVENT, { timers, log: { warn: () => {} } });
  const written = s.start(A, B);
  c.metadata = { duet: written }; // held by the room, no METADATA_UPDATED event
  timers.fire();
  assert.equal(c.written.length, 1, 'not sent again');
  assert.equal(s.writeError, null);
  assert.equal(s.plan.role, 'singer-a');
  s.dispose();
});

test('a Duet source the bridge never starts, while another mix of the duet sends, is asked for again', () => {
  const warnings = [];
  const c = conference(A);
  const timers = manualTimers();
  const d = new DuetSession(c, EVENT, { timers, log: { warn: (m) => warnings.push(m) } });
  c.emit({ duet: running });
  c.calls.length = 0;
  d.setSending('bbbb2222-a0.duet', false); // nothing yet: no watch
  assert.equal(timers.pending.filter(Boolean).length, 0);
  d.setSending('aaaa1111-a0.duet', true); // B's mix sends, A's does not: watch
  c.calls.length = 0;
  assert.equal(timers.fire(), 1); // 5 s later: withdrawn ...
  assert.deepEqual(c.calls, [['translate', B, null]]);
  assert.equal(timers.fire(), 1); // ... and made again a second later
  assert.deepEqual(c.calls.slice(1, 2), [['translate', B, 'duet']]);
  assert.equal(c.calls[2][0], 'subscribe');
  assert.equal(d.rerequests, 1);
  assert.match(warnings[0], /bbbb2222-a0\.duet did not start 5000 ms after another mix/);
  d.setSending('bbbb2222-a0.duet', true); // it starts: the next watch ends without asking again
  c.calls.length = 0;
  timers.fire();
  assert.deepEqual(c.calls.filter((x) => x[0] === 'translate'), []);
  assert.equal(d.rerequests, 1);
  d.dispose();
});

test('a page whose own Duet source starts in time never asks again, and gives up after three tries', () => {
  const c = conference(B);
  const timers = manualTimers();
  const d = new DuetSession(c, EVENT, { timers, log: { warn: () => {} } });
  c.emit({ duet: running });
  d.setSending('bbbb2222-a0.duet', true); // A's mix (the other one) sends
  d.setSending('aaaa1111-a0.duet', true); // ... and B's own before the watch ends
  c.calls.length = 0;
  timers.fire();
  assert.equal(d.rerequests, 0);
  assert.deepEqual(c.calls, []);

  const c2 = conference(A);
  const t2 = manualTimers();
  const d2 = new DuetSession(c2, EVENT, { timers: t2, log: { warn: () => {} } });
  c2.emit({ duet: running });
  d2.setSending('aaaa1111-a0.duet', true);
  for (let i = 0; i < 20 && t2.fire() > 0; i++) { /* until it gives up */ }
  assert.equal(d2.rerequests, 3);
  d.dispose();
  d2.dispose();
});
