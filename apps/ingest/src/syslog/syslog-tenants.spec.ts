import { parseSenderTenants, SenderTenants } from './syslog-tenants';

describe('syslog tenants by sender address', () => {
  const tenants = new SenderTenants(
    parseSenderTenants('10.1.0.0/16=acme, 192.0.2.7=globex,2001:db8::/32=initech'),
    'default-tenant',
  );

  it('gives a sender the tenant of the first network that holds its address', () => {
    expect(tenants.tenantOf('10.1.200.3')).toBe('acme');
    expect(tenants.tenantOf('::ffff:192.0.2.7')).toBe('globex');
    expect(tenants.tenantOf('2001:db8::1')).toBe('initech');
  });

  it("falls back to the listener's tenant, or to none", () => {
    expect(tenants.tenantOf('10.2.0.1')).toBe('default-tenant');
    expect(new SenderTenants([], null).tenantOf('10.2.0.1')).toBeNull();
    expect(tenants.tenantOf(undefined)).toBe('default-tenant');
  });

  it('refuses an entry that is not an address or network and one tenant', () => {
    expect(() => parseSenderTenants('10.1.0.0/33=acme')).toThrow(/'10.1.0.0\/33=acme'/);
    expect(() => parseSenderTenants('example.com=acme')).toThrow(/is not <address or CIDR>/);
    expect(() => parseSenderTenants('10.0.0.1=')).toThrow(/names no single tenant/);
  });
});
