-- bench/advise/baselines.sql: what bench/advise.sh compares autoreport.advise() with, as functions of
-- the benchmark database (they are not part of the extension).
--
-- bench_dexter(queries): Dexter's rule (ankane/dexter, lib/dexter/indexer.rb), re-implemented on
-- autoreport.what_if() where Dexter uses HypoPG (their costs are equal: sql/what_if.sql). Candidate
-- columns are the columns whose names appear in the queries, on the tables the queries name. Pass 1
-- hypothesises a single-column index on each; pass 2 adds every ordered pair of them on each table.
-- A query whose cost is at least 100 gets the indexes its pass-1 plan uses if that plan costs less
-- than half the initial cost, or those of its pass-2 plan if pass 1 costs more than 100 and pass 2
-- less than half of pass 1. When the plan uses several of them, each is tried alone and the cheapest
-- is kept if it still meets the bar. Indexes an existing B-tree leads (its first one or two columns)
-- are not suggested, nor a single-column index that a chosen two-column one leads.
--
-- bench_cost(queries, indexes): the workload's planner cost with the indexes hypothetical.
--
-- bench_exhaustive(queries, candidates, sizes, budget): the best subset of the candidates (at most
-- 20) within the budget, by the workload's planner cost, every subset tried; costs are cached per
-- query and subset of the candidates on the tables the query names.

CREATE FUNCTION bench_dexter(queries text[]) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
  q text;
  c0 float8;
  r1 record;
  r2 record;
  singles text[];
  everything text[];
  used text[];
  pass2 boolean;
  best text;
  best_cost float8;
  c float8;
  nm text;
BEGIN
  CREATE TEMP TABLE IF NOT EXISTS dexter_candidate (name text PRIMARY KEY, tbl regclass, cols name[], ddl text);
  CREATE TEMP TABLE IF NOT EXISTS dexter_chosen (name text PRIMARY KEY);
  TRUNCATE dexter_candidate, dexter_chosen;
  CREATE TEMP TABLE dexter_column ON COMMIT DROP AS
  SELECT c.oid::regclass AS tbl, a.attname, a.attnum
    FROM pg_class AS c JOIN pg_attribute AS a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
   WHERE c.relkind = 'r' AND c.relnamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
     AND EXISTS (SELECT FROM unnest(queries) AS w(q) WHERE w.q ~* ('\m' || c.relname || '\M'))
     AND EXISTS (SELECT FROM unnest(queries) AS w(q) WHERE w.q ~* ('\m' || a.attname || '\M'));
  INSERT INTO dexter_candidate
  SELECT 'dx1_' || row_number() OVER (ORDER BY tbl::text, attnum), tbl, ARRAY[attname], NULL FROM dexter_column;
  INSERT INTO dexter_candidate
  SELECT 'dx2_' || row_number() OVER (ORDER BY a.tbl::text, a.attnum, b.attnum), a.tbl, ARRAY[a.attname, b.attname], NULL
    FROM dexter_column AS a JOIN dexter_column AS b ON b.tbl = a.tbl AND b.attnum <> a.attnum;
  UPDATE dexter_candidate
     SET ddl = format('CREATE INDEX %I ON %s (%s)', name, tbl,
                      (SELECT string_agg(quote_ident(x), ', ') FROM unnest(cols) AS x));
  -- Indexes whose columns lead an existing B-tree.
  DELETE FROM dexter_candidate AS d
   WHERE EXISTS (SELECT FROM pg_index AS i JOIN pg_class AS ic ON ic.oid = i.indexrelid
                  WHERE i.indrelid = d.tbl AND ic.relam = (SELECT oid FROM pg_am WHERE amname = 'btree')
                    AND (SELECT array_agg(attname ORDER BY k) FROM unnest((i.indkey::int2[])[0:cardinality(d.cols) - 1])
                           WITH ORDINALITY AS u(att, k) JOIN pg_attribute ON attrelid = i.indrelid AND attnum = u.att)
                        = d.cols);
  singles := ARRAY(SELECT ddl FROM dexter_candidate WHERE name LIKE 'dx1_%' ORDER BY name);
  everything := ARRAY(SELECT ddl FROM dexter_candidate ORDER BY name);
  FOREACH q IN ARRAY queries LOOP
    SELECT cost_before INTO c0 FROM autoreport.what_if(q, '{}');
    CONTINUE WHEN c0 < 100;
    SELECT * INTO r1 FROM autoreport.what_if(q, singles);
    SELECT * INTO r2 FROM autoreport.what_if(q, everything);
    pass2 := r1.cost_after > 100 AND r2.cost_after < r1.cost_after * 0.5;
    used := CASE WHEN pass2 THEN r2.used ELSE r1.used END;
    IF pass2 AND cardinality(used) > 1 THEN
      used := r1.used;
      pass2 := false;
    END IF;
    CONTINUE WHEN NOT (pass2 OR r1.cost_after < c0 * 0.5) OR cardinality(used) = 0;
    IF cardinality(used) > 1 THEN
      best := NULL;
      FOR c, nm IN SELECT (SELECT cost_after FROM autoreport.what_if(q, ARRAY[d.ddl])), d.name
                     FROM dexter_candidate AS d WHERE d.name = ANY (used) LOOP
        IF best IS NULL OR c < best_cost THEN
          best := nm;
          best_cost := c;
        END IF;
      END LOOP;
      CONTINUE WHEN NOT CASE WHEN pass2 THEN best_cost < r1.cost_after * 0.5 ELSE best_cost < c0 * 0.5 END;
      used := ARRAY[best];
    END IF;
    INSERT INTO dexter_chosen SELECT unnest(used) ON CONFLICT DO NOTHING;
  END LOOP;
  RETURN QUERY
  SELECT format('CREATE INDEX ON %s (%s)', d.tbl, (SELECT string_agg(quote_ident(x), ', ') FROM unnest(d.cols) AS x))
    FROM dexter_candidate AS d JOIN dexter_chosen USING (name)
   WHERE NOT (cardinality(d.cols) = 1 AND EXISTS (
           SELECT FROM dexter_candidate AS m JOIN dexter_chosen USING (name)
            WHERE m.tbl = d.tbl AND cardinality(m.cols) = 2 AND m.cols[1] = d.cols[1]))
   ORDER BY 1;
