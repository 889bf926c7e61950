-- autoreport: delivery of scheduled outputs to webhooks and e-mail, by the sidecar.
--
-- The database makes no network call. Administrators define destinations (a webhook or a list of
-- e-mail addresses, naming the secret the sidecar signs or authenticates with, never the secret
-- itself) and grant them to roles; a job's owner subscribes the job to destinations they may use.
-- When a run stores its output, one delivery per subscribed destination is created in the run's
-- transaction (extension/schedules/run_pg.cpp) and the sidecar is woken with NOTIFY
-- autoreport_deliveries. The sidecar claims deliveries with a lease (claim_deliveries, FOR UPDATE SKIP
-- LOCKED: several sidecars share the work, and a dead one's lease expires), sends them and records
-- every attempt (finish_delivery).
--
-- The functions that depend on who calls them (create_destination ... redeliver) are C entry points
-- (extension/schedules/deliveries_pg.cpp) that note the caller, switch to the extension's owner, and
-- run the PL/pgSQL function named like them with "_as" and the caller as first argument. A SECURITY
-- DEFINER function cannot do that itself: inside it current_user is its owner, and session_user is
-- not the caller in a job run (a worker connected as the bootstrap superuser, running as the job's
-- owner). The *_as functions are executable by the extension's owner only.

-- Webhooks and e-mail recipients. target holds the kind's settings, validated, with every default
-- filled in (destination_target_check).
CREATE TABLE @extschema@.destination (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL UNIQUE,
  kind text NOT NULL CHECK (kind IN ('webhook', 'email')),
  target jsonb NOT NULL,
  created_by regrole NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE @extschema@.destination IS 'where job outputs are delivered (read autoreport.destinations instead)';

-- Roles whose members (and their jobs) may use a destination.
CREATE TABLE @extschema@.destination_grant (
  destination bigint NOT NULL REFERENCES @extschema@.destination (id) ON DELETE CASCADE,
  grantee regrole NOT NULL,
  granted_by regrole NOT NULL,
  granted_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (destination, grantee)
);
COMMENT ON TABLE @extschema@.destination_grant IS 'roles that may subscribe their jobs to a destination';

CREATE TABLE @extschema@.job_destination (
  job bigint NOT NULL REFERENCES @extschema@.job (id) ON DELETE CASCADE,
  destination bigint NOT NULL REFERENCES @extschema@.destination (id) ON DELETE CASCADE,
  subscribed_by regrole NOT NULL,
  subscribed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (job, destination)
);
CREATE INDEX ON @extschema@.job_destination (destination);
COMMENT ON TABLE @extschema@.job_destination IS
  'the destinations each job''s outputs are delivered to (read autoreport.job_destinations instead)';

-- One row per (run, destination), with the state of its latest attempt. A dropped destination or an
-- expired output leaves the row as history (the reference becomes NULL).
CREATE TABLE @extschema@.delivery (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  job bigint NOT NULL REFERENCES @extschema@.job (id) ON DELETE CASCADE,
  run bigint NOT NULL REFERENCES @extschema@.job_run (id) ON DELETE CASCADE,
  output bigint REFERENCES @extschema@.output (id) ON DELETE SET NULL,
  destination bigint REFERENCES @extschema@.destination (id) ON DELETE SET NULL,
  destination_name text NOT NULL,
  kind text NOT NULL,
  status text NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'delivering', 'delivered', 'failed', 'given_up')),
  attempts integer NOT NULL DEFAULT 0,
  -- Sent with every attempt (Idempotency-Key, Message-ID): a receiver sees one key per copy asked for.
  idempotency_key text NOT NULL UNIQUE DEFAULT gen_random_uuid()::text,
  last_status integer, -- HTTP status or SMTP reply code
  last_reply text,
  last_error text,
  not_before timestamptz NOT NULL DEFAULT now(), -- the next attempt
  leased_by text,
  lease_until timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(), -- when report_ready was sent
  delivered_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (run, destination)
);
-- What claim_deliveries() looks for.
CREATE INDEX delivery_due ON @extschema@.delivery (not_before) WHERE status IN ('pending', 'failed', 'delivering');
CREATE INDEX ON @extschema@.delivery (job);
CREATE INDEX ON @extschema@.delivery (output);
CREATE INDEX ON @extschema@.delivery (destination);
COMMENT ON TABLE @extschema@.delivery IS
  'every delivery of a run''s output to a destination (read autoreport.deliveries instead)';

REVOKE ALL ON @extschema@.destination, @extschema@.destination_grant, @extschema@.job_destination,
  @extschema@.delivery FROM PUBLIC;

-- pg_dump keeps destinations (with their ids, which grants and subscriptions point at), grants and
-- subscriptions. Deliveries are results, as runs and outputs are.
SELECT pg_catalog.pg_extension_config_dump('@extschema@.destination', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.destination_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.destination_grant', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.job_destination', '');

-- Refuses (42501) a caller who is not a member of autoreport_admin.
CREATE FUNCTION @extschema@.destination_require_admin(caller oid, verb text, doing text) RETURNS void
  LANGUAGE plpgsql STABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
  AS $$
BEGIN
  IF NOT pg_has_role(caller, 'autoreport_admin', 'USAGE') THEN
    RAISE EXCEPTION 'permission denied to % destinations', verb
      USING ERRCODE = 'insufficient_privilege',
            DETAIL = format('%s destinations needs membership in autoreport_admin.', doing),
            HINT = format('GRANT autoreport_admin TO %s;', quote_ident(pg_get_userbyid(caller)));
  END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.destination_require_admin(oid, text, text) IS
  'raises 42501 unless the role administers autoreport (used by the destination functions)';

-- Whether a role may use a destination: it administers autoreport, or it has the privileges of a
-- role the destination was granted to.
CREATE FUNCTION @extschema@.destination_usable(role oid, destination bigint) RETURNS boolean
  LANGUAGE sql STABLE STRICT PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
  AS $$
