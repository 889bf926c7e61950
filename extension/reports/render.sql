-- autoreport: rendering a report's result as a file.

CREATE FUNCTION @extschema@.render(name text, params jsonb DEFAULT '{}', format text DEFAULT 'csv',
                                   options jsonb DEFAULT '{}')
  RETURNS bytea
  LANGUAGE c VOLATILE PARALLEL UNSAFE
  AS 'MODULE_PATHNAME', 'autoreport_render';
COMMENT ON FUNCTION @extschema@.render(text, jsonb, text, jsonb) IS
  'run a report and render its result as csv, tsv, json, ndjson, html, markdown, xlsx, svg, pdf or png';

CREATE FUNCTION @extschema@.render_chunks(name text, params jsonb DEFAULT '{}', format text DEFAULT 'csv',
                                          options jsonb DEFAULT '{}', chunk_size bigint DEFAULT 1048576)
  RETURNS SETOF bytea
  LANGUAGE c VOLATILE PARALLEL UNSAFE
  AS 'MODULE_PATHNAME', 'autoreport_render_chunks';
COMMENT ON FUNCTION @extschema@.render_chunks(text, jsonb, text, jsonb, bigint) IS
  'render a report in pieces of chunk_size bytes, in order: for results beyond the 1 GB bytea limit';
