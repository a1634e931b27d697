import { InitialSchema1737000000000 } from './1737000000000-initial-schema';
import { StreamPositions1737000001000 } from './1737000001000-stream-positions';
import { ThreatIntel1737000013000 } from './1737000013000-threat-intel';

/** Every migration in order; the data source runs these, never `synchronize`. */
export const MIGRATIONS = [
  InitialSchema1737000000000,
  StreamPositions1737000001000,
  ThreatIntel1737000013000,
];
