-- autoreport: managed views.

-- The logs of captured changes, one per source table of an incremental view (autoreport_log.log_<oid>,
-- unlogged: a crash empties them, and the views they feed are then refreshed in full).
CREATE SCHEMA autoreport_log;
REVOKE ALL ON SCHEMA autoreport_log FROM PUBLIC;
COMMENT ON SCHEMA autoreport_log IS 'captured changes of the source tables of managed views (internal)';

-- Managed views: a table kept equal to a query's result. Written only by the functions below, as the
-- extension's owner, after their own checks; read through autoreport.view_status.
--
-- pg_dump keeps managed_view and view_source (extension configuration tables): relid, owner and
-- source are dumped by name (regclass, regrole) and so name the restored objects. What only holds in
-- the database a row was written in (the tree's OIDs, the snapshot applied, the captured changes) is
-- known by `origin`: a row restored elsewhere is taken over at its first refresh, which analyses
-- `definition` again, captures its sources anew and refreshes it in full.
CREATE TABLE @extschema@.managed_view (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  relid regclass NOT NULL UNIQUE,       -- the view's table
  owner regrole NOT NULL,
  query text NOT NULL,                  -- as given to create_view()
  -- The analysed query (nodeToString, as PostgreSQL keeps a view's): names are looked up again at
  -- each refresh, so renames are followed, and a dropped or retyped column is found.
  tree text NOT NULL,
  -- The query deparsed with every name qualified, as of the last refresh or DDL on a source.
  definition text NOT NULL,
  -- The cluster and database the row's OIDs, tree and snapshot belong to: '<system identifier>/<database OID>'.
  origin text NOT NULL,
  refresh text NOT NULL CHECK (refresh IN ('incremental', 'immediate', 'full')),
  -- 'table': created by create_view(); 'materialized view': adopted by manage_view()
  kind text NOT NULL DEFAULT 'table' CHECK (kind IN ('table', 'materialized view')),
  schedule text,                        -- a cron expression, 'on change', or NULL (on demand only)
  time_zone text,                       -- the zone a cron schedule is read in
  needs_full boolean NOT NULL DEFAULT true,
  full_reason text,
  broken text,                          -- why the view cannot be refreshed; NULL when it can
  -- What the view's contents include: every change committed in applied_snapshot, and those of the
  -- transaction applied_xid up to (not including) its command applied_cid.
  applied_snapshot pg_snapshot,
  applied_xid xid8,
  applied_cid bigint,
  last_refresh_at timestamptz,
  last_mode text,
  last_reason text,
  last_took interval,
  last_rows bigint,
  last_error text,                      -- why the last scheduled refresh failed, until one succeeds
  last_error_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE @extschema@.managed_view IS 'managed views (read autoreport.view_status instead)';

-- The tables a view reads, in the order of its query's range table.
CREATE TABLE @extschema@.view_source (
  view bigint NOT NULL REFERENCES @extschema@.managed_view (id) ON DELETE CASCADE,
  position integer NOT NULL,
  source regclass NOT NULL,
  PRIMARY KEY (view, position)
);
CREATE INDEX ON @extschema@.view_source (source);
COMMENT ON TABLE @extschema@.view_source IS 'the tables each managed view reads (internal)';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.managed_view', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.managed_view_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.view_source', '');
CREATE TRIGGER wake_scheduler AFTER INSERT ON @extschema@.managed_view
  FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.wake_scheduler();

-- A captured table and its log.
CREATE TABLE @extschema@.capture (
  source oid PRIMARY KEY,
  log oid NOT NULL UNIQUE,
  wake boolean NOT NULL DEFAULT false,  -- its triggers wake the scheduler: an 'on change' view reads it
  immediate boolean NOT NULL DEFAULT false -- its triggers apply changes: an 'immediate' view reads it
);
COMMENT ON TABLE @extschema@.capture IS 'tables whose changes are captured for managed views, and their logs (internal)';

-- One row, in an unlogged table: missing after a crash, when captured changes may have been lost.
CREATE UNLOGGED TABLE @extschema@.capture_sentinel (intact boolean NOT NULL);
INSERT INTO @extschema@.capture_sentinel VALUES (true);
COMMENT ON TABLE @extschema@.capture_sentinel IS 'one row, gone after a crash emptied the logs of captured changes (internal)';

REVOKE ALL ON @extschema@.managed_view, @extschema@.view_source, @extschema@.capture,
  @extschema@.capture_sentinel FROM PUBLIC;

CREATE FUNCTION @extschema@.capture_changes() RETURNS trigger
  LANGUAGE c
  AS 'MODULE_PATHNAME', 'autoreport_capture_changes';
COMMENT ON FUNCTION @extschema@.capture_changes() IS
  'statement trigger of the source tables of managed views: appends the statement''s changes to the table''s log';

-- DROP TABLE of a view's table removes the view; a dropped or retyped column or table breaks the views
-- that read it (autoreport.view_status says why); a rename is followed.
CREATE FUNCTION @extschema@.views_ddl() RETURNS event_trigger
  LANGUAGE c
  AS 'MODULE_PATHNAME', 'autoreport_views_ddl';
COMMENT ON FUNCTION @extschema@.views_ddl() IS
  'event trigger of managed views: follows DROP TABLE of a view, marks views broken by source DDL';
CREATE EVENT TRIGGER autoreport_views_drop ON sql_drop EXECUTE FUNCTION @extschema@.views_ddl();
CREATE EVENT TRIGGER autoreport_views_alter ON ddl_command_end WHEN TAG IN ('ALTER TABLE')
  EXECUTE FUNCTION @extschema@.views_ddl();

CREATE FUNCTION @extschema@.create_view(name text, query text, refresh text DEFAULT 'incremental',
                                        schedule text DEFAULT NULL)
  RETURNS void
  LANGUAGE c VOLATILE
  AS 'MODULE_PATHNAME', 'autoreport_create_view';
COMMENT ON FUNCTION @extschema@.create_view(text, text, text, text) IS
  'creates the table `name` holding the result of `query`, kept fresh by refresh_view()';

CREATE FUNCTION @extschema@.refresh_view(name text, mode text DEFAULT 'auto')
  RETURNS TABLE (mode_used text, reason text, rows_changed bigint, took interval)
  LANGUAGE c VOLATILE STRICT
  AS 'MODULE_PATHNAME', 'autoreport_refresh_view';
COMMENT ON FUNCTION @extschema@.refresh_view(text, text) IS
  'brings a managed view up to date: incrementally from the captured changes, or in full; says which and why';

CREATE FUNCTION @extschema@.drop_view(name text, cascade boolean DEFAULT false)
  RETURNS void
  LANGUAGE c VOLATILE STRICT
  AS 'MODULE_PATHNAME', 'autoreport_drop_view';
COMMENT ON FUNCTION @extschema@.drop_view(text, boolean) IS
  'drops a managed view: its table, its capture triggers where no other view needs them, its catalog rows';

CREATE FUNCTION @extschema@.manage_view(matview regclass, schedule text DEFAULT NULL)
  RETURNS void
  LANGUAGE c VOLATILE
  AS 'MODULE_PATHNAME', 'autoreport_manage_view';
COMMENT ON FUNCTION @extschema@.manage_view(regclass, text) IS
  'adopts a materialized view: refreshed (CONCURRENTLY when it has a unique index) in dependency order, on its schedule';

CREATE FUNCTION @extschema@.alter_view(name text, refresh text DEFAULT NULL, schedule text DEFAULT NULL)
  RETURNS void
  LANGUAGE c VOLATILE
  AS 'MODULE_PATHNAME', 'autoreport_alter_view';
COMMENT ON FUNCTION @extschema@.alter_view(text, text, text) IS
  'changes a managed view''s refresh mode or schedule (NULL keeps it; schedule ''none'' removes it)';

-- Changes captured for view `id` and not yet applied: {"total": 12, "lag_seconds": 4.2, "changes":
-- {"public.orders": 12}}, with "crashed": true when a crash emptied the logs since, "restored": true
-- for a view restored from a dump and not refreshed since. NULL on a standby (the logs are unlogged
-- and exist on the primary only) and for a role that may not see the view.
CREATE FUNCTION @extschema@.pending_changes(id bigint)
  RETURNS jsonb
  LANGUAGE c STABLE STRICT
  AS 'MODULE_PATHNAME', 'autoreport_pending_changes';
COMMENT ON FUNCTION @extschema@.pending_changes(bigint) IS
  'the changes captured for a managed view and not applied yet (used by autoreport.view_status)';

CREATE VIEW @extschema@.view_status AS
SELECT v.relid AS name,
       v.kind,
       v.refresh AS refresh_mode,
       v.schedule,
       v.last_refresh_at,
       v.last_mode,
       v.last_reason,
       v.last_took,
       v.last_rows,
       p.x -> 'changes' AS pending,
       pg_catalog.make_interval(secs => (p.x ->> 'lag_seconds')::float8) AS lag,
       CASE WHEN v.broken IS NOT NULL THEN 'broken'
            WHEN EXISTS (SELECT FROM pg_catalog.pg_stat_activity AS a WHERE a.backend_type = 'autoreport view refresh'
                          AND a.datid = (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database())
                          AND a.application_name = 'autoreport refresh ' || v.id) THEN 'refreshing'
            WHEN v.needs_full OR coalesce((p.x ->> 'total')::bigint, 0) > 0
              OR coalesce((p.x ->> 'crashed')::boolean, false)
              OR coalesce((p.x ->> 'restored')::boolean, false) THEN 'stale'
            ELSE 'fresh' END AS state,
       v.broken AS broken_reason,
       v.last_error,
       v.last_error_at,
       pg_catalog.pg_total_relation_size(v.relid) AS size
  FROM @extschema@.managed_view AS v
  CROSS JOIN LATERAL (SELECT @extschema@.pending_changes(v.id) AS x) AS p
 WHERE pg_catalog.pg_has_role(v.owner, 'USAGE') OR pg_catalog.pg_has_role('autoreport_admin', 'USAGE');
COMMENT ON VIEW @extschema@.view_status IS
  'each managed view the current role may see: its refresh mode, last refresh, pending changes, lag and state';
GRANT SELECT ON @extschema@.view_status TO PUBLIC;
