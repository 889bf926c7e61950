-- autoreport: which roles may listen to and publish on which NOTIFY channels through the sidecar.
--
-- The sidecar (sidecar/) carries LISTEN/NOTIFY to web clients. It authenticates a client by a JWT
-- whose "role" claim names a database role, and asks the database, not its own configuration,
-- whether that role may listen to or publish on a channel: autoreport.channel_allowed().
--
-- Rules, in one place:
--   * A channel name is 1 to 63 bytes (NAMEDATALEN - 1, the longest NOTIFY channel) of segments of
--     ASCII letters, digits, "_" and "-", separated by single dots: "sales", "sales.emea.daily".
--     Names are case-sensitive, exactly as pg_notify() receives them.
--   * A pattern is a channel name (that channel only), a channel name followed by ".*" (every
--     channel below it: "sales.*" matches "sales.emea" and "sales.emea.daily", not "sales" or
--     "salesx"), or "*" (every channel).
--   * A grant to a role applies to every role that has its privileges (pg_has_role(member, role,
--     'USAGE')): members of a group role inherit its grants, as they inherit its table privileges;
--     a NOINHERIT member does not.
--   * A superuser may listen to and publish on every channel, as PostgreSQL lets superusers bypass
--     every permission check. Do not issue sidecar tokens that name a superuser.
--   * Unknown roles and malformed channel names are not errors for channel_allowed(): the answer is
--     false, so that nothing a client sends can make the sidecar's check fail. Its role argument is
--     of type name, which PostgreSQL cuts to 63 bytes: the sidecar refuses a longer role claim
--     rather than let it name another role.
--   * Grants name roles by OID. DROP ROLE leaves the role's grants behind, inert (no role has that
--     OID), shown in autoreport.channel_grants with the OID as the role; revoke them with
--     autoreport.revoke_channel('<oid>', pattern). Revoke a role's grants before dropping it.
--
-- The sidecar connects as a LOGIN role the operator creates and makes a member of autoreport_sidecar,
-- which may execute channel_allowed() and nothing else of this file:
--   CREATE ROLE sidecar LOGIN PASSWORD '...' IN ROLE autoreport_sidecar;

-- Roles are cluster-wide and outlive DROP EXTENSION (see common.sql).
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'autoreport_sidecar') THEN
    CREATE ROLE autoreport_sidecar NOLOGIN;
  END IF;
END
$$;
COMMENT ON ROLE autoreport_sidecar IS
  'may ask autoreport.channel_allowed(); the sidecar''s LOGIN role is a member of it';

-- Whether a text is a channel name. The one definition of a channel name; patterns use it too.
CREATE FUNCTION @extschema@.channel_name_valid(channel text) RETURNS boolean
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
  AS $$ SELECT octet_length(channel) <= 63 AND channel ~ '^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$' $$;
COMMENT ON FUNCTION @extschema@.channel_name_valid(text) IS
  'whether a text is a channel name: 1 to 63 bytes of ASCII letters, digits, _ and -, in dot-separated segments';

-- Returns the pattern when it is valid; raises 22023 saying what is wrong otherwise.
CREATE FUNCTION @extschema@.channel_pattern_check(pattern text) RETURNS text
  LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  hint constant text :=
    'Use a channel name such as "sales.emea", a prefix ending in ".*" such as "sales.*", or "*" for every channel.';
  prefix text := pattern;
BEGIN
  IF pattern = '' THEN
    RAISE EXCEPTION 'channel pattern must not be empty' USING ERRCODE = 'invalid_parameter_value', HINT = hint;
  END IF;
  IF octet_length(pattern) > 63 THEN
    RAISE EXCEPTION 'channel pattern is too long'
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = format('It is %s bytes; channel names are at most 63 bytes (NAMEDATALEN - 1).',
                            octet_length(pattern)),
            HINT = hint;
  END IF;
  IF pattern = '*' THEN
    RETURN pattern;
  END IF;
  IF right(pattern, 2) = '.*' THEN
    prefix := left(pattern, -2);
  END IF;
  IF strpos(prefix, '*') > 0 THEN
    RAISE EXCEPTION 'invalid channel pattern "%"', pattern
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = '"*" stands alone, for every channel, or as the last segment after a ".", as in "sales.*".',
            HINT = hint;
  END IF;
  IF NOT @extschema@.channel_name_valid(prefix) THEN
    RAISE EXCEPTION 'invalid channel pattern "%"', pattern
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = 'A channel name is made of segments of ASCII letters, digits, "_" and "-", separated by single dots.',
            HINT = hint;
  END IF;
  RETURN pattern;
