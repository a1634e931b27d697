export { detectFormat, MAX_RECORD_BYTES, normalizeParsedLine, normalizeRecord } from './normalize';
export type { AlertRejection, NormalizeContext, NormalizeResult } from './types';
export { contentAlertId, fnv1a64Hex } from './content-hash';
export { ALERT_LIMITS, storableText, utf8Head, utf8Length } from './limits';