END $$;

CREATE FUNCTION bench_cost(queries text[], indexes text[]) RETURNS float8 LANGUAGE sql AS $$
  SELECT sum((SELECT cost_after FROM autoreport.what_if(q, indexes))) FROM unnest(queries) AS w(q)
$$;

CREATE FUNCTION bench_exhaustive(queries text[], candidates text[], sizes bigint[], budget bigint,
                                 OUT best_cost float8, OUT best text[], OUT subsets int, OUT plannings int)
LANGUAGE plpgsql AS $$
DECLARE
  n int := cardinality(candidates);
  relevant int[];
  mask int;
  m int;
  total float8;
  bytes bigint;
  c float8;
BEGIN
  IF n > 20 THEN
    RAISE EXCEPTION 'at most 20 candidates, not %', n;
  END IF;
  CREATE TEMP TABLE IF NOT EXISTS exhaustive_cache (q int, mask int, cost float8, PRIMARY KEY (q, mask));
  TRUNCATE exhaustive_cache;
  -- A candidate matters to a query when the query names its table.
  relevant := ARRAY(
    SELECT coalesce(sum(1 << (k - 1)::int) FILTER (
             WHERE w.q ~* ('\m' || (regexp_match(c.ddl, ' ON (?:ONLY )?(?:[^ ]+\.)?"?([^ ."(]+)"? \('))[1] || '\M')), 0)::int
      FROM unnest(queries) WITH ORDINALITY AS w(q, i)
      CROSS JOIN LATERAL unnest(candidates) WITH ORDINALITY AS c(ddl, k)
     GROUP BY w.i ORDER BY w.i);
  subsets := 0;
  plannings := 0;
  FOR mask IN 0 .. (1 << n) - 1 LOOP
    SELECT coalesce(sum(sizes[k]), 0) INTO bytes FROM generate_series(1, n) AS k WHERE mask & (1 << (k - 1)) <> 0;
    CONTINUE WHEN bytes > budget;
    subsets := subsets + 1;
    total := 0;
    FOR i IN 1 .. cardinality(queries) LOOP
      m := mask & relevant[i];
      SELECT cost INTO c FROM exhaustive_cache WHERE q = i AND exhaustive_cache.mask = m;
      IF NOT FOUND THEN
        SELECT cost_after INTO c FROM autoreport.what_if(queries[i],
          ARRAY(SELECT candidates[k] FROM generate_series(1, n) AS k WHERE m & (1 << (k - 1)) <> 0));
        INSERT INTO exhaustive_cache VALUES (i, m, c);
        plannings := plannings + 1;
      END IF;
      total := total + c;
    END LOOP;
    IF best_cost IS NULL OR total < best_cost THEN
      best_cost := total;
      best := ARRAY(SELECT candidates[k] FROM generate_series(1, n) AS k WHERE mask & (1 << (k - 1)) <> 0);
    END IF;
  END LOOP;
END $$;
