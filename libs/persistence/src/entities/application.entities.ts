import { Column, Entity, PrimaryColumn } from 'typeorm';

import type { ApiKeyRole } from '@soc/contracts';

@Entity({ schema: 'public', name: 'tenants' })
export class TenantEntity {
  @PrimaryColumn('text', { name: 'tenant_id' }) tenantId!: string;
  @Column('text') name!: string;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
}

@Entity({ schema: 'public', name: 'api_keys' })
export class ApiKeyEntity {
  @PrimaryColumn('text', { name: 'key_id' }) keyId!: string;
  @Column('text', { name: 'tenant_id' }) tenantId!: string;
  @Column('text') role!: ApiKeyRole;
  @Column('text') name!: string;
  @Column('bytea') salt!: Buffer;
  @Column('bytea', { name: 'secret_hash' }) secretHash!: Buffer;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'revoked_at', nullable: true }) revokedAt!: Date | null;
}

@Entity({ schema: 'public', name: 'assets' })
export class AssetEntity {
  @PrimaryColumn('text', { name: 'tenant_id' }) tenantId!: string;
  @PrimaryColumn('text', { name: 'entity_type' }) entityType!: string;
  @PrimaryColumn('text') value!: string;
  @Column('smallint') criticality!: number;
  @Column('text', { nullable: true }) owner!: string | null;
  @Column('text', { array: true }) tags!: string[];
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}

@Entity({ schema: 'public', name: 'feedback_sequences' })
export class FeedbackSequenceEntity {
  @PrimaryColumn('text', { name: 'tenant_id' }) tenantId!: string;
  @PrimaryColumn('text', { name: 'incident_id' }) incidentId!: string;
  @Column('integer', { name: 'last_sequence' }) lastSequence!: number;
}
