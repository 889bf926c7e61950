// Appending rows to autoreport.runs in chain order: the one place that computes the hash chain.
// Used by the background writer (its own transactions) and by the direct path of a server without
// preloading (the caller's transaction).
#pragma once

#include "audit/canonical.hpp"
#include "audit/queue.hpp"
#include "common/sha256_pg.hpp"
#include "common/spi_pg.hpp"

#include <optional>
#include <string>

namespace autoreport::audit {

// A run about to be appended: every field of the row but id and the hashes, with the parameters still
// as the text the run gave (the appender turns them into jsonb).
struct PendingRow {
  RunRow row;                             // id is assigned by the appender
  std::optional<std::string> params_text; // the parameters as recorded ("" or nullopt: none)
};

// The chain lock, which serialises every append to the chain of a database, is SHARE ROW EXCLUSIVE on
// autoreport.runs, held until the end of the transaction. It conflicts with itself and with every
// change to the table, not with readers. Ordinary users cannot take it (LOCK TABLE in that mode needs
// UPDATE, DELETE or TRUNCATE on the table, which only its owner and superusers have), so nobody else
// can hold the log's writers back; a superuser may, to test or to pause logging:
//   LOCK TABLE autoreport.runs IN SHARE ROW EXCLUSIVE MODE
//
// Appends runs to the end of the chain. The constructor takes the chain lock and reads the chain's
// head, so construct it inside the transaction that appends, after the last thing that could wait
// long.
class ChainAppender {
public:
  explicit ChainAppender(pg::SpiConnection& spi);
  ChainAppender(const ChainAppender&) = delete;
  ChainAppender& operator=(const ChainAppender&) = delete;

  // Appends one row; returns its id.
  int64_t append(PendingRow pending);

private:
  pg::SpiConnection& spi_;
  pg::Sha256 sha_;
  int64_t last_id_ = 0;
  Digest last_hash_ = kZeroHash;
};

// A queued run as a row to append; the role's name is looked up now (inside a transaction).
PendingRow pending_from(const QueuedRun& run);

// True when autoreport.runs exists in this database (autoreport is installed).
bool runs_table_exists();

} // namespace autoreport::audit
