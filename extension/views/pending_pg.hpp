// The changes a managed view has not applied yet (pending_pg.cpp): the window that selects them from a
// source's log, which a refresh applies (refresh_pg.cpp), and their count for each source.
#pragma once

#include "common/spi_pg.hpp"
#include "views/catalog_pg.hpp"

extern "C" {
#include "utils/snapshot.h"
}

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

namespace autoreport::views {

// The condition (on a log's rows, alias l) that keeps the changes a view has not applied: $2 is the
// snapshot it includes, $3 and $4 the transaction and command of its last refresh. (No condition on
// _ar_xid alone: the log has no index to use it, and the planner, whose histogram of _ar_xid always
// ends before the newest changes, took it to leave one row of thousands, and joined them by nested
// loops.)
constexpr const char* kWindow = "CASE WHEN l._ar_xid = $3 THEN l._ar_cid >= $4 "
                                "ELSE NOT pg_catalog.pg_visible_in_snapshot(l._ar_xid, $2) END";

// The parameters $2 to $4 of kWindow for view v.
std::array<pg::SpiParam, 3> window_params(const ViewRow& v);

// The changes of one source not yet applied.
struct SourceChanges {
  int64_t rows = 0;    // log rows: the work of applying them
  int64_t changes = 0; // rows changed (a log row stands for as many equal ones as its sign says)
  bool truncated = false;
  std::optional<double> lag; // seconds since the oldest change was captured
};

// The changes of each distinct source of view v not yet applied, read at snap.
std::map<Oid, SourceChanges> pending(const ViewRow& v, const std::vector<Oid>& sources, Snapshot snap,
                                     bool read_only);

} // namespace autoreport::views
