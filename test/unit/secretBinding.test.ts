import * as assert from 'node:assert/strict';
import { emptyProfile } from '../../src/core/profiles/draft';
import type { Profile } from '../../src/core/profiles/profile';
import {
  bindingDigest,
  canonicalJson,
  checkBinding,
  describeTargetChange,
  makeBinding,
  parseBinding,
  profileOrigin,
  secretNamespace,
  secretTarget,
  visibleProfiles,
} from '../../src/core/profiles/secretBinding';
import { parseWorkspaceProfiles } from '../../src/core/profiles/workspaceFile';

function profile(over: Partial<Profile> = {}): Profile {
  return {
    ...emptyProfile(),
    id: 'p1',
    name: 'prod',
    host: 'cache.prod',
    port: 6380,
    tls: true,
    verify: 'full',
    ca: { kind: 'system' },
    ...over,
  };
}

describe('secrets: binding, digest of the target a secret was entered for', () => {
  it('the same target gives the same digest whatever the key order; SHA-256 hex', () => {
    assert.equal(canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] }), '{"a":[2,{"c":4,"d":3}],"b":1}');
    const t = secretTarget(profile());
    const reordered = Object.fromEntries(Object.entries(t).reverse()) as typeof t;
    assert.equal(bindingDigest(reordered), bindingDigest(t));
    assert.match(bindingDigest(t), /^[0-9a-f]{64}$/);
  });

  it('fields that do not decide where a secret goes (db, name, delimiter, group) keep the binding', () => {
    const b = makeBinding(profile());
    assert.deepEqual(checkBinding(b, profile({ db: 3, name: 'renamed', delimiter: '/', group: 'g' })), { ok: true });
  });

  const cases: Array<[string, Partial<Profile>, RegExp]> = [
    ['host', { host: '203.0.113.7' }, /^host was cache\.prod:6380, is now 203\.0\.113\.7:6380$/],
    ['port', { port: 6379 }, /^host was cache\.prod:6380, is now cache\.prod:6379$/],
    ['TLS off', { tls: false }, /^TLS is now off$/],
    ['verify', { verify: 'insecure' }, /^verification was full, is now insecure$/],
    ['pin', { verify: 'pin', pinSha256: 'AB'.repeat(32) }, /verification was full, is now pin; pinned certificate was \(none\), is now AB/],
    ['server name', { servername: 'evil.example' }, /^server name was \(none\), is now evil\.example$/],
    ['CA file', { ca: { kind: 'file', path: '/tmp/other-ca.pem' } }, /^CA was system store, is now file \/tmp\/other-ca\.pem$/],
  ];
  for (const [what, change, words] of cases) {
    it(`a changed ${what} is a changed target, named in words`, () => {
      const stored = makeBinding(profile());
      const check = checkBinding(stored, profile(change));
      assert.equal(check.ok, false);
      assert.match(check.ok ? '' : check.change, words);
    });
  }

  it('host, port and TLS together read as the issue asks', () => {
    const was = secretTarget(profile());
    const now = secretTarget(profile({ host: '203.0.113.7', port: 6379, tls: false }));
    assert.equal(describeTargetChange(was, now).join('; '), 'host was cache.prod:6380, is now 203.0.113.7:6379; TLS is now off');
  });

  it('no binding, or a tampered one, is not a match', () => {
    assert.equal(checkBinding(undefined, profile()).ok, false);
    const b = makeBinding(profile());
    const tampered = JSON.stringify({ ...b, target: { ...b.target, host: 'evil.example' } });
    assert.equal(parseBinding(tampered), undefined, 'digest no longer fits the target');
    assert.deepEqual(parseBinding(JSON.stringify(b)), b);
    assert.equal(parseBinding('{not json'), undefined);
  });
});

describe('secrets: binding, workspace and user profiles never share secrets', () => {
  it('the same id in both origins gives different SecretStorage namespaces', () => {
    assert.notEqual(secretNamespace({ id: 'x', source: 'workspace' }), secretNamespace({ id: 'x', source: 'user' }));
    assert.equal(secretNamespace({ id: 'x', source: 'user' }), 'profile.x', 'user profiles keep their keys');
  });

  it('a workspace profile names its file and folder; a user profile names nothing', () => {
    const [ws] = parseWorkspaceProfiles(JSON.stringify({ profiles: [{ name: 'Staging', host: 'h' }] }), '/repo/app', 'app').profiles;
    assert.equal(profileOrigin(ws), 'from .vscode/redis-tls.json in app');
    assert.equal(profileOrigin(profile()), '');
  });
});

describe('secrets: binding, Restricted Mode', () => {
  it('an untrusted workspace shows user profiles only; trusted, both', () => {
    const list = [profile({ id: 'u' }), profile({ id: 'w', source: 'workspace' })];
    assert.deepEqual(
      visibleProfiles(list, false).map((p) => p.id),
      ['u'],
    );
    assert.deepEqual(
      visibleProfiles(list, true).map((p) => p.id),
      ['u', 'w'],
    );
  });
});
