import type { AlertEntity } from '@soc/contracts';
import { canonicalIndicator, extractIndicators, type Indicator } from './indicators';
import { formatIp, parseIp } from './ip-address';
import { EMPTY_NEVER_SEND, neverSendReason } from './never-send';

const ip = (value: string): Indicator => canonicalIndicator('ip', value) as Indicator;
const policy = {
  ownDomains: ['acme.example', 'acme-corp.com'],
  allowlist: [
    '8.8.8.8',
    '198.18.0.0/15',
    '1.1.1.0/24',
    'partner.example.org',
    'd41d8cd98f00b204e9800998ecf8427e',
  ],
};

describe('never-send rules', () => {
  it.each([
    ['10.1.2.3', 'private address (10.0.0.0/8)'],
    ['172.31.255.255', 'private address (172.16.0.0/12)'],
    ['192.168.0.1', 'private address (192.168.0.0/16)'],
    ['100.64.0.9', 'carrier-grade NAT address (100.64.0.0/10)'],
    ['127.0.0.1', 'loopback address (127.0.0.0/8)'],
    ['169.254.169.254', 'link-local address (169.254.0.0/16)'],
    ['203.0.113.7', 'documentation address (203.0.113.0/24)'],
    ['224.0.0.251', 'multicast address (224.0.0.0/4)'],
    ['255.255.255.255', 'reserved address (240.0.0.0/4)'],
    ['::1', 'loopback address (::1/128)'],
    ['fe80::1%eth0', 'link-local address (fe80::/10)'],
    ['fd12:3456:789a::1', 'unique local address (fc00::/7)'],
    ['2001:db8::42', 'documentation address (2001:db8::/32)'],
    ['::ffff:10.0.0.5', 'private address (10.0.0.0/8)'],
  ])('never sends %s: %s', (address, reason) => {
    expect(neverSendReason(ip(address), EMPTY_NEVER_SEND)).toBe(reason);
  });

  it.each(['118.25.6.39', '185.220.101.34', '2606:4700:4700::1111', '172.32.0.1', '100.128.0.1'])(
    'sends the public address %s',
    (address) => {
      expect(neverSendReason(ip(address), EMPTY_NEVER_SEND)).toBeNull();
    },
  );

  it('keeps the tenant’s own domains, their subdomains and URLs on them', () => {
    const domain = canonicalIndicator('domain', 'VPN.Acme.Example') as Indicator;
    const url = canonicalIndicator(
      'url',
      'https://user@intranet.acme-corp.com:8443/login',
    ) as Indicator;
    const lookalike = canonicalIndicator('domain', 'notacme.example') as Indicator;
    expect(neverSendReason(domain, policy)).toBe("the tenant's own domain (acme.example)");
    expect(neverSendReason(url, policy)).toBe("the tenant's own domain (acme-corp.com)");
    expect(neverSendReason(lookalike, policy)).toBeNull();
  });

  it('keeps allowlisted values, ranges and domains', () => {
    expect(neverSendReason(ip('8.8.8.8'), policy)).toBe('allowlisted (8.8.8.8)');
    expect(neverSendReason(ip('1.1.1.1'), policy)).toBe('allowlisted (1.1.1.0/24)');
    expect(
      neverSendReason(canonicalIndicator('domain', 'api.partner.example.org') as Indicator, policy),
    ).toBe('allowlisted (partner.example.org)');
    expect(
      neverSendReason(
        canonicalIndicator('file_hash', 'D41D8CD98F00B204E9800998ECF8427E') as Indicator,
        policy,
      ),
    ).toBe('allowlisted (d41d8cd98f00b204e9800998ecf8427e)');
    expect(neverSendReason(ip('1.1.2.1'), policy)).toBeNull();
  });

  it('treats a URL on a private address as that address', () => {
    const url = canonicalIndicator('url', 'http://192.168.10.5:8080/admin') as Indicator;
    expect(neverSendReason(url, EMPTY_NEVER_SEND)).toBe('private address (192.168.0.0/16)');
  });
});

describe('indicators of an alert', () => {
  const entity = (type: AlertEntity['type'], value: string): AlertEntity => ({
    type,
    value,
    role: null,
    hashAlgorithm: null,
  });

  it('takes IPs, domains, URLs and hashes once each, canonical, and leaves the rest', () => {
    const indicators = extractIndicators({
      entities: [
        entity('host', 'web-01'),
        entity('ip', '118.25.6.39'),
        entity('ip', '::FFFF:118.25.6.39'),
        entity('domain', 'Evil.Example.COM.'),
        entity('url', 'HTTP://Evil.Example.COM/a/B'),
        entity('file_hash', '44D88612FEA8A8F36DE82E1278ABB02F'),
        entity('ip', 'not-an-ip'),
        entity('user', 'corp\\alice'),
      ],
    });
    expect(indicators).toEqual([
      { kind: 'ip', value: '118.25.6.39', hashAlgorithm: null },
      { kind: 'domain', value: 'evil.example.com', hashAlgorithm: null },
      { kind: 'url', value: 'http://evil.example.com/a/B', hashAlgorithm: null },
      { kind: 'file_hash', value: '44d88612fea8a8f36de82e1278abb02f', hashAlgorithm: 'md5' },
    ]);
  });

  it('writes IPv6 addresses in their RFC 5952 form', () => {
    expect(formatIp(parseIp('2001:0DB8:0000:0000:0000:ff00:0042:8329')!)).toBe(
      '2001:db8::ff00:42:8329',
    );
    expect(formatIp(parseIp('::')!)).toBe('::');
    expect(formatIp(parseIp('1:0:0:2:0:0:0:3')!)).toBe('1:0:0:2::3');
    expect(parseIp('1::2::3')).toBeUndefined();
    expect(parseIp('256.1.1.1')).toBeUndefined();
  });
});
