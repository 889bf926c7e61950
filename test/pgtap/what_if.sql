-- Error codes of what_if() and estimate_index_size(), as applications catch them.
BEGIN;
SELECT plan(24);

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
SELECT throws_ok($$ SELECT autoreport.what_if('SELECT 1', array_fill('CREATE INDEX ON tap_wi (a)'::text, ARRAY[65])) $$,
  '54000', NULL, 'more than 64 indexes: 54000');
SELECT throws_ok($$ SELECT autoreport.estimate_index_size(NULL) $$, '22023', NULL, 'estimate_index_size(NULL): 22023');
SELECT throws_ok($$ SELECT autoreport.estimate_index_size('CREATE TABLE x (a int)') $$, '22023', NULL,
  'estimate_index_size of another statement: 22023');
SELECT lives_ok($$ SELECT autoreport.what_if('SELECT * FROM tap_wi WHERE a = 1', '{}') $$, 'no indexes: the plan as it is');

CREATE ROLE tap_wi_stranger;
SET LOCAL ROLE tap_wi_stranger;
SELECT throws_ok($$ SELECT autoreport.what_if('SELECT 1', ARRAY['CREATE INDEX ON tap_wi (a)']) $$, '42501', NULL,
  'an index on a table the role may not read: 42501');
SELECT throws_ok($$ SELECT autoreport.what_if('SELECT * FROM tap_wi', '{}') $$, '42501', NULL,
  'a query the role may not run: 42501');
SELECT throws_ok($$ SELECT autoreport.estimate_index_size('CREATE INDEX ON tap_wi (a)') $$, '42501', NULL,
  'the size of an index on a table the role may not read: 42501');
RESET ROLE;
SELECT is((SELECT count(*) FROM pg_class WHERE relname LIKE 'tap_wi%' AND relkind = 'i'), 1::bigint,
  'nothing was built');

SELECT * FROM finish();
ROLLBACK;
