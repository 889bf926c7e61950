-- Error codes of the foundation's SQL functions, as applications catch them.
BEGIN;
SELECT plan(6);

SELECT throws_ok($$ SELECT autoreport.progress_begin('load', 'orders', -1) $$, '22023',
  'total must not be negative', 'a negative total is refused with 22023');
SELECT throws_ok($$ SELECT autoreport.progress_begin('', 'orders', 1) $$, '22023',
  'operation must not be empty', 'an empty operation is refused with 22023');
SELECT throws_ok($$ SELECT autoreport.progress_begin(NULL, NULL, 1) $$, '22023',
  'operation and object must not be null', 'NULL names are refused with 22023');
SELECT throws_ok($$ SELECT autoreport.progress_update(5) $$, '55000',
  'no progress is being reported by this session', 'an update before begin is refused with 55000');
SELECT lives_ok($$ SELECT autoreport.progress_begin('load', 'orders', NULL) $$,
  'an unknown total is allowed');
SELECT lives_ok($$ SELECT autoreport.progress_end() $$, 'end always succeeds');

SELECT * FROM finish();
ROLLBACK;
