import { InitialSchema1737000000000 } from './1737000000000-initial-schema';
import { StreamPositions1737000001000 } from './1737000001000-stream-positions';
import { ApiKeyExpiry1737000005000 } from './1737000005000-api-key-expiry';
import { ThreatIntel1737000013000 } from './1737000013000-threat-intel';
import { OriginalObservedAt1737000014000 } from './1737000014000-original-observed-at';
import { Stories1737000016500 } from './1737000016500-stories';
import { ProjectorDeadLetters1737000030000 } from './1737000030000-projector-dead-letters';
import { FeedbackOutbox1737000031000 } from './1737000031000-feedback-outbox';
import { TenantConfig1737000015000 } from './1737000015000-tenant-config';
import { ServiceRoles1737000040000 } from './1737000040000-service-roles';

/** Every migration in order; the data source runs these, never `synchronize`. */
export const MIGRATIONS = [
  InitialSchema1737000000000,
  StreamPositions1737000001000,
  ApiKeyExpiry1737000005000,
  ThreatIntel1737000013000,
  OriginalObservedAt1737000014000,
  Stories1737000016500,
  ProjectorDeadLetters1737000030000,
  FeedbackOutbox1737000031000,
  TenantConfig1737000015000,
  ServiceRoles1737000040000,
];