SELECT pg_has_role(role, 'autoreport_admin', 'USAGE')
    OR EXISTS (SELECT FROM @extschema@.destination_grant AS g
                WHERE g.destination = destination_usable.destination AND pg_has_role(role, g.grantee, 'USAGE'))
$$;
COMMENT ON FUNCTION @extschema@.destination_usable(oid, bigint) IS
  'whether a role may subscribe jobs to a destination: an administrator, or a member of a role it was granted to';

-- One e-mail address: local@domain, no spaces, CR/LF, commas, angle brackets or double quotes (the
-- sidecar writes it into a header as it is).
CREATE FUNCTION @extschema@.destination_address_valid(address text) RETURNS boolean
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
  AS $$ SELECT octet_length(address) <= 254 AND address ~ '^[^[:space:][:cntrl:]@,<>"]+@[^[:space:][:cntrl:]@,<>"]+$' $$;
COMMENT ON FUNCTION @extschema@.destination_address_valid(text) IS
  'whether a text is one e-mail address (local@domain, no spaces, control characters, commas, <, > or ")';

-- An integer setting of a target: absent is the default; otherwise a whole JSON number in [low, high].
CREATE FUNCTION @extschema@.destination_integer(target jsonb, key text, low bigint, high bigint, fallback jsonb)
  RETURNS jsonb
  LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  v jsonb := target -> key;
BEGIN
  IF v IS NULL THEN
    RETURN fallback;
  END IF;
  IF jsonb_typeof(v) = 'null' AND fallback = 'null' THEN
    RETURN v;
  END IF;
  IF jsonb_typeof(v) <> 'number' OR v::text::numeric <> trunc(v::text::numeric)
     OR v::text::numeric NOT BETWEEN low AND high THEN
    RAISE EXCEPTION 'target key "%" must be a whole number from % to %', key, low, high
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = format('It was %s.', v),
            HINT = CASE WHEN fallback = 'null' THEN 'Leave it out, or pass null, for no limit.'
                        ELSE format('Leave it out for the default, %s.', fallback) END;
  END IF;
  RETURN v;
END
$$;
COMMENT ON FUNCTION @extschema@.destination_integer(jsonb, text, bigint, bigint, jsonb) IS
  'an integer key of a destination target, checked against its range, or its default when absent';

-- A list of addresses: one address or an array of them, returned as an array.
CREATE FUNCTION @extschema@.destination_addresses(target jsonb, key text, may_be_empty boolean) RETURNS jsonb
  LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  v jsonb := target -> key;
  hint constant text := 'Give one address, as "ops@example.com", or an array of at most 50.';
  a jsonb;