END
$$;
COMMENT ON FUNCTION @extschema@.channel_pattern_check(text) IS
  'the pattern if it is a valid channel pattern (a channel name, a name followed by .*, or *); else error 22023';

CREATE TABLE @extschema@.channel_grant (
  role regrole NOT NULL,
  pattern text NOT NULL
    CONSTRAINT channel_grant_pattern_valid CHECK (@extschema@.channel_pattern_check(pattern) IS NOT NULL),
  may_listen boolean NOT NULL,
  may_publish boolean NOT NULL,
  granted_by regrole NOT NULL DEFAULT pg_catalog.to_regrole(pg_catalog.quote_ident(CURRENT_USER)),
  granted_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (role, pattern),
  CONSTRAINT channel_grant_allows_something CHECK (may_listen OR may_publish)
);
COMMENT ON TABLE @extschema@.channel_grant IS
  'which roles may listen to and publish on which channels (read autoreport.channel_grants instead)';

-- channel_allowed() looks grants up by the few patterns that can match a channel, for every role.
CREATE INDEX channel_grant_pattern ON @extschema@.channel_grant (pattern) INCLUDE (role, may_listen, may_publish);

-- Grants are written through grant_channel()/revoke_channel(), which run as their caller: members
-- of autoreport_admin hold the table privileges they need (the CHECK constraints hold the same rules
-- for a direct write, though granted_by is then whatever the writer puts there). Everyone else
-- reads autoreport.channel_grants.
REVOKE ALL ON @extschema@.channel_grant FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE ON @extschema@.channel_grant TO autoreport_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.channel_grant', '');

-- Refuses (42501) a caller who is not a member of autoreport_admin: only administrators change grants.
CREATE FUNCTION @extschema@.channel_require_admin(verb text, doing text) RETURNS void
  LANGUAGE plpgsql STABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
  AS $$
BEGIN
  IF NOT pg_has_role('autoreport_admin', 'USAGE') THEN
    RAISE EXCEPTION 'permission denied to % channels', verb
      USING ERRCODE = 'insufficient_privilege',
            DETAIL = format('%s channels needs membership in autoreport_admin.', doing),
            HINT = format('GRANT autoreport_admin TO %s;', quote_ident(CURRENT_USER));
  END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.channel_require_admin(text, text) IS
  'raises 42501 unless the caller administers autoreport (used by grant_channel and revoke_channel)';

-- Lets a role listen to and/or publish on the channels a pattern matches. A second call for the same
-- role and pattern replaces the grant's listen/publish (granted_by/granted_at change only when they do).
CREATE FUNCTION @extschema@.grant_channel(role regrole, pattern text, listen boolean DEFAULT true,
                                          publish boolean DEFAULT false)
  RETURNS void
  LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
  SET search_path = pg_catalog, pg_temp
  AS $$
BEGIN
  IF role IS NULL OR pattern IS NULL OR listen IS NULL OR publish IS NULL THEN
    RAISE EXCEPTION 'role, pattern, listen and publish must not be null' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM @extschema@.channel_require_admin('grant', 'Granting');
  PERFORM @extschema@.channel_pattern_check(pattern);
  IF NOT (listen OR publish) THEN
    RAISE EXCEPTION 'a channel grant must allow listen, publish or both'
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'To take a grant away, use autoreport.revoke_channel().';
  END IF;
  INSERT INTO @extschema@.channel_grant AS g (role, pattern, may_listen, may_publish)
  VALUES (grant_channel.role, grant_channel.pattern, listen, publish)
  ON CONFLICT ON CONSTRAINT channel_grant_pkey DO UPDATE
     SET may_listen = excluded.may_listen, may_publish = excluded.may_publish,
         granted_by = excluded.granted_by, granted_at = excluded.granted_at
   WHERE (g.may_listen, g.may_publish) IS DISTINCT FROM (excluded.may_listen, excluded.may_publish);
