// Cluster node naming and topology parsing without a server: the naming choices, mapping keys
// (address, node id, wildcard patterns), CLUSTER SHARDS / SLOTS with replicas and announced host
// names as RESP2 decodes them, untrusted strings, and the per-node / Sentinel diagnosis wording.
import * as assert from 'node:assert/strict';
import { chooseNodeName, mappingKeyMatches } from '../../src/core/client/cluster/naming';
import { formatSlotRanges, orderForDisplay, parseShardNodes, parseSlotsNodes } from '../../src/core/client/cluster/nodes';
import { clusterNodeProblem, sentinelNodeProblem } from '../../src/core/diagnosis/topology';
import { makeProblem } from '../../src/core/diagnosis/catalogue';
import { parseEndpoint, sentinelSettingsOf } from '../../src/core/profiles/topology';
import { parseWorkspaceProfiles } from '../../src/core/profiles/workspaceFile';
import { emptyProfile } from '../../src/core/profiles/draft';
import { healthyEndpoints, SentinelDirectory } from '../../src/core/client/sentinel';

const b = (s: string): Buffer => Buffer.from(s);
const node = {
  id: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
  host: '10.0.1.12',
  port: 6379,
  hostname: 'replica-2.use1.cache.example.com',
};

describe('cluster node naming', () => {
  it("seed: every node is verified against the seed's name", () => {
    assert.deepEqual(chooseNodeName(node, {}, 'clustercfg.x.use1.cache.example.com'), {
      naming: 'seed',
      verifiedName: 'clustercfg.x.use1.cache.example.com',
      mapped: false,
    });
  });

  it("announced: the node's own announced name, else the seed's", () => {
    assert.equal(chooseNodeName(node, { naming: 'announced' }, 'seed.example').verifiedName, 'replica-2.use1.cache.example.com');
    const { hostname: _h, ...noName } = node;
    assert.equal(chooseNodeName(noName, { naming: 'announced' }, 'seed.example').verifiedName, 'seed.example');
  });

  it('mapping: address, node id (or a prefix of 8+), wildcard address or announced-name patterns; exact keys win over patterns', () => {
    assert.ok(mappingKeyMatches('10.0.1.12:6379', node));
    assert.ok(mappingKeyMatches(node.id, node));
    assert.ok(mappingKeyMatches('a1b2c3d4', node));
    assert.ok(!mappingKeyMatches('a1b2c3', node), 'too short for an id prefix');
    assert.ok(mappingKeyMatches('10.0.1.*', node));
    assert.ok(mappingKeyMatches('*:6379', node));
    assert.ok(mappingKeyMatches('*.use1.cache.example.com', node));
    assert.ok(!mappingKeyMatches('*.use2.cache.example.com', node));
    assert.ok(!mappingKeyMatches('10.0.1.1', node), 'no prefix match on addresses');
    const map = { '*.use1.cache.example.com': 'wild.example', '10.0.1.12:6379': 'exact.example' };
    assert.deepEqual(chooseNodeName(node, { naming: 'mapping', map }, 'seed.example'), {
      naming: 'mapping',
      verifiedName: 'exact.example',
      mapped: true,
    });
    assert.equal(chooseNodeName({ ...node, port: 6380 }, { naming: 'mapping', map }, 'seed.example').verifiedName, 'wild.example');
    assert.equal(
      chooseNodeName({ ...node, host: '10.9.9.9', hostname: 'other.example' }, { naming: 'mapping', map }, 'seed.example').verifiedName,
      'seed.example',
    );
  });

  it('never takes an invalid name from a mapping or an announcement', () => {
    assert.equal(chooseNodeName(node, { map: { '10.0.1.12:6379': 'bad name\r\n' } }, 'seed.example').verifiedName, 'seed.example');
    assert.equal(chooseNodeName({ ...node, hostname: 'x y' }, { naming: 'announced' }, 'seed.example').verifiedName, 'seed.example');
  });
});

