// Reading a managed view's query with PostgreSQL's parser: what it reads, whether it can be maintained
// incrementally (and if not, which construct stops it), and its expressions deparsed with every name
// qualified, for the SQL of shape.hpp.
#pragma once

#include "common/postgres.hpp"
#include "views/shape.hpp"

extern "C" {
#include "nodes/parsenodes.h"
}

#include <string>
#include <vector>

namespace autoreport::views {

struct OutputColumn {
  std::string name; // quoted
  std::string type;
};

struct Analysis {
  // Set when the query can be maintained incrementally; otherwise refusal names the construct.
  bool incremental = false;
  std::string refusal;
  std::string refusal_detail;
  std::string refusal_hint;
  Shape shape;
  // The query's source tables, in range-table order (one per reference), and the columns read of each.
  std::vector<Oid> sources;
  std::vector<std::vector<AttrNumber>> columns;
  // The query deparsed with every name qualified: what a full refresh runs.
  std::string definition;
  std::vector<OutputColumn> output;
};

// Parses and analyses sql as the current user: one SELECT, no parameters. PostgreSQL's own errors
// (syntax, unknown table, permission) come through unchanged.
Query* parse_query(const std::string& sql);

// The query's shape, as the catalogs say now (a stored tree follows renames). Throws 55000 naming what
// broke when a source table or a column the query reads is gone or has another type.
Analysis analyze(Query* query);

// The analysed query kept as text (nodeToString) and read back.
std::string tree_to_text(Query* query);
Query* tree_from_text(const std::string& text);

// The log table of a source (autoreport_log.log_<oid>), quoted.
std::string log_name(Oid source);
// Its OID, or InvalidOid when there is none. No privilege is checked: a writer of the source, whose
// statement's capture trigger looks the log up, need not be able to use schema autoreport_log.
Oid log_oid(Oid source);

} // namespace autoreport::views
