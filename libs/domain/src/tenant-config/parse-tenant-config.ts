import type { TenantConfigDocument } from '@soc/contracts';
import { parsePolicy } from '../correlation/parse-policy';
import { DEFAULT_CORRELATION_POLICY } from '../correlation/policy';
import { isRecord, join, unknownKeys, type Raw } from '../correlation/parse-fields';
import type { ConfigFieldError } from '../scoring';

/** A configuration larger than this (as JSON text, in UTF-8 bytes) is refused. */
export const MAX_TENANT_CONFIG_BYTES = 256 * 1024;
export const MAX_TENANT_CONNECTORS = 50;
export const MAX_REJECTED_PROPOSALS = 1_000;

const CONNECTOR_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
/**
 * Connector fields that hold credentials: only as `{ "env": "NAME" }` references (the
 * connectors file's form), never the secret: the configuration travels in events and rows.
 */
const SECRET_FIELDS = ['token', 'password', 'apiKey', 'clientSecret'];
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const isEnvReference = (value: unknown): boolean =>
  isRecord(value) &&
  Object.keys(value).length === 1 &&
  typeof value['env'] === 'string' &&
  ENV_NAME.test(value['env']);

export type TenantConfigResult =
  | { readonly ok: true; readonly config: TenantConfigDocument }
  | { readonly ok: false; readonly errors: readonly ConfigFieldError[] };

export const EMPTY_TENANT_CONFIG: TenantConfigDocument = {
  correlation: {},
  connectors: [],
  rejectedProposals: [],
};

/**
 * Validates a tenant configuration document (see TenantConfigDocument): `correlation` as a
 * policy section over the built-in defaults (unknown fields, bounds and the cross-field rules
 * of CORRELATION_CONFIG_FILE), connectors by id, tenant and credentials, each error with the
 * field path under `path`. Absent parts are empty. Pure.
 */
export function parseTenantConfig(
  input: unknown,
  { tenantId, path = '' }: { readonly tenantId: string; readonly path?: string },
): TenantConfigResult {
  if (!isRecord(input)) return { ok: false, errors: [{ path, message: 'must be an object' }] };
  const bytes = new TextEncoder().encode(JSON.stringify(input)).length;
  if (bytes > MAX_TENANT_CONFIG_BYTES)
    return {
      ok: false,
      errors: [
        { path, message: `must be at most ${MAX_TENANT_CONFIG_BYTES} bytes as JSON, is ${bytes}` },
      ],
    };
  const errors: ConfigFieldError[] = [];
  unknownKeys(input, ['correlation', 'connectors', 'rejectedProposals'], path, errors);
  const correlation = input['correlation'] ?? {};
  if (isRecord(correlation))
    parsePolicy(correlation, DEFAULT_CORRELATION_POLICY, join(path, 'correlation'), errors);
  else errors.push({ path: join(path, 'correlation'), message: 'must be an object' });
  const connectors = input['connectors'] ?? [];
  checkConnectors(connectors, { tenantId, path: join(path, 'connectors'), errors });
  const rejected = input['rejectedProposals'] ?? [];
  const rejectedPath = join(path, 'rejectedProposals');
  if (
    !Array.isArray(rejected) ||
    rejected.length > MAX_REJECTED_PROPOSALS ||
    rejected.some((id) => typeof id !== 'string' || id.length === 0 || id.length > 200)
  )
    errors.push({
      path: rejectedPath,
      message: `must be an array of at most ${MAX_REJECTED_PROPOSALS} proposal ids`,
    });
  if (errors.length > 0 || !isRecord(correlation)) return { ok: false, errors };
  return {
    ok: true,
    config: {
      correlation,
      connectors: connectors as Raw[],
      rejectedProposals: rejected as string[],
    },
  };
}

function checkConnectors(
  list: unknown,
  {
    tenantId,
    path,
    errors,
  }: { readonly tenantId: string; readonly path: string; readonly errors: ConfigFieldError[] },
): void {
  if (!Array.isArray(list) || list.length > MAX_TENANT_CONNECTORS) {
    errors.push({
      path,
      message: `must be an array of at most ${MAX_TENANT_CONNECTORS} connectors`,
    });
    return;
  }
  const ids = new Set<string>();
  list.forEach((item, index) => {
    const at = join(path, index);
    if (!isRecord(item)) {
      errors.push({ path: at, message: 'must be an object' });
      return;
    }
    const id = item['id'];
    if (typeof id !== 'string' || !CONNECTOR_ID.test(id))
      errors.push({ path: join(at, 'id'), message: 'must be 1-100 letters, digits, _ . -' });
    else if (ids.has(id))
      errors.push({ path: join(at, 'id'), message: `duplicate connector id '${id}'` });
    else ids.add(id);
    if (typeof item['type'] !== 'string' || item['type'].length === 0)
      errors.push({ path: join(at, 'type'), message: 'required connector type' });
    if (item['tenant'] !== undefined && item['tenant'] !== tenantId)
      errors.push({
        path: join(at, 'tenant'),
        message: `must be ${tenantId}, the tenant configured`,
      });
    for (const field of SECRET_FIELDS) {
      const value = item[field];
      if (value !== undefined && !isEnvReference(value))
        errors.push({
          path: join(at, field),
          message:
            'must be an { "env": "NAME" } reference: secrets are never stored in the configuration',
        });
    }
  });
}
