// Executing a report's query with bound parameters through a cursor.
#include "reports/execute_pg.hpp"

#include "common/runtime.hpp"

extern "C" {
#include "utils/guc.h"
}

namespace autoreport::reports {

namespace {

// Applies the search_path a report was defined with, for as long as it runs.
class SearchPathScope {
public:
  explicit SearchPathScope(const std::string& path) {
    level_ = pg::guard([&] {
      const int level = NewGUCNestLevel();
      set_config_option("search_path", path.c_str(), PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0,
                        false);
      return level;
    });
  }
  ~SearchPathScope() {
    try {
      pg::guard([this] { AtEOXact_GUC(true, level_); });
    } catch (...) {
      // Restoring a saved setting does not fail; if it did, the transaction's end restores it.
    }
  }
  SearchPathScope(const SearchPathScope&) = delete;
  SearchPathScope& operator=(const SearchPathScope&) = delete;

private:
  int level_;
};

constexpr long kBatchRows = 1000;

} // namespace

uint64 execute_report(const ReportVersion& report, const BoundParams& params, const BatchFn& on_batch,
                      const std::string& wrapper) {
  std::string sql = report.bound_query;
  if (!wrapper.empty()) {
    const size_t at = wrapper.find("$report");
    sql = wrapper.substr(0, at) + "(" + report.bound_query + "\n)" + wrapper.substr(at + 7);
  }
  pg::SpiConnection spi;
  SearchPathScope path(report.search_path);
  Portal portal = spi.open_cursor(sql, params.values);
  uint64 total = 0;
  for (;;) {
    check_interrupts();
    const uint64 n = spi.fetch(portal, kBatchRows);
    if (n == 0) {
      break;
    }
    SPITupleTable* table = SPI_tuptable;
    on_batch(table, n);
    total += n;
    spi.free_rows(table);
  }
  spi.close_cursor(portal);
  return total;
}

} // namespace autoreport::reports
