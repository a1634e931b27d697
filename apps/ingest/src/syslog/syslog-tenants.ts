import { BlockList, isIP } from 'node:net';

/** One `SYSLOG_TENANT_BY_SENDER` entry: senders in `network` belong to `tenantId`. */
export interface SenderTenantRule {
  readonly network: string;
  readonly tenantId: string;
}

/**
 * Reads `10.1.0.0/16=acme,192.0.2.7=globex,2001:db8::/32=initech`: an address or a CIDR
 * network, `=`, a tenant id. Throws naming the entry that is not one, so a typo stops start-up
 * instead of sending a sender's alerts to the default tenant.
 */
export function parseSenderTenants(text: string): SenderTenantRule[] {
  const rules: SenderTenantRule[] = [];
  for (const entry of text
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e.length > 0)) {
    const [network = '', tenantId = '', extra] = entry.split('=').map((part) => part.trim());
    const [address = '', prefix] = network.split('/');
    const family = isIP(address);
    const bits = prefix === undefined ? (family === 6 ? 128 : 32) : Number(prefix);
    const maxBits = family === 6 ? 128 : 32;
    if (family === 0 || !Number.isInteger(bits) || bits < 0 || bits > maxBits)
      throw new Error(`SYSLOG_TENANT_BY_SENDER: '${entry}' is not <address or CIDR>=<tenant>`);
    if (tenantId.length === 0 || extra !== undefined)
      throw new Error(`SYSLOG_TENANT_BY_SENDER: '${entry}' names no single tenant`);
    rules.push({ network: `${address}/${bits}`, tenantId });
  }
  return rules;
}

/**
 * The tenant of a syslog sender: the first rule whose network holds its address, else the
 * listener's tenant (SYSLOG_TENANT_ID), else none (the line is dead-lettered). Syslog carries
 * no credentials, so the tenant is the operator's decision, never the message's.
 */
export class SenderTenants {
  private readonly lists: { readonly list: BlockList; readonly tenantId: string }[];

  constructor(
    rules: readonly SenderTenantRule[],
    private readonly fallback: string | null,
  ) {
    this.lists = rules.map((rule) => {
      const [address = '', bits = '32'] = rule.network.split('/');
      const list = new BlockList();
      list.addSubnet(address, Number(bits), isIP(address) === 6 ? 'ipv6' : 'ipv4');
      return { list, tenantId: rule.tenantId };
    });
  }

  tenantOf(remoteAddress: string | undefined): string | null {
    const address = remoteAddress?.startsWith('::ffff:') ? remoteAddress.slice(7) : remoteAddress;
    const family = address === undefined ? 0 : isIP(address);
    if (address !== undefined && family !== 0) {
      const type = family === 6 ? 'ipv6' : 'ipv4';
      for (const { list, tenantId } of this.lists) if (list.check(address, type)) return tenantId;
    }
    return this.fallback;
  }
}
