import {
  ApiKeyEntity,
  AssetEntity,
  FeedbackSequenceEntity,
  TenantEntity,
} from './application.entities';
import {
  EntitySummaryEntity,
  IncidentAlertEntity,
  IncidentEntity,
  IncidentEntityLinkEntity,
  ProjectionCheckpointEntity,
  TenantHourlyStatsEntity,
  TimelineEntity,
} from './read-model.entities';

export * from './application.entities';
export * from './read-model.entities';

export const ENTITIES = [
  TenantEntity,
  ApiKeyEntity,
  AssetEntity,
  FeedbackSequenceEntity,
  IncidentEntity,
  IncidentAlertEntity,
  IncidentEntityLinkEntity,
  EntitySummaryEntity,
  TimelineEntity,
  TenantHourlyStatsEntity,
  ProjectionCheckpointEntity,
];
