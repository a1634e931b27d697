import { canonicalIp, EntityBag, hashAlgorithm } from './entities';

describe('entity normalization', () => {
  it.each([
    ['10.0.0.1', '10.0.0.1'],
    ['fe80:0000:0000:0000:fada:0cff:fedc:87f1', 'fe80::fada:cff:fedc:87f1'],
    ['ff02:0000:0000:0000:0000:0000:0001:0002', 'ff02::1:2'],
    ['2001:DB8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['::1', '::1'],
    ['::', '::'],
    ['fe80::38ca:cd15:443c:40bb%11', 'fe80::38ca:cd15:443c:40bb'],
    ['[2001:db8::5]', '2001:db8::5'],
    ['::ffff:192.0.2.128', '::ffff:192.0.2.128'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
  ])('writes the address %s canonically as %s', (input, expected) => {
    expect(canonicalIp(input)).toBe(expected);
  });

  it.each([
    '010.0.0.1',
    '256.1.1.1',
    '1.2.3',
    'x.x.250.50',
    'xx.xxx.xx.xx',
    '1::2::3',
    '12345::',
    ':1',
    '1.2.3.4.5',
    'localhost',
  ])('refuses %s as an address', (input) => {
    expect(canonicalIp(input)).toBeUndefined();
  });

  it('names the hash algorithm from the digest length', () => {
    expect(hashAlgorithm('44d88612fea8a8f36de82e1278abb02f')).toBe('md5');
    expect(hashAlgorithm('3395856ce81f2b7382dee72602f798b642f14140')).toBe('sha1');
    expect(hashAlgorithm('275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f')).toBe(
      'sha256',
    );
    expect(hashAlgorithm('zz5a021bbfb6489e54d471899f7db9d1')).toBeNull();
    expect(hashAlgorithm('abc')).toBeNull();
  });

  it('lower-cases, trims, drops placeholders and de-duplicates', () => {
    const bag = new EntityBag();
    bag.host(' WS-01.Corp.Example. ');
    bag.host('ws-01.corp.example');
    bag.user('Alice', 'CORP');
    bag.user('corp\\ALICE');
    bag.user('(no user)');
    bag.user('-');
    bag.email('Bob@Example.COM');
    bag.email('not-an-email');
    bag.hash('44D88612FEA8A8F36DE82E1278ABB02F');
    bag.hash('TLSH:notahexdigest');
    bag.ip('10.0.0.1', 'source');
    bag.ip('10.0.0.1', 'destination');
    bag.ip('10.0.0.1', 'source');
    bag.url('HTTPS://User:Pass@Example.COM/Path?Q=1');
    bag.domain('Example.COM.');
    bag.process('  MsSense.exe ');
    expect(bag.entities).toEqual([
      { type: 'host', value: 'ws-01.corp.example', role: null, hashAlgorithm: null },
      { type: 'user', value: 'corp\\alice', role: null, hashAlgorithm: null },
      { type: 'email', value: 'bob@example.com', role: null, hashAlgorithm: null },
      {
        type: 'file_hash',
        value: '44d88612fea8a8f36de82e1278abb02f',
        role: null,
        hashAlgorithm: 'md5',
      },
      { type: 'ip', value: '10.0.0.1', role: 'source', hashAlgorithm: null },
      { type: 'ip', value: '10.0.0.1', role: 'destination', hashAlgorithm: null },
      {
        type: 'url',
        value: 'https://User:Pass@example.com/Path?Q=1',
        role: null,
        hashAlgorithm: null,
      },
      { type: 'domain', value: 'example.com', role: null, hashAlgorithm: null },
      { type: 'process', value: 'MsSense.exe', role: null, hashAlgorithm: null },
    ]);
  });

  it('routes an address found in a host field to an ip with the given role', () => {
    const bag = new EntityBag();
    bag.hostOrIp('192.168.3.12', 'destination');
    bag.hostOrIp('ACME-workstation-012', 'destination');
    expect(bag.entities.map((e) => `${e.type}:${e.value}`)).toEqual([
      'ip:192.168.3.12',
      'host:acme-workstation-012',
    ]);
  });
});