describe('cluster topology with replicas', () => {
  const shards = [
    [
      b('slots'),
      [5461, 10922],
      b('nodes'),
      [
        [
          b('id'),
          b('r1'),
          b('port'),
          0,
          b('tls-port'),
          7001,
          b('ip'),
          b('10.0.0.4'),
          b('endpoint'),
          b('10.0.0.4'),
          b('hostname'),
          b('node-4.example'),
          b('role'),
          b('replica'),
          b('health'),
          b('online'),
        ],
        [
          b('id'),
          b('p1'),
          b('port'),
          0,
          b('tls-port'),
          7000,
          b('ip'),
          b('10.0.0.1'),
          b('endpoint'),
          b('10.0.0.1'),
          b('hostname'),
          b('node-1.example'),
          b('role'),
          b('master'),
          b('health'),
          b('online'),
        ],
      ],
    ],
    [
      b('slots'),
      [0, 5460],
      b('nodes'),
      [
        [
          b('id'),
          b('p0'),
          b('tls-port'),
          7002,
          b('ip'),
          b('10.0.0.2'),
          b('endpoint'),
          b('10.0.0.2'),
          b('hostname'),
          b('evil\r\nname'),
          b('role'),
          b('master'),
          b('health'),
          b('online'),
        ],
        [
          b('id'),
          b('r0'),
          b('tls-port'),
          99999,
          b('ip'),
          b('10.0.0.5'),
          b('endpoint'),
          b('10.0.0.5'),
          b('role'),
          b('replica'),
          b('health'),
          b('online'),
        ],
      ],
    ],
  ];

  it('CLUSTER SHARDS: primaries and replicas, announced names, replicas linked to their primary, bad entries dropped', () => {
    const nodes = parseShardNodes(shards, true, 'seed');
    assert.deepEqual(
      nodes.map((n) => [n.id, n.role, n.host, n.port, n.hostname, n.primaryId]),
      [
        ['p1', 'primary', '10.0.0.1', 7000, 'node-1.example', undefined],
        ['r1', 'replica', '10.0.0.4', 7001, 'node-4.example', 'p1'],
        ['p0', 'primary', '10.0.0.2', 7002, undefined, undefined],
      ],
    );
    assert.deepEqual(
      orderForDisplay(nodes).map((n) => n.id),
      ['p0', 'p1', 'r1'],
    );
  });

  it('CLUSTER SLOTS: entry 2 is the primary, the others its replicas (hostname from the metadata map)', () => {
    const reply = [[0, 5460, [b('10.0.0.1'), 7000, b('p0'), [b('hostname'), b('node-0.example')]], [b('10.0.0.4'), 7003, b('r0'), []]]];
    const nodes = parseSlotsNodes(reply, 'seed');
    assert.deepEqual(
      nodes.map((n) => [n.id, n.role, n.hostname, n.primaryId, n.slots]),
      [
        ['p0', 'primary', 'node-0.example', undefined, [[0, 5460]]],
        ['r0', 'replica', undefined, 'p0', [[0, 5460]]],
      ],
    );
    assert.equal(
      formatSlotRanges([
        [0, 5460],
        [7, 7],
      ]),
      '0-5460, 7',
    );
  });
});

describe('topology diagnoses', () => {
  const mismatch = makeProblem('HOSTNAME_MISMATCH', 'x', { facts: { certNames: ['DNS:*.use1.cache.amazonaws.com'] } });

  it('names the node, its role and the naming choice, with a fix for that choice', () => {
    const p = clusterNodeProblem(
      mismatch,
      { address: '10.0.1.12:6379', role: 'replica', primaryAddress: '10.0.1.11:6379' },
      { naming: 'seed', verifiedName: 'clustercfg.x.use1.cache.amazonaws.com', mapped: false },
    );
    assert.equal(p.code, 'HOSTNAME_MISMATCH');
    assert.equal(
      p.detail,
      'node 10.0.1.12:6379 (replica of 10.0.1.11:6379) presented a certificate for `*.use1.cache.amazonaws.com`; the profile verifies every node against `clustercfg.x.use1.cache.amazonaws.com`.',
    );
    assert.match(
      p.fix,
      /^Choose 'announced name' \(when the nodes announce host names: cluster-announce-hostname\) or add a mapping for 10\.0\.1\.12:6379/,
    );
    const other = clusterNodeProblem(
      makeProblem('CERT_EXPIRED', 'expired yesterday'),
      { address: '10.0.1.13:6379', role: 'primary' },
      { naming: 'seed', verifiedName: 'n', mapped: false },
    );
    assert.equal(other.code, 'CERT_EXPIRED');
    assert.equal(other.detail, 'node 10.0.1.13:6379 (primary): expired yesterday');
  });

  it('Sentinel: the IP it returned is not on the certificate -> both fixes', () => {
    const p = sentinelNodeProblem(makeProblem('HOSTNAME_MISMATCH', 'x', { facts: { certNames: ['DNS:redis.example'] } }), {
      sentinel: '10.0.0.9:26379',
      service: 'mymaster',
      host: '10.0.0.7',
      port: 6379,
      servernameSet: false,
      role: 'primary',
    });
    assert.equal(
      p.detail,
      'Sentinel 10.0.0.9:26379 returned the IP address 10.0.0.7 for the primary of "mymaster", and its certificate does not name that IP (it lists `redis.example`).',
    );
    assert.match(
      p.fix,
      /verification name \(SNI\) for the data nodes in the profile \(e\.g\. `redis\.example`\).*`sentinel resolve-hostnames yes` and `sentinel announce-hostnames yes`/,
    );
  });
});

