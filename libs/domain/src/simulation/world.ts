import { FIRST_NAMES, SERVER_ROLES } from './catalog';
import type { Prng } from './prng';

export interface Workstation {
  readonly host: string;
  readonly user: string;
  readonly email: string;
  readonly ip: string;
}

export interface Server {
  readonly host: string;
  readonly ip: string;
}

export interface TenantWorld {
  readonly id: string;
  readonly weight: number;
  readonly workstations: readonly Workstation[];
  readonly servers: readonly Server[];
  readonly admins: readonly string[];
  readonly serviceAccounts: readonly string[];
  /**
   * Sizes of the virtual pools noise draws external addresses, domains and file hashes from
   * (values are derived from the index, not stored): they grow with the traffic, so a
   * popular destination stays as popular at a thousand alerts an hour as at a million.
   */
  readonly externalIps: number;
  readonly benignDomains: number;
  readonly noiseHashes: number;
  readonly salt: number;
}

export const hex = (rng: Prng, length: number): string => {
  let text = '';
  for (let i = 0; i < length; i += 1) text += '0123456789abcdef'[rng.int(0, 15)];
  return text;
};

/** Public addresses from the documentation ranges (RFC 5737): realistic, never real hosts. */
export const documentationIp = (rng: Prng): string =>
  `${rng.pick(['192.0.2', '198.51.100', '203.0.113'])}.${rng.int(1, 254)}`;

export interface WorldSize {
  readonly id: string;
  /** 1-based tenant index: the second octet of its addresses. */
  readonly index: number;
  readonly weight: number;
  readonly stations: number;
  readonly servers: number;
  readonly noisePerHour: number;
}

/** A tenant's hosts, users and address pools. */
export function buildWorld(rng: Prng, size: WorldSize): TenantWorld {
  const { id, index, weight, stations: count, servers: serverCount, noisePerHour } = size;
  const workstations: Workstation[] = [];
  for (let i = 1; i <= count; i += 1) {
    const name = `${rng.pick(FIRST_NAMES)}${String(i).padStart(3, '0')}`;
    workstations.push({
      host: `ws-${String(i).padStart(4, '0')}`,
      user: `${id}\\${name}`,
      email: `${name}@${id}.example`,
      ip: `10.${index}.${1 + (Math.floor(i / 250) % 99)}.${(i % 250) + 2}`,
    });
  }
  const servers: Server[] = Array.from({ length: serverCount }, (_, i) => {
    const role = SERVER_ROLES[i % SERVER_ROLES.length] as string;
    const n = Math.floor(i / SERVER_ROLES.length) + 1;
    return {
      host: `${role}-${String(n).padStart(2, '0')}`,
      ip: `10.${index}.${100 + Math.floor(i / 250)}.${(i % 250) + 2}`,
    };
  });
  return {
    id,
    weight,
    externalIps: Math.max(762, Math.round(4 * noisePerHour)),
    benignDomains: Math.max(300, Math.round(noisePerHour)),
    noiseHashes: Math.max(500, Math.round(noisePerHour / 2)),
    salt: rng.int(1, 0x7fffffff),
    workstations,
    servers,
    admins: ['it-admin1', 'it-admin2', 'it-admin3'].map((name) => `${id}\\${name}`),
    serviceAccounts: ['svc_backup', 'svc_scanner', 'svc_deploy', 'svc_sync'].map(
      (name) => `${id}\\${name}`,
    ),
  };
}

/** An index into a virtual pool, skewed towards the first items. */
export const pickIndex = (rng: Prng, size: number, skew: number): number =>
  Math.floor(Math.pow(rng.next(), skew) * size);

/** The RFC 5737 documentation ranges first, then the shared address space 100.64.0.0/10. */
export function externalIpAt(index: number): string {
  if (index < 762)
    return `${['192.0.2', '198.51.100', '203.0.113'][Math.floor(index / 254)] as string}.${(index % 254) + 1}`;
  const i = index - 762;
  return `100.${64 + ((i >>> 16) & 63)}.${(i >>> 8) & 255}.${i & 255}`;
}

const DOMAIN_WORDS = ['cdn', 'api', 'static', 'updates', 'telemetry', 'news'];
export const benignDomainAt = (index: number): string =>
  `${DOMAIN_WORDS[index % DOMAIN_WORDS.length] as string}${index}.example.net`;

/** A SHA-256-looking hash derived from a pool index (mixing, not hashing anything real). */
export function hashAt(index: number, salt: number): string {
  let text = '';
  let state = (index * 0x9e3779b1 + salt) >>> 0;
  for (let i = 0; i < 8; i += 1) {
    state = Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) >>> 0;
    state = (state ^ Math.imul(state ^ (state >>> 12), 0x297a2d39)) >>> 0;
    text += state.toString(16).padStart(8, '0');
  }
  return text;
}
