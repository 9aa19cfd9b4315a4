/**
 * The reference Django schema (shared/legacy-system.md) as plain DDL, as Django's migrations create
 * it for PostgreSQL and SQLite, plus an unrelated `crm_order` table with a foreign key to
 * crm_contact.id (the application's other tables). Publish tests and the publish benchmark create
 * their targets with it; crmsync itself never creates the application's tables.
 */

export type Dialect = 'postgres' | 'sqlite'

/** CREATE TABLE statements of the Django app `crm`, plus an unrelated `crm_order` pointing at crm_contact.id. */
export function djangoDdl(d: Dialect): string[] {
  const pk = d === 'postgres' ? 'bigserial PRIMARY KEY' : 'integer PRIMARY KEY AUTOINCREMENT'
  const ts = d === 'postgres' ? 'timestamptz' : 'datetime'
  const bool = d === 'postgres' ? 'boolean' : 'bool'
  const fk = (t: string): string => `bigint NULL REFERENCES ${t} (id) DEFERRABLE INITIALLY DEFERRED`
  return [
    `CREATE TABLE crm_division (id ${pk}, hubspot_id varchar(32) NOT NULL UNIQUE, name varchar(255) NOT NULL, code varchar(16) NOT NULL, region varchar(64) NOT NULL, is_active ${bool} NULL, hs_created_at ${ts} NULL, hs_updated_at ${ts} NULL, last_synced_at ${ts} NOT NULL)`,
    `CREATE TABLE crm_contact (id ${pk}, hubspot_id varchar(32) NOT NULL UNIQUE, email varchar(254) NOT NULL, first_name varchar(100) NOT NULL, last_name varchar(100) NOT NULL, phone varchar(32) NOT NULL, lifecycle_stage varchar(32) NOT NULL, division_id ${fk('crm_division')}, hs_created_at ${ts} NULL, hs_updated_at ${ts} NULL, last_synced_at ${ts} NOT NULL)`,
    `CREATE TABLE crm_deal (id ${pk}, hubspot_id varchar(32) NOT NULL UNIQUE, name varchar(255) NOT NULL, amount ${d === 'postgres' ? 'numeric(14,2)' : 'decimal'} NULL, stage varchar(64) NOT NULL, pipeline varchar(64) NOT NULL, close_date date NULL, division_id ${fk('crm_division')}, hs_created_at ${ts} NULL, hs_updated_at ${ts} NULL, last_synced_at ${ts} NOT NULL)`,
    `CREATE TABLE crm_deal_contacts (id ${pk}, deal_id bigint NOT NULL REFERENCES crm_deal (id), contact_id bigint NOT NULL REFERENCES crm_contact (id), UNIQUE (deal_id, contact_id))`,
    `CREATE TABLE crm_appointment (id ${pk}, hubspot_id varchar(32) NOT NULL UNIQUE, title varchar(255) NOT NULL, starts_at ${ts} NULL, ends_at ${ts} NULL, status varchar(32) NOT NULL, contact_id ${fk('crm_contact')}, deal_id ${fk('crm_deal')}, division_id ${fk('crm_division')}, hs_created_at ${ts} NULL, hs_updated_at ${ts} NULL, last_synced_at ${ts} NOT NULL)`,
    `CREATE TABLE crm_order (id ${pk}, contact_id bigint NOT NULL REFERENCES crm_contact (id), total ${d === 'postgres' ? 'numeric(10,2)' : 'decimal'} NOT NULL)`,
  ]
}
