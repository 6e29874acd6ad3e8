// node --test: the duet session state -> role, translation requests and subscription (js/jitsi/duet-plan.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSession, makeSession, roleOf, planFor, audioSourceOf } from '../../../web/js/jitsi/duet-plan.js';

const running = parseSession({ duet: makeSession({ active: true, a: 'aaaa1111', b: 'bbbb2222', updatedBy: 'aaaa1111', now: 5 }) });

test('roles follow the singers in the metadata', () => {
  assert.equal(roleOf(running, 'aaaa1111'), 'singer-a');
  assert.equal(roleOf(running, 'bbbb2222'), 'singer-b');
  assert.equal(roleOf(running, 'cccc3333'), 'listener');
  assert.equal(roleOf({ ...running, active: false }, 'aaaa1111'), null);
  assert.equal(roleOf(null, 'aaaa1111'), null);
});

test('each singer requests and hears the partner\'s duet source, never their own', () => {
  const a = planFor(running, 'aaaa1111');
  assert.deepEqual(a.requests, { bbbb2222: 'duet' });
  assert.deepEqual(a.include, ['bbbb2222-a0.duet']);
  assert.equal(a.fallback, 'bbbb2222-a0');
  const b = planFor(running, 'bbbb2222');
  assert.deepEqual(b.requests, { aaaa1111: 'duet' });
  assert.deepEqual(b.include, ['aaaa1111-a0.duet']);
  for (const p of [a, b]) {
    const me = p === a ? 'aaaa1111' : 'bbbb2222';
    assert.ok(!p.include.some((n) => n.startsWith(me)), 'own voice is never subscribed');
  }
});

test('listeners request the aligned mix from singer a', () => {
  const l = planFor(running, 'cccc3333');
  assert.deepEqual(l.requests, { aaaa1111: 'duetmix' });
  assert.deepEqual(l.include, ['aaaa1111-a0.duetmix']);
  assert.equal(l.fallback, null);
  assert.deepEqual(l.hears, ['aaaa1111', 'bbbb2222']);
});

test('no duet: nothing requested', () => {
  const p = planFor(parseSession({}), 'aaaa1111');
  assert.equal(p.role, null);
  assert.deepEqual(p.requests, {});
  assert.deepEqual(p.include, []);
});

test('bad metadata is not understood rather than trusted', () => {
  assert.equal(parseSession({ duet: { v: 2, active: true } }), null);
  assert.equal(parseSession({ duet: 'x' }), null);
  const odd = parseSession({ duet: { v: 1, active: 'yes', singers: { a: '<script>', b: 'bbbb2222' } } });
  assert.equal(odd.active, false);
  assert.equal(odd.singers.a, null);
  assert.equal(roleOf(parseSession({ duet: { v: 1, active: true, singers: { a: 'aaaa1111' } } }), 'x'), null);
});

test('source names are lib-jitsi-meet\'s', () => {
  assert.equal(audioSourceOf('12ab34cd'), '12ab34cd-a0');
});