BEGIN
  IF jsonb_typeof(v) = 'string' THEN
    v := jsonb_build_array(v);
  ELSIF jsonb_typeof(v) IS DISTINCT FROM 'array' THEN
    RAISE EXCEPTION 'target key "%" must be an address or an array of addresses', key
      USING ERRCODE = 'invalid_parameter_value', HINT = hint;
  END IF;
  IF jsonb_array_length(v) = 0 AND NOT may_be_empty OR jsonb_array_length(v) > 50 THEN
    RAISE EXCEPTION 'target key "%" must list 1 to 50 addresses', key
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = format('It lists %s.', jsonb_array_length(v)), HINT = hint;
  END IF;
  FOR a IN SELECT e FROM jsonb_array_elements(v) AS e LOOP
    IF jsonb_typeof(a) <> 'string' OR NOT @extschema@.destination_address_valid(a #>> '{}') THEN
      RAISE EXCEPTION 'target key "%" has an invalid address: %', key, a
        USING ERRCODE = 'invalid_parameter_value',
              DETAIL = 'An address is local@domain, without spaces, control characters, commas, <, > or ".';
    END IF;
  END LOOP;
  RETURN v;
END
$$;
COMMENT ON FUNCTION @extschema@.destination_addresses(jsonb, text, boolean) IS
  'the addresses of an e-mail target key (one address or an array of 1 to 50) as an array';

-- The target of a destination of a kind, checked (22023 naming the key), with every default filled
-- in. Unknown keys are errors: a misspelt "timeout_second" would otherwise be silently ignored.
CREATE FUNCTION @extschema@.destination_target_check(kind text, target jsonb) RETURNS jsonb
  LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  keys text[] := CASE kind WHEN 'webhook' THEN ARRAY['url', 'format', 'secret', 'timeout_seconds', 'concurrency', 'per_minute']
                           ELSE ARRAY['to', 'cc', 'subject', 'body', 'secret', 'concurrency', 'per_minute'] END;
  placeholders constant text[] := ARRAY['report', 'job', 'scheduled_for', 'rows', 'format', 'file_name'];
  k text;
  v jsonb;
  url text;
  authority text;
  host text;
  subject text;
  out jsonb;
BEGIN
  IF jsonb_typeof(target) IS DISTINCT FROM 'object' THEN
    RAISE EXCEPTION 'the target of a destination must be a JSON object'
      USING ERRCODE = 'invalid_parameter_value',
            HINT = CASE kind WHEN 'webhook' THEN 'Pass a target like ''{"url": "https://hooks.example.com/reports"}''.'
                             ELSE 'Pass a target like ''{"to": "finance@example.com"}''.' END;
  END IF;
  FOR k IN SELECT jsonb_object_keys(target) LOOP
    IF k <> ALL (keys) THEN
      RAISE EXCEPTION 'unknown target key "%" for % destination', k,
                      CASE kind WHEN 'webhook' THEN 'a webhook' ELSE 'an email' END
        USING ERRCODE = 'invalid_parameter_value',
              HINT = format('The keys are %s.', array_to_string(keys, ', '));
    END IF;
  END LOOP;

  -- Both kinds: the secret's name, the sidecar's limits for the destination.
  out := jsonb_build_object(
    'concurrency', @extschema@.destination_integer(target, 'concurrency', 1, 64, '4'),
    'per_minute', @extschema@.destination_integer(target, 'per_minute', 1, 100000, 'null'));
  v := target -> 'secret';
  IF v IS NOT NULL AND jsonb_typeof(v) <> 'null' THEN
    IF jsonb_typeof(v) <> 'string' OR (v #>> '{}') !~ '^[A-Za-z0-9_]{1,64}$' THEN
      RAISE EXCEPTION 'target key "secret" must be the name of a secret of the sidecar'
        USING ERRCODE = 'invalid_parameter_value',
              DETAIL = 'A secret name is 1 to 64 ASCII letters, digits and underscores.',
              HINT = 'Put the secret itself in the sidecar''s --deliver-secrets-file or environment, never in the database.';
    END IF;
    out := out || jsonb_build_object('secret', v);
  END IF;

  IF kind = 'webhook' THEN
    v := target -> 'url';
    IF v IS NULL OR jsonb_typeof(v) <> 'string' THEN
      RAISE EXCEPTION 'target key "url" is required and must be a string'
        USING ERRCODE = 'invalid_parameter_value',
              HINT = 'Pass a target like ''{"url": "https://hooks.example.com/reports"}''.';
    END IF;
    url := v #>> '{}';
    authority := substring(url FROM '^[Hh][Tt][Tt][Pp][Ss]?://([^/?#]*)');
    -- The host: the authority without its port; an IPv6 address in brackets keeps them.
    host := substring(authority FROM '^(\[[0-9A-Fa-f:.]+\]|[^:\[\]]*)(:[0-9]{1,5})?$');
    IF octet_length(url) > 2048 OR authority IS NULL OR strpos(authority, '@') > 0 OR strpos(url, '#') > 0
       OR url ~ '[[:space:][:cntrl:]]' OR coalesce(host, '') = ''
       OR coalesce(substring(authority FROM ':([0-9]{1,5})$')::integer, 1) NOT BETWEEN 1 AND 65535 THEN
      RAISE EXCEPTION 'target key "url" is not a valid webhook URL'
        USING ERRCODE = 'invalid_parameter_value',
              DETAIL = format('It was %s.', left(url, 200)),
              HINT = 'A webhook URL starts with http:// or https://, names a host, has no user name, password or fragment (#), and is at most 2048 bytes.';
    END IF;
    v := coalesce(target -> 'format', '"raw"');
    IF jsonb_typeof(v) <> 'string' OR (v #>> '{}') NOT IN ('raw', 'json', 'slack') THEN
      RAISE EXCEPTION 'target key "format" must be "raw", "json" or "slack"'
        USING ERRCODE = 'invalid_parameter_value',
              DETAIL = format('It was %s.', v),
              HINT = 'raw posts the output''s bytes; json an event with the output in base64; slack a Slack message.';
    END IF;
    RETURN out || jsonb_build_object(
      'url', url, 'format', v,
      'timeout_seconds', @extschema@.destination_integer(target, 'timeout_seconds', 1, 300, '30'));
  END IF;

  -- E-mail.
  IF NOT target ? 'to' THEN
    RAISE EXCEPTION 'target key "to" is required'
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Pass a target like ''{"to": "finance@example.com"}''.';
  END IF;
  out := out || jsonb_build_object('to', @extschema@.destination_addresses(target, 'to', false),
                                   'cc', CASE WHEN target ? 'cc' THEN @extschema@.destination_addresses(target, 'cc', true)
                                              ELSE '[]' END);
  v := coalesce(target -> 'subject', '"{report}: {job} ({scheduled_for})"');
  IF jsonb_typeof(v) <> 'string' OR (v #>> '{}') ~ '[\r\n]' THEN
    RAISE EXCEPTION 'target key "subject" must be a string without line breaks'
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'The placeholders {report}, {job}, {scheduled_for}, {rows}, {format} and {file_name} are replaced.';
  END IF;
  subject := v #>> '{}';
  FOR k IN SELECT m[1] FROM regexp_matches(subject, '\{([^{}]*)\}', 'g') AS m LOOP
    IF k <> ALL (placeholders) THEN
      RAISE EXCEPTION 'unknown placeholder {%} in target key "subject"', k
        USING ERRCODE = 'invalid_parameter_value',
              HINT = 'The placeholders are {report}, {job}, {scheduled_for}, {rows}, {format} and {file_name}.';
    END IF;
  END LOOP;
  v := coalesce(target -> 'body', '"attachment"');
  IF jsonb_typeof(v) <> 'string' OR (v #>> '{}') NOT IN ('attachment', 'inline') THEN
    RAISE EXCEPTION 'target key "body" must be "attachment" or "inline"'
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = format('It was %s.', v),
            HINT = 'inline puts an html, markdown or svg output in the message''s body; attachment attaches any output.';
  END IF;
  RETURN out || jsonb_build_object('subject', subject, 'body', v);
END
$$;
COMMENT ON FUNCTION @extschema@.destination_target_check(text, jsonb) IS
  'the target of a webhook or email destination, validated (22023 naming the key), with its defaults filled in';

-- The destination called `name`, row-locked; 42704 when there is none.
CREATE FUNCTION @extschema@.destination_find(name text) RETURNS @extschema@.destination
  LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
  SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  d @extschema@.destination;
BEGIN
  SELECT * INTO d FROM @extschema@.destination AS x WHERE x.name = destination_find.name FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'destination "%" does not exist', name USING ERRCODE = 'undefined_object';
  END IF;
  RETURN d;
END
$$;
COMMENT ON FUNCTION @extschema@.destination_find(text) IS 'the destination called name, locked; 42704 when there is none';

-- The job called `name`, row-locked, once `caller` is found to be its owner (or to have their
-- privileges) or an administrator; 42704 or 42501 otherwise, as for the other job functions.
CREATE FUNCTION @extschema@.destination_job(caller oid, name text, verb text) RETURNS @extschema@.job
  LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
  SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  j @extschema@.job;
BEGIN
  SELECT * INTO j FROM @extschema@.job AS x WHERE x.name = destination_job.name FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'job "%" does not exist', name USING ERRCODE = 'undefined_object';
  END IF;
  IF NOT (pg_has_role(caller, j.owner, 'USAGE') OR pg_has_role(caller, 'autoreport_admin', 'USAGE')) THEN
    RAISE EXCEPTION 'permission denied to % job "%"', verb, name
      USING ERRCODE = 'insufficient_privilege',
            DETAIL = 'Only the job''s owner and members of autoreport_admin may change it.';
  END IF;
  RETURN j;
END
$$;
COMMENT ON FUNCTION @extschema@.destination_job(oid, text, text) IS
  'the job called name, locked, when the role owns it or administers autoreport; 42704 or 42501 otherwise';

CREATE FUNCTION @extschema@.create_destination_as(caller oid, name text, kind text, target jsonb) RETURNS bigint
  LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
  SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  checked jsonb;
  id bigint;
BEGIN
  IF name IS NULL OR kind IS NULL OR target IS NULL THEN
    RAISE EXCEPTION 'name, kind and target must not be null' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM @extschema@.destination_require_admin(caller, 'create', 'Creating');
  IF octet_length(name) NOT BETWEEN 1 AND 63 THEN
    RAISE EXCEPTION 'destination name must be 1 to 63 bytes long'
      USING ERRCODE = 'invalid_parameter_value', DETAIL = format('It has %s.', octet_length(name));
  END IF;
  IF name ~ '[\x01-\x1f\x7f]' THEN
    RAISE EXCEPTION 'destination name must not contain control characters' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF kind NOT IN ('webhook', 'email') THEN
    RAISE EXCEPTION 'unknown destination kind "%"', kind
      USING ERRCODE = 'invalid_parameter_value', HINT = 'The kind is "webhook" or "email".';
  END IF;
  checked := @extschema@.destination_target_check(kind, target);
  INSERT INTO @extschema@.destination (name, kind, target, created_by)
  VALUES (create_destination_as.name, kind, checked, caller::regrole)
  ON CONFLICT ON CONSTRAINT destination_name_key DO NOTHING
  RETURNING destination.id INTO id;
  IF id IS NULL THEN
    RAISE EXCEPTION 'destination "%" already exists', name
      USING ERRCODE = 'duplicate_object',
            HINT = 'Drop it first with autoreport.drop_destination(), or choose another name.';
  END IF;
  RETURN id;
END
$$;
COMMENT ON FUNCTION @extschema@.create_destination_as(oid, text, text, jsonb) IS
  'create_destination() as called by the role caller (run by the extension''s owner only)';

CREATE FUNCTION @extschema@.drop_destination_as(caller oid, name text, "cascade" boolean) RETURNS void
  LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
  SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  d @extschema@.destination;
  jobs text;
BEGIN
  IF name IS NULL OR "cascade" IS NULL THEN
    RAISE EXCEPTION 'name and cascade must not be null' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM @extschema@.destination_require_admin(caller, 'drop', 'Dropping');
  d := @extschema@.destination_find(name);
  SELECT string_agg(format('%I', j.name), ', ' ORDER BY j.name) INTO jobs
    FROM @extschema@.job_destination AS s JOIN @extschema@.job AS j ON j.id = s.job
   WHERE s.destination = d.id;
  IF jobs IS NOT NULL AND NOT "cascade" THEN
    RAISE EXCEPTION 'cannot drop destination "%" because jobs are subscribed to it', name
      USING ERRCODE = 'dependent_objects_still_exist',
            DETAIL = format('Subscribed jobs: %s.', jobs),
            HINT = 'Unsubscribe them with autoreport.unsubscribe_job(), or drop with cascade => true to unsubscribe them too.';
  END IF;
  IF jobs IS NOT NULL THEN
    RAISE NOTICE 'drop cascades to the subscriptions of jobs %', jobs;
  END IF;
  UPDATE @extschema@.delivery
     SET status = 'given_up', last_error = format('destination "%s" was dropped', d.name), updated_at = now()
   WHERE destination = d.id AND status IN ('pending', 'failed');
  DELETE FROM @extschema@.destination WHERE id = d.id;
END
$$;
COMMENT ON FUNCTION @extschema@.drop_destination_as(oid, text, boolean) IS
  'drop_destination() as called by the role caller (run by the extension''s owner only)';

CREATE FUNCTION @extschema@.grant_destination_as(caller oid, destination text, role regrole) RETURNS void
  LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
  SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  d @extschema@.destination;
BEGIN
  IF destination IS NULL OR role IS NULL THEN
    RAISE EXCEPTION 'destination and role must not be null' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM @extschema@.destination_require_admin(caller, 'grant', 'Granting');
  d := @extschema@.destination_find(destination);
  INSERT INTO @extschema@.destination_grant (destination, grantee, granted_by)
  VALUES (d.id, role, caller::regrole)
  ON CONFLICT DO NOTHING;
END
$$;
COMMENT ON FUNCTION @extschema@.grant_destination_as(oid, text, regrole) IS
  'grant_destination() as called by the role caller (run by the extension''s owner only)';

CREATE FUNCTION @extschema@.revoke_destination_as(caller oid, destination text, role regrole) RETURNS void
  LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
  SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  d @extschema@.destination;
  jobs text;
BEGIN
  IF destination IS NULL OR role IS NULL THEN
    RAISE EXCEPTION 'destination and role must not be null' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM @extschema@.destination_require_admin(caller, 'revoke', 'Revoking');
  d := @extschema@.destination_find(destination);
  DELETE FROM @extschema@.destination_grant AS g WHERE g.destination = d.id AND g.grantee = role;
  IF NOT FOUND THEN
    RAISE NOTICE 'role "%" has no grant on destination "%", skipping', pg_get_userbyid(role), d.name;
    RETURN;
  END IF;
  WITH gone AS (
    DELETE FROM @extschema@.job_destination AS s USING @extschema@.job AS j
     WHERE s.destination = d.id AND j.id = s.job AND NOT @extschema@.destination_usable(j.owner, d.id)
    RETURNING j.name)
  SELECT string_agg(format('%I', gone.name), ', ' ORDER BY gone.name) INTO jobs FROM gone;
  IF jobs IS NOT NULL THEN
    RAISE NOTICE 'unsubscribed jobs % from destination "%"', jobs, d.name
      USING DETAIL = 'Their owners may no longer use the destination.';
  END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.revoke_destination_as(oid, text, regrole) IS
  'revoke_destination() as called by the role caller (run by the extension''s owner only)';

CREATE FUNCTION @extschema@.subscribe_job_as(caller oid, job text, destination text) RETURNS void
  LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
  SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  j @extschema@.job;
  d @extschema@.destination;
BEGIN
  IF job IS NULL OR destination IS NULL THEN
    RAISE EXCEPTION 'job and destination must not be null' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  j := @extschema@.destination_job(caller, job, 'subscribe');
  d := @extschema@.destination_find(destination);
  IF NOT @extschema@.destination_usable(j.owner, d.id) THEN
    RAISE EXCEPTION 'permission denied to use destination "%"', d.name
      USING ERRCODE = 'insufficient_privilege',
            DETAIL = format('The owner of job "%s", %s, may not use it.', j.name, j.owner),
            HINT = format('An administrator grants it: SELECT autoreport.grant_destination(%L, %L);',
                          d.name, j.owner::text);
  END IF;
  IF EXISTS (SELECT FROM @extschema@.job_destination AS s WHERE s.job = j.id AND s.destination = d.id) THEN
    RAISE NOTICE 'job "%" is already subscribed to destination "%", skipping', j.name, d.name;
    RETURN;
  END IF;
  IF d.kind = 'email' AND d.target ->> 'body' = 'inline' AND j.format NOT IN ('html', 'markdown', 'svg') THEN
    RAISE EXCEPTION 'destination "%" puts the output in the message''s body, which a % output cannot be', d.name, j.format
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Inline e-mail takes html, markdown and svg outputs; use a destination with "body": "attachment".';
  END IF;
  IF (SELECT count(*) FROM @extschema@.job_destination AS s WHERE s.job = j.id) >= 20 THEN
    RAISE EXCEPTION 'job "%" has too many destinations', j.name
      USING ERRCODE = 'program_limit_exceeded',
            DETAIL = 'A job is delivered to at most 20 destinations.';
  END IF;
  INSERT INTO @extschema@.job_destination (job, destination, subscribed_by) VALUES (j.id, d.id, caller::regrole);
END
$$;
COMMENT ON FUNCTION @extschema@.subscribe_job_as(oid, text, text) IS
  'subscribe_job() as called by the role caller (run by the extension''s owner only)';

CREATE FUNCTION @extschema@.unsubscribe_job_as(caller oid, job text, destination text) RETURNS void
  LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
  SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  j @extschema@.job;
  d @extschema@.destination;
BEGIN
  IF job IS NULL OR destination IS NULL THEN
    RAISE EXCEPTION 'job and destination must not be null' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  j := @extschema@.destination_job(caller, job, 'unsubscribe');
  d := @extschema@.destination_find(destination);
  DELETE FROM @extschema@.job_destination AS s WHERE s.job = j.id AND s.destination = d.id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'job "%" is not subscribed to destination "%"', j.name, d.name USING ERRCODE = 'undefined_object';
  END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.unsubscribe_job_as(oid, text, text) IS
  'unsubscribe_job() as called by the role caller (run by the extension''s owner only)';

CREATE FUNCTION @extschema@.redeliver_as(caller oid, delivery bigint) RETURNS bigint
  LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
  SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  x record;
BEGIN
  IF delivery IS NULL THEN
    RAISE EXCEPTION 'delivery must not be null' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT d.id, d.status, d.run, d.output, d.destination, d.destination_name, j.owner, o.expires_at
    INTO x
    FROM @extschema@.delivery AS d
    JOIN @extschema@.job AS j ON j.id = d.job
    LEFT JOIN @extschema@.output AS o ON o.id = d.output
   WHERE d.id = redeliver_as.delivery
     FOR UPDATE OF d;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'delivery % does not exist', delivery USING ERRCODE = 'undefined_object';
  END IF;
  IF NOT (pg_has_role(caller, x.owner, 'USAGE') OR pg_has_role(caller, 'autoreport_admin', 'USAGE')) THEN
    RAISE EXCEPTION 'permission denied to redeliver delivery %', delivery
      USING ERRCODE = 'insufficient_privilege',
            DETAIL = 'Only the job''s owner and members of autoreport_admin may redeliver its outputs.';
  END IF;
  IF x.status IN ('pending', 'delivering') THEN
    RAISE EXCEPTION 'delivery % is still %', delivery, x.status
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Redeliver a delivery once it was delivered, failed or given up.';
  END IF;
  IF x.output IS NULL OR x.expires_at <= now() THEN
    RAISE EXCEPTION 'the output of delivery % has expired', delivery
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Run the job again with autoreport.run_now(); a job''s "keep" option keeps outputs longer.';
  END IF;
  IF x.destination IS NULL THEN
    RAISE EXCEPTION 'the destination of delivery % was dropped', delivery
      USING ERRCODE = 'object_not_in_prerequisite_state',
            DETAIL = format('It was "%s".', x.destination_name);
  END IF;
  -- A delivered output sent again is another copy: a new key, so that receivers do not drop it.
  UPDATE @extschema@.delivery AS d
     SET status = 'pending', attempts = 0, not_before = now(), last_status = NULL, last_reply = NULL,
         last_error = NULL, leased_by = NULL, lease_until = NULL, delivered_at = NULL, updated_at = now(),
         idempotency_key = CASE WHEN x.status = 'delivered' THEN gen_random_uuid()::text ELSE d.idempotency_key END
   WHERE d.id = x.id;
  PERFORM pg_notify('autoreport_deliveries', x.run::text);
  RETURN x.id;
END
$$;
COMMENT ON FUNCTION @extschema@.redeliver_as(oid, bigint) IS
  'redeliver() as called by the role caller (run by the extension''s owner only)';

REVOKE ALL ON FUNCTION @extschema@.create_destination_as(oid, text, text, jsonb),
  @extschema@.drop_destination_as(oid, text, boolean), @extschema@.grant_destination_as(oid, text, regrole),
  @extschema@.revoke_destination_as(oid, text, regrole), @extschema@.subscribe_job_as(oid, text, text),
  @extschema@.unsubscribe_job_as(oid, text, text), @extschema@.redeliver_as(oid, bigint),
  @extschema@.destination_find(text), @extschema@.destination_job(oid, text, text) FROM PUBLIC;

-- The user functions: C entry points that run the *_as functions above as the extension's owner with
-- the caller (GetUserId()) as first argument.
CREATE FUNCTION @extschema@.create_destination(name text, kind text, target jsonb) RETURNS bigint
  LANGUAGE c VOLATILE PARALLEL UNSAFE
  AS 'MODULE_PATHNAME', 'autoreport_create_destination';
COMMENT ON FUNCTION @extschema@.create_destination(text, text, jsonb) IS
  'create a webhook or email destination for job outputs; administrators only; returns its id';

CREATE FUNCTION @extschema@.drop_destination(name text, "cascade" boolean DEFAULT false) RETURNS void
  LANGUAGE c VOLATILE PARALLEL UNSAFE
  AS 'MODULE_PATHNAME', 'autoreport_drop_destination';
COMMENT ON FUNCTION @extschema@.drop_destination(text, boolean) IS
  'drop a destination (with cascade, also the subscriptions of jobs to it); its deliveries stay as history';

CREATE FUNCTION @extschema@.grant_destination(destination text, role regrole) RETURNS void
  LANGUAGE c VOLATILE PARALLEL UNSAFE
  AS 'MODULE_PATHNAME', 'autoreport_grant_destination';
COMMENT ON FUNCTION @extschema@.grant_destination(text, regrole) IS
  'let a role (and its members) subscribe their jobs to a destination; administrators only';

CREATE FUNCTION @extschema@.revoke_destination(destination text, role regrole) RETURNS void
  LANGUAGE c VOLATILE PARALLEL UNSAFE
  AS 'MODULE_PATHNAME', 'autoreport_revoke_destination';
COMMENT ON FUNCTION @extschema@.revoke_destination(text, regrole) IS
  'take back a role''s grant on a destination, unsubscribing the jobs whose owners may no longer use it';

CREATE FUNCTION @extschema@.subscribe_job(job text, destination text) RETURNS void
  LANGUAGE c VOLATILE PARALLEL UNSAFE
  AS 'MODULE_PATHNAME', 'autoreport_subscribe_job';
COMMENT ON FUNCTION @extschema@.subscribe_job(text, text) IS
  'deliver the outputs of a job you own to a destination its owner may use';

CREATE FUNCTION @extschema@.unsubscribe_job(job text, destination text) RETURNS void
  LANGUAGE c VOLATILE PARALLEL UNSAFE
  AS 'MODULE_PATHNAME', 'autoreport_unsubscribe_job';
COMMENT ON FUNCTION @extschema@.unsubscribe_job(text, text) IS 'stop delivering a job''s outputs to a destination';

CREATE FUNCTION @extschema@.redeliver(delivery bigint) RETURNS bigint
  LANGUAGE c VOLATILE PARALLEL UNSAFE
  AS 'MODULE_PATHNAME', 'autoreport_redeliver';
COMMENT ON FUNCTION @extschema@.redeliver(bigint) IS
  'deliver a delivered, failed or given-up delivery again (a delivered one as a new copy, with a new key)';

-- Administrators see every destination; other roles those granted to them (or their groups).
CREATE VIEW @extschema@.destinations WITH (security_barrier) AS
  SELECT d.name, d.kind, d.target,
         coalesce((SELECT pg_catalog.array_agg(g.grantee ORDER BY g.grantee::text)
                     FROM @extschema@.destination_grant AS g WHERE g.destination = d.id), '{}') AS granted_to,
         d.created_by, d.created_at
    FROM @extschema@.destination AS d
   WHERE pg_catalog.pg_has_role('autoreport_admin', 'USAGE')
      OR EXISTS (SELECT FROM @extschema@.destination_grant AS g
                  WHERE g.destination = d.id AND pg_catalog.pg_has_role(g.grantee, 'USAGE'));
COMMENT ON VIEW @extschema@.destinations IS
  'the destinations you may subscribe jobs to (administrators: all), with the roles they are granted to';
GRANT SELECT ON @extschema@.destinations TO PUBLIC;

CREATE VIEW @extschema@.job_destinations WITH (security_barrier) AS
  SELECT j.name AS job, d.name AS destination, d.kind, s.subscribed_by, s.subscribed_at
    FROM @extschema@.job_destination AS s
    JOIN @extschema@.job AS j ON j.id = s.job
    JOIN @extschema@.destination AS d ON d.id = s.destination
   WHERE pg_catalog.pg_has_role(j.owner, 'USAGE') OR pg_catalog.pg_has_role('autoreport_admin', 'USAGE');
COMMENT ON VIEW @extschema@.job_destinations IS 'the destinations of the jobs you may see';
GRANT SELECT ON @extschema@.job_destinations TO PUBLIC;

CREATE VIEW @extschema@.deliveries WITH (security_barrier) AS
  SELECT x.id, j.name AS job, x.run, x.output, x.destination_name AS destination, x.kind, x.status, x.attempts,
         x.last_status, x.last_reply, x.last_error, x.idempotency_key, x.created_at,
         CASE WHEN x.status IN ('pending', 'failed') THEN x.not_before END AS next_attempt_at,
         x.delivered_at, x.updated_at
    FROM @extschema@.delivery AS x
    JOIN @extschema@.job AS j ON j.id = x.job
   WHERE pg_catalog.pg_has_role(j.owner, 'USAGE') OR pg_catalog.pg_has_role('autoreport_admin', 'USAGE');
COMMENT ON VIEW @extschema@.deliveries IS
  'the deliveries of the outputs of the jobs you may see: status, attempts, last reply and error';
GRANT SELECT ON @extschema@.deliveries TO PUBLIC;

-- The JSON "delivery" event finish_delivery() sends on the job's channel.
CREATE FUNCTION @extschema@.delivery_event(d @extschema@.delivery) RETURNS text
  LANGUAGE sql STABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
  AS $$
SELECT jsonb_build_object('event', 'delivery', 'delivery', d.id, 'job', j.name, 'run_id', d.run, 'output_id', d.output,
                          'destination', d.destination_name, 'kind', d.kind, 'status', d.status,
                          'attempts', d.attempts, 'last_status', d.last_status,
                          -- Under NOTIFY's 8000 bytes whatever the error.
                          'error', left(d.last_error, 2000))::text
  FROM @extschema@.job AS j WHERE j.id = d.job
$$;
COMMENT ON FUNCTION @extschema@.delivery_event(@extschema@.delivery) IS
  'the "delivery" event of a delivery, as sent on its job''s channel';

-- The sidecar's batch: up to max_count due deliveries (pending or failed and due, or delivering with
-- an expired lease), leased to `worker` for lease_seconds, as a JSON array with everything needed to
-- send each one, the output's bytes in base64 included. Rows another sidecar has locked are skipped.
-- Deliveries that cannot be sent (output expired, destination dropped, output too large) are given
-- up, with the reason, and not returned.
CREATE FUNCTION @extschema@.claim_deliveries(worker text, max_count integer, lease_seconds integer, max_bytes bigint,
                                             max_attempts integer DEFAULT NULL)
  RETURNS jsonb
  LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  ids bigint[];
  result jsonb;
  x @extschema@.delivery;
BEGIN
  IF worker IS NULL OR worker = '' OR max_count IS NULL OR max_count < 1 OR lease_seconds IS NULL
     OR lease_seconds < 1 OR max_bytes IS NULL OR max_bytes < 0 THEN
    RAISE EXCEPTION 'invalid arguments to claim_deliveries'
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = 'worker is not empty, max_count and lease_seconds are at least 1, max_bytes at least 0.';
  END IF;
  IF max_attempts IS NOT NULL AND max_attempts < 1 THEN
    RAISE EXCEPTION 'invalid arguments to claim_deliveries'
      USING ERRCODE = 'invalid_parameter_value', DETAIL = 'max_attempts is at least 1 (or NULL: no limit).';
  END IF;
  -- No more of one destination's deliveries than its concurrency in one claim, so that a backlog for
  -- one slow or rate-limited destination does not fill the sidecar's slots and starve the others.
  SELECT array_agg(c.id) INTO ids FROM (
    SELECT d.id FROM @extschema@.delivery AS d
     WHERE d.id IN (
             SELECT w.id FROM (
               SELECT e.id, row_number() OVER (PARTITION BY e.destination ORDER BY e.not_before, e.id) AS k,
                      coalesce((t.target ->> 'concurrency')::integer, 4) AS cap
                 FROM @extschema@.delivery AS e
                 LEFT JOIN @extschema@.destination AS t ON t.id = e.destination
                WHERE (e.status IN ('pending', 'failed') AND e.not_before <= now())
                   OR (e.status = 'delivering' AND e.lease_until < now())) AS w
              WHERE w.k <= w.cap)
       AND ((d.status IN ('pending', 'failed') AND d.not_before <= now())
            OR (d.status = 'delivering' AND d.lease_until < now()))
     ORDER BY d.not_before, d.id
     LIMIT max_count
       FOR UPDATE SKIP LOCKED) AS c;
  IF ids IS NULL THEN
    RETURN '[]';
  END IF;
  FOR x IN
    UPDATE @extschema@.delivery AS d
       SET status = 'given_up', leased_by = NULL, lease_until = NULL, updated_at = now(),
           last_error = CASE
             WHEN d.output IS NULL THEN 'the output expired before it could be delivered'
             WHEN d.destination IS NULL THEN format('destination "%s" was dropped', d.destination_name)
             WHEN d.attempts >= max_attempts AND d.status = 'delivering'
               THEN format('gave up after %s attempts: the last sidecar sending it stopped answering (its lease ran out)',
                           d.attempts)
             WHEN d.attempts >= max_attempts
               THEN format('gave up after %s attempts (the sidecar''s --deliver-max-attempts is %s)', d.attempts,
                           max_attempts)
             ELSE format('the output is %s bytes, over the sidecar''s limit of %s bytes (--deliver-max-bytes)',
                         o.size, max_bytes) END
      FROM (SELECT i.id, o.size FROM unnest(ids) AS i(id)
              JOIN @extschema@.delivery AS d ON d.id = i.id
              LEFT JOIN @extschema@.output AS o ON o.id = d.output) AS o
     WHERE d.id = o.id AND (d.output IS NULL OR d.destination IS NULL OR o.size > max_bytes
                            OR d.attempts >= max_attempts)
    RETURNING d.*
  LOOP
    PERFORM pg_notify(j.channel, @extschema@.delivery_event(x)) FROM @extschema@.job AS j WHERE j.id = x.job;
  END LOOP;
  -- At most 64 MiB of outputs in one answer (a jsonb value holds 256 MB, and base64 adds a third): the
  -- rest stay pending for the next claim. The first always goes, whatever its size up to max_bytes.
  SELECT array_agg(s.id ORDER BY s.n) INTO ids FROM (
    SELECT i.id, i.n, sum(o.size) OVER (ORDER BY i.n) AS running
      FROM unnest(ids) WITH ORDINALITY AS i(id, n)
      JOIN @extschema@.delivery AS d ON d.id = i.id AND d.status <> 'given_up'
      JOIN @extschema@.output AS o ON o.id = d.output) AS s
   WHERE s.running <= 67108864 OR s.n = (SELECT min(f.n) FROM unnest(ids) WITH ORDINALITY AS f(id, n)
                                          JOIN @extschema@.delivery AS fd ON fd.id = f.id
                                         WHERE fd.status <> 'given_up');
  IF ids IS NULL THEN
    RETURN '[]';
  END IF;
  WITH leased AS (
    UPDATE @extschema@.delivery AS d
       SET status = 'delivering', attempts = d.attempts + 1, leased_by = worker,
           lease_until = now() + lease_seconds * interval '1 second', updated_at = now()
     WHERE d.id = ANY (ids) AND d.status <> 'given_up'
    RETURNING d.*)
  SELECT coalesce(jsonb_agg(jsonb_build_object(
           'id', l.id, 'attempt', l.attempts, 'idempotency_key', l.idempotency_key, 'kind', l.kind,
           'destination', l.destination_name, 'target', t.target, 'job', j.name, 'job_id', j.id,
           'report', o.report, 'run', l.run, 'format', o.format, 'rows', r.rows, 'output', o.id,
           'file_name', o.file_name, 'mime_type', o.mime_type, 'size', o.size, 'sha256', o.sha256,
           'scheduled_for', to_char(r.scheduled_for AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
           'finished_at', to_char(r.finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
           'created_at', to_char(l.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
           'channel', j.channel,
           'content', translate(encode(o.content, 'base64'), E'\n', ''))
         ORDER BY l.not_before, l.id), '[]')
    INTO result
    FROM leased AS l
    JOIN @extschema@.destination AS t ON t.id = l.destination
    JOIN @extschema@.job AS j ON j.id = l.job
    JOIN @extschema@.job_run AS r ON r.id = l.run
    JOIN @extschema@.output AS o ON o.id = l.output;
  RETURN result;
END
$$;
COMMENT ON FUNCTION @extschema@.claim_deliveries(text, integer, integer, bigint, integer) IS
  'the sidecar''s next batch of due deliveries, leased to worker, as a JSON array with each output in base64';

-- The outcome of an attempt, recorded when the lease is still the worker's ('lost' and nothing changed
-- otherwise: the lease expired and another sidecar took the delivery over).
CREATE FUNCTION @extschema@.finish_delivery(id bigint, worker text, outcome text, status integer, reply text,
                                            error text, retry_in_ms bigint)
  RETURNS text
  LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  x @extschema@.delivery;
BEGIN
  IF outcome IS NULL OR outcome NOT IN ('delivered', 'retry', 'give_up', 'release') THEN
    RAISE EXCEPTION 'unknown delivery outcome "%"', outcome
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'The outcome is "delivered", "retry", "give_up" or "release".';
  END IF;
  IF retry_in_ms < 0 THEN
    RAISE EXCEPTION 'retry_in_ms must not be negative' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  -- Handed back unsent (held by a limit, or the sidecar stopping): the attempt the claim counted is
  -- given back, the last outcome kept, and no event sent.
  IF outcome = 'release' THEN
    UPDATE @extschema@.delivery AS d
       SET status = CASE WHEN d.attempts <= 1 THEN 'pending' ELSE 'failed' END,
           attempts = greatest(d.attempts - 1, 0),
           not_before = now() + coalesce(retry_in_ms, 0) * interval '1 millisecond',
           leased_by = NULL, lease_until = NULL, updated_at = now()
     WHERE d.id = finish_delivery.id AND d.status = 'delivering' AND d.leased_by = worker
    RETURNING d.* INTO x;
    RETURN CASE WHEN FOUND THEN x.status ELSE 'lost' END;
  END IF;
  UPDATE @extschema@.delivery AS d
     SET status = CASE outcome WHEN 'delivered' THEN 'delivered' WHEN 'retry' THEN 'failed' ELSE 'given_up' END,
         delivered_at = CASE WHEN outcome = 'delivered' THEN now() END,
         not_before = CASE WHEN outcome = 'retry'
                           THEN now() + coalesce(retry_in_ms, 0) * interval '1 millisecond'
                           ELSE d.not_before END,
         last_status = finish_delivery.status, last_reply = reply, last_error = error,
         leased_by = NULL, lease_until = NULL, updated_at = now()
   WHERE d.id = finish_delivery.id AND d.status = 'delivering' AND d.leased_by = worker
  RETURNING d.* INTO x;
  IF NOT FOUND THEN
    RETURN 'lost';
  END IF;
  PERFORM pg_notify(j.channel, @extschema@.delivery_event(x)) FROM @extschema@.job AS j WHERE j.id = x.job;
  RETURN x.status;
END
$$;
COMMENT ON FUNCTION @extschema@.finish_delivery(bigint, text, text, integer, text, text, bigint) IS
  'the sidecar records an attempt''s outcome (delivered, retry, give_up) or hands a delivery back unsent (release); returns the new status, or lost';

-- The sidecar extends the leases of the deliveries it still holds (every third of a lease), so that a
-- transfer longer than its lease is not taken over while the sidecar that sends it is alive. Returns the
-- ids still held by `worker` (a lease that had already been taken over is not).
CREATE FUNCTION @extschema@.renew_deliveries(worker text, ids bigint[], lease_seconds integer)
  RETURNS bigint[]
  LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  held bigint[];
BEGIN
  IF worker IS NULL OR worker = '' OR lease_seconds IS NULL OR lease_seconds < 1 THEN
    RAISE EXCEPTION 'invalid arguments to renew_deliveries'
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = 'worker is not empty and lease_seconds is at least 1.';
  END IF;
  WITH renewed AS (
    UPDATE @extschema@.delivery AS d
       SET lease_until = now() + lease_seconds * interval '1 second'
     WHERE d.id = ANY (ids) AND d.status = 'delivering' AND d.leased_by = worker
    RETURNING d.id)
  SELECT coalesce(array_agg(r.id ORDER BY r.id), '{}') INTO held FROM renewed AS r;
  RETURN held;
END
$$;
COMMENT ON FUNCTION @extschema@.renew_deliveries(text, bigint[], integer) IS
  'the sidecar extends the leases of the deliveries it still holds; returns their ids';

REVOKE ALL ON FUNCTION @extschema@.claim_deliveries(text, integer, integer, bigint, integer),
  @extschema@.finish_delivery(bigint, text, text, integer, text, text, bigint),
  @extschema@.renew_deliveries(text, bigint[], integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.claim_deliveries(text, integer, integer, bigint, integer),
  @extschema@.finish_delivery(bigint, text, text, integer, text, text, bigint),
  @extschema@.renew_deliveries(text, bigint[], integer) TO autoreport_sidecar;
