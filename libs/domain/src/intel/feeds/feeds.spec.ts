import { fixtureJson, fixtureText } from '../../../test/intel/feed-fixtures';
import { parseMispEvent, parseMispManifest } from './misp';
import { parsePlainList, splitCsvLine } from './plain-list';
import { parseStixBundle, stixPatternObservables } from './stix';

const valuesOf = (result: { entries: readonly { kind: string; value: string }[] }) =>
  result.entries.map((entry) => `${entry.kind}:${entry.value}`);

describe('STIX 2.1 bundles', () => {
  const result = parseStixBundle(fixtureJson('stix/indicators-bundle.json'));

  it('reads ipv4, ipv6, domain, url and SHA-256/MD5 patterns, canonicalized', () => {
    expect(valuesOf(result)).toEqual([
      'file_hash:4bac27393bdd9777ce02453256c5577cd02275510b2227f473d03f533924f877',
      'url:http://x4z9arb.cn/4712/',
      'file_hash:79054025255fb1a26e4bc422aef54eb4',
      'ip:198.51.100.1',
      'ip:203.0.113.33',
      'ip:2001:db8:dead:beef:dead:beef:dead:1',
      'domain:paypa1-secure.example.net',
    ]);
  });

  it('takes the score from confidence and the verdict from indicator_types', () => {
    const byValue = new Map(result.entries.map((entry) => [entry.value, entry]));
    expect(byValue.get('http://x4z9arb.cn/4712/')).toMatchObject({
      verdict: 'malicious',
      score: 85,
      label: 'Malicious site hosting downloader',
    });
    expect(byValue.get('paypa1-secure.example.net')).toMatchObject({
      verdict: 'suspicious',
      score: 40,
    });
    expect(byValue.get('79054025255fb1a26e4bc422aef54eb4')).toMatchObject({
      verdict: 'malicious',
      score: 90,
    });
  });

  it('reports AND patterns, revoked indicators and other pattern languages instead of guessing', () => {
    expect(result.skipped).toEqual([
      { at: 'objects[6]', reason: 'unsupported object path file:name' },
      { at: 'objects[7]', reason: 'revoked' },
      { at: 'objects[8]', reason: 'pattern_type snort is not stix' },
    ]);
  });

  it('refuses a pattern that needs two observables at once', () => {
    expect(
      stixPatternObservables(
        "[ipv4-addr:value = '198.51.100.7'] AND [domain-name:value = 'example.com']",
      ),
    ).toMatch(/combines observables/);
    expect(
      stixPatternObservables("[file:hashes.'SHA-1' = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678']"),
    ).toEqual([{ kind: 'file_hash', value: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678' }]);
  });

  it('says what is wrong with a document that is not a bundle', () => {
    expect(parseStixBundle({ type: 'indicator' }).skipped[0]?.reason).toMatch(/not a STIX bundle/);
  });
});

describe('MISP feeds', () => {
  it('lists the event files of a manifest', () => {
    expect(parseMispManifest(fixtureJson('misp/manifest.json'))).toEqual([
      '5f0c1a2e-8a3c-4d7e-9b1f-2c3d4e5f6a7b',
    ]);
    expect(parseMispManifest({ notauuid: {} })).toMatch(/event uuids/);
  });

  it('takes the to_ids attributes of the event and its objects, composite values split', () => {
    const result = parseMispEvent(fixtureJson('misp/5f0c1a2e-8a3c-4d7e-9b1f-2c3d4e5f6a7b.json'));
    expect(valuesOf(result)).toEqual([
      'ip:103.82.243.5',
      'ip:154.12.233.66',
      'url:http://dl.example-bad.net/wp-content/Invoice_0311.zip',
      'domain:update.example-bad.net',
      'ip:178.18.246.136',
      'file_hash:e2c6a1d9f0b4c7e8a3d2f1b0c9e8d7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0',
    ]);
    expect(result.entries[0]).toMatchObject({
      verdict: 'malicious',
      score: 90,
      label: 'OSINT - Emotet epoch 4 infrastructure',
    });
    // The context-only domain (to_ids false) is reported; the link and filename are not indicators.
    expect(result.skipped).toEqual([
      { at: '6a1b2c3d-0004-4e5f-8a9b-0c1d2e3f4a5b', reason: 'to_ids is false' },
    ]);
  });
});

describe('plain lists', () => {
  it('reads abuse.ch CSV with the header in a comment, by column name, with a label column', () => {
    const result = parsePlainList(fixtureText('plain/feodo-ipblocklist.csv'), {
      column: 'dst_ip',
      labelColumn: 'malware',
    });
    expect(valuesOf(result)).toEqual([
      'ip:103.82.243.5',
      'ip:104.129.55.105',
      'ip:154.12.233.66',
      'ip:178.18.246.136',
    ]);
    expect(result.entries[0]?.label).toBe('QakBot');
    expect(result.skipped).toEqual([]);
  });

  it('reads one indicator a line with # comments', () => {
    const result = parsePlainList(fixtureText('plain/feodo-ipblocklist.txt'));
    expect(result.entries).toHaveLength(4);
    expect(
      result.entries.every((entry) => entry.kind === 'ip' && entry.verdict === 'malicious'),
    ).toBe(true);
  });

  it('reads Spamhaus DROP: CIDR ranges with ; comments and SBL labels', () => {
    const result = parsePlainList(fixtureText('plain/spamhaus-drop.txt'));
    expect(valuesOf(result)).toEqual([
      'ip:1.10.16.0/20',
      'ip:1.19.0.0/16',
      'ip:2.56.192.0/22',
      'ip:5.134.128.0/19',
      'ip:27.126.160.0/20',
    ]);
    expect(result.entries[0]?.label).toBe('SBL256894');
  });

  it('reads URLhaus CSV with quoted commas and reports the line that is not a URL', () => {
    const result = parsePlainList(fixtureText('plain/urlhaus-online.csv'), {
      column: 'url',
      kind: 'url',
      labelColumn: 'tags',
    });
    expect(valuesOf(result)).toEqual([
      'url:http://115.55.237.118:46305/Mozi.m',
      'url:https://files.example-drop.net/gate/loader.exe',
    ]);
    expect(result.entries[0]?.label).toBe('32-bit,elf,mips,Mozi');
    expect(result.skipped).toEqual([
      { at: 'line 12', reason: "'not a url at all' is not an indicator" },
    ]);
  });

  it('detects each line’s kind when the feed mixes them', () => {
    const result = parsePlainList(
      '# mixed\n8.8.4.4\nEVIL.example.com.\n44d88612fea8a8f36de82e1278abb02f\nhttps://a.example/x?y=1#frag\n',
    );
    expect(valuesOf(result)).toEqual([
      'ip:8.8.4.4',
      'domain:evil.example.com',
      'file_hash:44d88612fea8a8f36de82e1278abb02f',
      'url:https://a.example/x?y=1#frag',
    ]);
  });

  it('names the missing column instead of reading nothing silently', () => {
    expect(parsePlainList('a,b\n1,2\n', { column: 'dst_ip' }).skipped).toEqual([
      { at: 'header', reason: "no CSV header names column 'dst_ip'" },
    ]);
  });

  it('splits quoted CSV fields', () => {
    expect(splitCsvLine('"a,b","say ""hi""",c')).toEqual(['a,b', 'say "hi"', 'c']);
  });
});
