-- Error codes of query analysis (what_if, estimate_index_size, explain, explain_report), as applications
-- catch them.
BEGIN;
SELECT plan(37);

CREATE TABLE tap_wi (id int PRIMARY KEY, a int, b text);
INSERT INTO tap_wi SELECT i, i % 10, i::text FROM generate_series(1, 1000) AS i;
ANALYZE tap_wi;

SELECT throws_ok($$ SELECT autoreport.what_if(NULL, ARRAY['CREATE INDEX ON tap_wi (a)']) $$, '22023',
  'query must not be null', 'a NULL query: 22023');
SELECT throws_ok($$ SELECT autoreport.what_if('SELECT 1', NULL) $$, '22023', NULL, 'NULL indexes: 22023');
SELECT throws_ok($$ SELECT autoreport.what_if('SELECT 1; SELECT 2', '{}') $$, '22023', NULL,
  'two statements: 22023');
SELECT throws_ok($$ SELECT autoreport.what_if('VACUUM tap_wi', '{}') $$, '0A000', NULL,
  'a utility statement: 0A000');
SELECT throws_ok($$ SELECT autoreport.what_if('SELEC 1', '{}') $$, '42601', NULL, 'a syntax error: 42601');
SELECT throws_ok($$ SELECT autoreport.what_if('SELECT * FROM tap_nowhere', '{}') $$, '42P01', NULL,
  'a missing table in the query: 42P01');
SELECT throws_ok($$ SELECT autoreport.what_if('SELECT 1', ARRAY['DROP TABLE tap_wi']) $$, '22023', NULL,
  'not a CREATE INDEX: 22023');
SELECT throws_ok($$ SELECT autoreport.what_if('SELECT 1', ARRAY['CREATE INDEX ON tap_nowhere (a)']) $$, '42P01', NULL,
  'a missing table in an index: 42P01');
SELECT throws_ok($$ SELECT autoreport.what_if('SELECT 1', ARRAY['CREATE INDEX ON tap_wi (nothing)']) $$, '42703', NULL,
  'a missing column: 42703');
SELECT throws_ok($$ SELECT autoreport.what_if('SELECT 1', ARRAY['CREATE INDEX ON tap_wi ((a + random()))']) $$, '42P17',
  NULL, 'a volatile expression: 42P17');
SELECT throws_ok($$ SELECT autoreport.what_if('SELECT 1', ARRAY['CREATE INDEX ON tap_wi USING gin (a)']) $$, '0A000',
  NULL, 'an access method other than btree, hash, brin: 0A000');
SELECT throws_ok($$ SELECT autoreport.what_if('SELECT 1', ARRAY['CREATE INDEX ON tap_wi USING nothing (a)']) $$, '42704',
  NULL, 'an unknown access method: 42704');
SELECT throws_ok($$ SELECT autoreport.what_if('SELECT 1', ARRAY['CREATE INDEX ON tap_wi USING hash (a, b)']) $$, '0A000',
  NULL, 'a multicolumn hash index: 0A000');
SELECT throws_ok($$ SELECT autoreport.what_if('SELECT 1', ARRAY['CREATE INDEX ON tap_wi (a) WITH (fillfactor = 5)']) $$,
  '22023', NULL, 'a fillfactor out of bounds: 22023');
SELECT throws_ok($$ SELECT autoreport.what_if('SELECT 1', ARRAY['CREATE INDEX ON tap_wi (a) WITH (colour = 1)']) $$,
  '22023', NULL, 'an unknown option: 22023');
SELECT throws_ok($$ SELECT autoreport.what_if('SELECT 1', ARRAY['CREATE INDEX ON tap_wi (a text_pattern_ops)']) $$,
  '42804', NULL, 'an operator class of another type: 42804');
SELECT throws_ok($$ SELECT autoreport.what_if('SELECT 1', array_fill('CREATE INDEX ON tap_wi (a)'::text, ARRAY[1025])) $$,
  '54000', NULL, 'more than 1,024 indexes: 54000');
SELECT throws_ok($$ SELECT * FROM autoreport.advise('lots', ARRAY['SELECT 1']) $$, '22023', NULL,
  'advise with a budget that is not a size: 22023');