describe('sentinel helpers', () => {
  it('keeps healthy, valid endpoints from SENTINEL replicas / sentinels replies', () => {
    const reply = [
      [b('ip'), b('10.0.0.2'), b('port'), b('6379'), b('flags'), b('slave')],
      [b('ip'), b('10.0.0.3'), b('port'), b('6379'), b('flags'), b('slave,s_down')],
      [b('ip'), b('bad host'), b('port'), b('6379'), b('flags'), b('slave')],
      [b('ip'), b('10.0.0.4'), b('port'), b('0'), b('flags'), b('slave')],
    ];
    assert.deepEqual(healthyEndpoints(reply), [{ host: '10.0.0.2', port: 6379 }]);
  });

  it('moves the answering sentinel to the front and appends learned ones once', () => {
    const d = new SentinelDirectory([
      { host: 'a', port: 1 },
      { host: 'b', port: 2 },
    ]);
    d.promote({ host: 'b', port: 2 });
    d.learn([
      { host: 'a', port: 1 },
      { host: 'c', port: 3 },
    ]);
    assert.deepEqual(
      d.sentinels.map((s) => s.host),
      ['b', 'a', 'c'],
    );
  });

  it('parses sentinel addresses from a profile', () => {
    assert.deepEqual(parseEndpoint('10.0.0.1:26380'), { host: '10.0.0.1', port: 26380 });
    assert.deepEqual(parseEndpoint('sentinel.example'), { host: 'sentinel.example', port: 26379 });
    assert.deepEqual(parseEndpoint('[::1]:26379'), { host: '::1', port: 26379 });
    assert.equal(parseEndpoint('a:b:c'), undefined);
    assert.equal(parseEndpoint('h:70000'), undefined);
  });
});

describe('cluster and Sentinel profile fields', () => {
  it('reads node naming and a Sentinel section from a shared profile file (paths only)', () => {
    const text = JSON.stringify({
      profiles: [
        {
          name: 'C',
          host: 'clustercfg.example',
          clusterNaming: 'announced',
          clusterNodeNames: { '10.0.1.*': 'n.example', bad: 7 },
          readFromReplicas: true,
        },
        {
          name: 'S',
          host: 'data.example',
          sentinel: {
            service: 'mymaster',
            sentinels: ['10.0.0.9:26379', 5],
            servername: 'sentinel.example',
            caFile: 'certs/s-ca.pem',
            passwordRequired: true,
            password: 'x',
          },
        },
      ],
    });
    const { profiles } = parseWorkspaceProfiles(text, '/ws', 'ws');
    assert.equal(profiles[0]?.clusterNaming, 'announced');
    assert.deepEqual(profiles[0]?.clusterNodeNames, { '10.0.1.*': 'n.example' });
    assert.equal(profiles[0]?.readFromReplicas, true);
    assert.deepEqual(profiles[1]?.sentinel, {
      service: 'mymaster',
      sentinels: ['10.0.0.9:26379'],
      servername: 'sentinel.example',
      ca: { kind: 'file', path: '/ws/certs/s-ca.pem' },
      hasPassword: true,
    });
    assert.ok(!JSON.stringify(profiles[1]).includes('"password"'), 'no secret is read from the file');
  });

  it("Sentinel settings: the sentinels get their own name and password, never the data nodes' password", async () => {
    const profile = {
      ...emptyProfile({ name: 'S', host: 'data.example', port: 6380, servername: 'data.example' }),
      sentinel: {
        service: 'mymaster',
        sentinels: ['10.0.0.9:26379', '10.0.0.10'],
        servername: 'sentinel.example',
        username: 'sentinel-user',
      },
    };
    const s = await sentinelSettingsOf(profile, { password: 'data-pass', sentinelPassword: 'sentinel-pass' });
    assert.ok(s);
    assert.deepEqual(s.sentinels, [
      { host: '10.0.0.9', port: 26379 },
      { host: '10.0.0.10', port: 26379 },
    ]);
    assert.equal(s.sentinelPassword, 'sentinel-pass');
    assert.equal(s.sentinelUsername, 'sentinel-user');
    assert.equal(s.sentinelTls.servername, 'sentinel.example');
    assert.equal(s.data.password, 'data-pass');
    assert.equal(s.data.tls.servername, 'data.example');
    const { sentinelPassword: _sp, ...withoutSentinelPassword } = { password: 'data-pass', sentinelPassword: 'x' };
    const t = await sentinelSettingsOf(profile, withoutSentinelPassword);
    assert.equal(t?.sentinelPassword, undefined, 'the data password is not sent to the sentinels');
  });
});
