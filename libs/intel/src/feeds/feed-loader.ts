import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BLOCKLIST_DEFAULTS,
  parseMispEvent,
  parseMispManifest,
  parsePlainList,
  parseStixBundle,
  type FeedParseResult,
  type LoadedFeed,
  type PlainListOptions,
} from '@soc/domain';
import { fetchText } from '../http/fetch-json';

export const FEED_FORMATS = ['auto', 'stix', 'misp', 'plain'] as const;
export type FeedFormat = (typeof FEED_FORMATS)[number];

/** Where a feed comes from and how to read it. `location` is a file path or an http(s) URL. */
export interface FeedSource {
  readonly name: string;
  readonly format: FeedFormat;
  /** For MISP: the folder or base URL holding manifest.json and the event files. */
  readonly location: string;
  readonly plain?: PlainListOptions;
}

export interface FeedLoadLimits {
  /** Bound on one file or answer; abuse.ch's and Spamhaus's lists are a few MiB at most. */
  readonly maxBytes: number;
  readonly timeoutMs: number;
}

const isUrl = (location: string): boolean => /^https?:\/\//i.test(location);

async function readLocation(location: string, limits: FeedLoadLimits): Promise<string> {
  if (isUrl(location)) return fetchText({ url: location, ...limits });
  const text = await readFile(location, 'utf8');
  if (Buffer.byteLength(text) > limits.maxBytes)
    throw new Error(`${location} is larger than ${limits.maxBytes} bytes`);
  return text;
}

const childOf = (location: string, file: string): string =>
  isUrl(location) ? `${location.replace(/\/+$/, '')}/${file}` : join(location, file);

async function loadMisp(source: FeedSource, limits: FeedLoadLimits): Promise<FeedParseResult> {
  const uuids = parseMispManifest(
    JSON.parse(await readLocation(childOf(source.location, 'manifest.json'), limits)),
  );
  if (typeof uuids === 'string') throw new Error(`${source.name}: ${uuids}`);
  const entries = [];
  const skipped = [];
  for (const uuid of uuids) {
    const event = parseMispEvent(
      JSON.parse(await readLocation(childOf(source.location, `${uuid}.json`), limits)),
    );
    entries.push(...event.entries);
    skipped.push(...event.skipped.map((skip) => ({ ...skip, at: `${uuid}: ${skip.at}` })));
  }
  return { entries, skipped };
}

/**
 * A feed of unstated format: a folder (or URL ending in /) is a MISP feed; a JSON document
 * is a STIX bundle (`type: bundle`) or one MISP event (`Event`); anything else is a plain
 * list read with the source's plain options.
 */
async function loadDetected(source: FeedSource, limits: FeedLoadLimits): Promise<FeedParseResult> {
  const isFolder = isUrl(source.location)
    ? source.location.endsWith('/')
    : await stat(source.location).then((s) => s.isDirectory());
  if (isFolder) return loadMisp(source, limits);
  const text = await readLocation(source.location, limits);
  if (text.trimStart().startsWith('{')) {
    const json = JSON.parse(text) as Record<string, unknown>;
    if (json['type'] === 'bundle') return parseStixBundle(json, BLOCKLIST_DEFAULTS);
    if ('Event' in json) return parseMispEvent(json);
    throw new Error(`${source.location}: JSON that is neither a STIX bundle nor a MISP event`);
  }
  return parsePlainList(text, source.plain ?? {});
}

/** Reads and parses one feed; throws with the feed's name when it cannot be read at all. */
export async function loadFeed(
  source: FeedSource,
  limits: FeedLoadLimits,
): Promise<LoadedFeed & { skipped: number }> {
  let parsed: FeedParseResult;
  switch (source.format) {
    case 'auto':
      parsed = await loadDetected(source, limits);
      break;
    case 'stix':
      parsed = parseStixBundle(
        JSON.parse(await readLocation(source.location, limits)),
        BLOCKLIST_DEFAULTS,
      );
      break;
    case 'misp':
      parsed = await loadMisp(source, limits);
      break;
    case 'plain':
      parsed = parsePlainList(await readLocation(source.location, limits), source.plain ?? {});
      break;
    default: {
      const unreachable: never = source.format;
      throw new Error(`unknown feed format ${String(unreachable)}`);
    }
  }
  return { name: source.name, entries: parsed.entries, skipped: parsed.skipped.length };
}

/**
 * A feed given on the command line or in INTEL_FEEDS: `[name=]format:location[#column[,label]]`,
 * e.g. `feodo=plain:feeds/ipblocklist.csv#dst_ip,malware`, `stix:bundle.json`,
 * `misp:https://host/feed`. Without a format the file's content decides (see loadDetected);
 * the name defaults to the file's.
 */
export function parseFeedSpec(spec: string): FeedSource | string {
  const named = /^([A-Za-z0-9._-]+)=(.*)$/.exec(spec);
  const rest = named ? (named[2] as string) : spec;
  const formatMatch = /^(stix|misp|plain):(.*)$/.exec(rest);
  const format: FeedFormat = formatMatch ? (formatMatch[1] as FeedFormat) : 'auto';
  const target = formatMatch ? (formatMatch[2] as string) : rest;
  const hash = format === 'plain' || format === 'auto' ? target.lastIndexOf('#') : -1;
  const location = hash >= 0 ? target.slice(0, hash) : target;
  if (location.length === 0) return `feed '${spec}' names no file or URL`;
  const name = named
    ? (named[1] as string)
    : (location.split(/[/\\]/).pop() ?? location).replace(/\.[^.]*$/, '');
  if (hash < 0) return { name, format, location };
  const [column, labelColumn] = target.slice(hash + 1).split(',');
  const index = Number(column);
  return {
    name,
    format,
    location,
    plain: {
      column: column !== undefined && Number.isInteger(index) && column !== '' ? index : column,
      ...(labelColumn ? { labelColumn } : {}),
    },
  };
}
