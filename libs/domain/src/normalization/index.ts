export { detectFormat, MAX_RECORD_CHARS, normalizeRecord } from './normalize';
export type { AlertRejection, NormalizeContext, NormalizeResult } from './types';
export { contentAlertId, fnv1a64Hex } from './content-hash';