SELECT throws_ok($$ SELECT * FROM autoreport.advise('-1%', ARRAY['SELECT 1']) $$, '22023', NULL,
  'advise with a negative share: 22023');
SELECT throws_ok($$ SELECT * FROM autoreport.advise('1GB', ARRAY['VACUUM tap_wi']) $$, '0A000', NULL,
  'advise of a utility statement: 0A000');
SELECT throws_ok($$ SELECT * FROM autoreport.advise('1GB', ARRAY['SELECT * FROM tap_missing']) $$, '42P01', NULL,
  'advise of a missing table: 42P01');
CREATE TABLE tap_adv (id int, k int, pad text);
INSERT INTO tap_adv SELECT i, i, repeat('x', 200) FROM generate_series(1, 20000) AS i;
ANALYZE tap_adv;
SELECT is((SELECT array_agg(ddl) FROM autoreport.advise('1GB', ARRAY['SELECT pad FROM tap_adv WHERE k = 7']) WHERE ddl NOT LIKE '--%'),
  ARRAY['CREATE INDEX ON public.tap_adv (k)'], 'advise suggests the index for a selective filter');
SELECT throws_ok($$ SELECT autoreport.estimate_index_size(NULL) $$, '22023', NULL, 'estimate_index_size(NULL): 22023');
SELECT throws_ok($$ SELECT autoreport.estimate_index_size('CREATE TABLE x (a int)') $$, '22023', NULL,
  'estimate_index_size of another statement: 22023');
SELECT lives_ok($$ SELECT autoreport.what_if('SELECT * FROM tap_wi WHERE a = 1', '{}') $$, 'no indexes: the plan as it is');
SELECT throws_ok($$ SELECT autoreport.explain(NULL) $$, '22023', 'query must not be null', 'explain(NULL): 22023');
SELECT throws_ok($$ SELECT autoreport.explain('SELECT * FROM tap_wi WHERE a = $1', '{"a": 1}') $$, '22023', NULL,
  'params that are not an array: 22023');
SELECT throws_ok($$ SELECT autoreport.explain('SELECT * FROM tap_wi WHERE a = $1') $$, '22023', NULL,
  'a parameter without a value: 22023');
SELECT throws_ok($$ SELECT autoreport.explain('UPDATE tap_wi SET a = 1', NULL, true) $$, '25006', NULL,
  'explain with analyze of a write: 25006');
SELECT throws_ok($$ SELECT autoreport.explain('VACUUM tap_wi') $$, '0A000', NULL, 'explain of a utility statement: 0A000');
SELECT throws_ok($$ SELECT autoreport.explain_report('tap_no_such_report') $$, '42704', NULL,
  'explain_report of a report that does not exist: 42704');
SELECT lives_ok($$ SELECT autoreport.explain('SELECT * FROM tap_wi WHERE a = $1', '[1]', true) $$,
  'explain with parameters and analyze');

CREATE ROLE tap_wi_stranger;
SET LOCAL ROLE tap_wi_stranger;
SELECT throws_ok($$ SELECT autoreport.what_if('SELECT 1', ARRAY['CREATE INDEX ON tap_wi (a)']) $$, '42501', NULL,
  'an index on a table the role may not read: 42501');
SELECT throws_ok($$ SELECT autoreport.what_if('SELECT * FROM tap_wi', '{}') $$, '42501', NULL,
  'a query the role may not run: 42501');
SELECT throws_ok($$ SELECT autoreport.estimate_index_size('CREATE INDEX ON tap_wi (a)') $$, '42501', NULL,
  'the size of an index on a table the role may not read: 42501');
SELECT throws_ok($$ SELECT autoreport.explain('SELECT * FROM tap_wi') $$, '42501', NULL,
  'explain of a query the role may not run: 42501');
RESET ROLE;
SELECT is((SELECT count(*) FROM pg_class WHERE relname LIKE 'tap_wi%' AND relkind = 'i'), 1::bigint,
  'nothing was built');

SELECT * FROM finish();
ROLLBACK;
