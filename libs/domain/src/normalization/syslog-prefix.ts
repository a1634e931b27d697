import type { EpochMs } from '@soc/contracts';
import { parseHumanTime, parseIso, spaceTokens } from './time';

/**
 * The time of a syslog header in front of a CEF or LEEF payload (RFC 3164 or RFC 5424, as
 * QRadar's LEEF guide and ArcSight's CEF guide allow):
 *   `<13>Jan 18 11:07:53 host`, `Jan 18 11:07:53 host`, `Jan 23 12:10:16 UTC host`,
 *   `Oct 30, 2021 10:34:23 host`, `<13>1 2019-01-18T11:07:53.520Z host`, `2019-01-18T11:07:53Z host`.
 * Undefined when the prefix is empty or carries no readable time (the host is not needed).
 */
export function syslogPrefixTime(prefix: string, ingestedAt: EpochMs): EpochMs | undefined {
  let rest = prefix.trim();
  if (rest.length === 0 || rest.length > 512) return undefined;
  if (rest.startsWith('<')) {
    const close = rest.indexOf('>');
    if (close < 2 || close > 4) return undefined;
    rest = rest.slice(close + 1);
    // RFC 5424: `<PRI>VERSION SP TIMESTAMP`
    if (rest.startsWith('1 ')) rest = rest.slice(2);
  }
  const tokens = spaceTokens(rest, 6);
  const first = tokens[0];
  if (first === undefined) return undefined;
  const iso = parseIso(first);
  if (iso !== undefined) return iso;
  return parseHumanTime(tokens, ingestedAt)?.ms;
}
