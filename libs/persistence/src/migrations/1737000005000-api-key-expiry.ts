import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE } from '../schema';

/**
 * API keys may expire: `expires_at` (null: never), honoured by the key lookup next to
 * `revoked_at`. The lookup returns the expiry too, so a cached key stops at its expiry even
 * while the database cannot be reached.
 */
export class ApiKeyExpiry1737000005000 implements MigrationInterface {
  readonly name = 'ApiKeyExpiry1737000005000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE public.api_keys ADD COLUMN IF NOT EXISTS expires_at timestamptz',
    );
    await queryRunner.query('DROP FUNCTION IF EXISTS public.soc_api_key_lookup(text)');
    await queryRunner.query(`CREATE FUNCTION public.soc_api_key_lookup(p_key_id text)
      RETURNS TABLE (key_id text, tenant_id text, role text, name text, salt bytea,
                     secret_hash bytea, expires_at timestamptz)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $fn$
        SELECT k.key_id, k.tenant_id, k.role, k.name, k.salt, k.secret_hash, k.expires_at
        FROM public.api_keys k
        WHERE k.key_id = p_key_id AND k.revoked_at IS NULL
          AND (k.expires_at IS NULL OR k.expires_at > now())
      $fn$`);
    await queryRunner.query('REVOKE ALL ON FUNCTION public.soc_api_key_lookup(text) FROM PUBLIC');
    await queryRunner.query(
      `GRANT EXECUTE ON FUNCTION public.soc_api_key_lookup(text) TO ${APP_ROLE}`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP FUNCTION IF EXISTS public.soc_api_key_lookup(text)');
    await queryRunner.query(`CREATE FUNCTION public.soc_api_key_lookup(p_key_id text)
      RETURNS TABLE (key_id text, tenant_id text, role text, name text, salt bytea, secret_hash bytea)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $fn$
        SELECT k.key_id, k.tenant_id, k.role, k.name, k.salt, k.secret_hash
        FROM public.api_keys k
        WHERE k.key_id = p_key_id AND k.revoked_at IS NULL
      $fn$`);
    await queryRunner.query(
      `GRANT EXECUTE ON FUNCTION public.soc_api_key_lookup(text) TO ${APP_ROLE}`,
    );
    await queryRunner.query('ALTER TABLE public.api_keys DROP COLUMN IF EXISTS expires_at');
  }
}