END
$$;
COMMENT ON FUNCTION @extschema@.grant_channel(regrole, text, boolean, boolean) IS
  'let a role (and its members) listen to and/or publish on the channels a pattern matches; administrators only';

-- Takes a grant away. A grant that does not exist is a NOTICE, not an error, as with REVOKE, so that
-- a script of revocations can run again.
CREATE FUNCTION @extschema@.revoke_channel(role regrole, pattern text)
  RETURNS void
  LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
  SET search_path = pg_catalog, pg_temp
  AS $$
BEGIN
  IF role IS NULL OR pattern IS NULL THEN
    RAISE EXCEPTION 'role and pattern must not be null' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM @extschema@.channel_require_admin('revoke', 'Revoking');
  PERFORM @extschema@.channel_pattern_check(pattern);
  DELETE FROM @extschema@.channel_grant AS g
   WHERE g.role = revoke_channel.role AND g.pattern = revoke_channel.pattern;
  IF NOT FOUND THEN
    RAISE NOTICE 'role "%" has no grant on channel pattern "%", skipping', pg_get_userbyid(role), pattern;
  END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.revoke_channel(regrole, text) IS
  'take away the grant of a role on a channel pattern; administrators only';

-- The sidecar's question: may the role named `role` do `action` ('listen' or 'publish') on `channel`?
-- The candidate patterns of a channel are few (the channel itself, "*", and one "<prefix>.*" per
-- dot), so the lookup is an index scan on pattern whatever the number of grants, and pg_has_role()
-- then decides, per matching grant, whether it applies to the role.
CREATE FUNCTION @extschema@.channel_allowed(role name, channel text, action text) RETURNS boolean
  LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  who oid;
  super boolean;
  -- The collation of the column and its index. Without it the variable would take the caller's: "C"
  -- when `role` is a name, and then the index could not serve the lookup.
  patterns text[] COLLATE "default";
BEGIN
  IF action NOT IN ('listen', 'publish') THEN
    RAISE EXCEPTION 'unknown channel action "%"', action
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'The action is "listen" or "publish".';
  END IF;
  SELECT r.oid, r.rolsuper INTO who, super FROM pg_roles AS r WHERE r.rolname = channel_allowed.role;
  IF who IS NULL OR NOT @extschema@.channel_name_valid(channel) THEN
    RETURN false;
  END IF;
  IF super THEN
    RETURN true;
  END IF;
  patterns := ARRAY['*', channel];
  FOR i IN 2 .. length(channel) - 1 LOOP
    IF substr(channel, i, 1) = '.' THEN
      patterns := patterns || (left(channel, i) || '*');
    END IF;
  END LOOP;
  RETURN EXISTS (
    SELECT FROM @extschema@.channel_grant AS g
     WHERE g.pattern = ANY (patterns)
       AND CASE action WHEN 'listen' THEN g.may_listen ELSE g.may_publish END
       AND pg_has_role(who, g.role, 'USAGE'));
END
$$;
COMMENT ON FUNCTION @extschema@.channel_allowed(name, text, text) IS
  'whether a role may listen to or publish on a channel (action ''listen'' or ''publish''); false for an unknown role';
REVOKE ALL ON FUNCTION @extschema@.channel_allowed(name, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.channel_allowed(name, text, text) TO autoreport_sidecar, autoreport_admin;

-- Administrators see every grant (including those left behind by a dropped role, whose role shows as
-- an OID); everyone else sees the grants that apply to them, their own and their groups'.
CREATE VIEW @extschema@.channel_grants WITH (security_barrier) AS
  SELECT g.role, g.pattern, g.may_listen AS listen, g.may_publish AS publish, g.granted_by, g.granted_at
    FROM @extschema@.channel_grant AS g
   WHERE pg_catalog.pg_has_role('autoreport_admin', 'USAGE')
      OR pg_catalog.pg_has_role(g.role, 'USAGE');
COMMENT ON VIEW @extschema@.channel_grants IS
  'channel grants: all of them for members of autoreport_admin, else those that apply to you';
GRANT SELECT ON @extschema@.channel_grants TO PUBLIC;
