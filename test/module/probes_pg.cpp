// Boundary probes: SQL functions that exist only to prove the rules of common/boundary_pg.hpp.
// Built into build/autoreport_test.so for the tests; never installed.
#include "common/boundary_pg.hpp"
#include "common/convert_pg.hpp"
#include "common/interrupts_pg.hpp"
#include "common/memory_pg.hpp"
#include "common/runtime.hpp"
#include "common/spi_pg.hpp"
#include "spin.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "utils/memutils.h"

PG_MODULE_MAGIC;
AUTOREPORT_EXPORT void _PG_init(void);
}

#include <malloc.h>

#include <array>
#include <stdexcept>
#include <string>
#include <vector>

using autoreport::Error;
namespace pg = autoreport::pg;

namespace {

// Counts destructor runs, so a test can see that C++ unwinding happened.
int64_t g_destructed = 0;

struct Sentinel {
  Sentinel() = default;
  Sentinel(const Sentinel&) = delete;
  Sentinel& operator=(const Sentinel&) = delete;
  ~Sentinel() { ++g_destructed; }
};

// Throws from `depth` frames down, each frame holding a Sentinel.
void throw_at_depth(const std::string& code, int depth) {
  Sentinel s;
  if (depth <= 1) {
    throw Error(code, "probe error thrown " + std::to_string(depth) + " frame(s) down")
        .with_detail("The probe was asked for SQLSTATE " + code + ".")
        .with_hint("This error is expected by the test.");
  }
  throw_at_depth(code, depth - 1);
}

} // namespace

void _PG_init(void) {
  pg::enter([] {
    pg::boundary_init();
    pg::install_interrupt_hook();
  });
}

// ar_test_throw(sqlstate text, depth int): a C++ exception thrown deep inside a SQL function.
AUTOREPORT_FUNCTION(ar_test_throw) {
  throw_at_depth(pg::text_to_string(PG_GETARG_DATUM(0)), PG_GETARG_INT32(1));
  PG_RETURN_VOID();
}

// ar_test_throw_std(kind text): exceptions that are not autoreport::Error.
AUTOREPORT_FUNCTION(ar_test_throw_std) {
  const std::string kind = pg::text_to_string(PG_GETARG_DATUM(0));
  Sentinel s;
  if (kind == "runtime_error") {
    throw std::runtime_error("probe runtime_error");
  }
  if (kind == "bad_alloc") {
    throw std::bad_alloc();
  }
  if (kind == "int") {
    throw 42;
  }
  PG_RETURN_VOID();
}

// ar_test_destructors(): how many Sentinels have been destroyed in this backend.
AUTOREPORT_FUNCTION(ar_test_destructors) {
  PG_RETURN_INT64(g_destructed);
}

// ar_test_spi(query text): runs a query through SpiConnection while a Sentinel is alive; returns rows.
AUTOREPORT_FUNCTION(ar_test_spi) {
  Sentinel s;
  pg::SpiConnection spi;
  const pg::SpiResult r = spi.execute(pg::text_to_string(PG_GETARG_DATUM(0)), {}, false);
  PG_RETURN_INT64(static_cast<int64>(r.processed()));
}

// ar_test_input(type regtype, value text): a value through its type's input and output functions.
AUTOREPORT_FUNCTION(ar_test_input) {
  Sentinel s;
  const Oid type = PG_GETARG_OID(0);
  const Datum value = pg::input_value(type, pg::text_to_string(PG_GETARG_DATUM(1)));
  return pg::string_to_text(pg::output_value(type, value));
}

// ar_test_spin(seconds float8): a pure C++ loop that only a cancel or timeout stops early.
AUTOREPORT_FUNCTION(ar_test_spin) {
  Sentinel s;
  PG_RETURN_INT64(autoreport_test::spin(PG_GETARG_FLOAT8(0)));
}

// ar_test_subtransaction(query text): runs the query in a subtransaction and reports the error it
// caught instead of failing: the way C++ recovers from a PostgreSQL error and carries on.
AUTOREPORT_FUNCTION(ar_test_subtransaction) {
  const std::string query = pg::text_to_string(PG_GETARG_DATUM(0));
  std::string outcome = "ok";
  try {
    pg::subtransaction([&] {
      pg::SpiConnection spi;
      spi.execute(query, {}, false);
    });
  } catch (const Error& e) {
    outcome = e.sqlstate() + ": " + e.message();
  }
  return pg::string_to_text(outcome);
}

// ar_test_datum_while_connected(n int): a text built while SPI is connected and returned after the
// connection ends: it must live in the caller's memory, not SPI's.
AUTOREPORT_FUNCTION(ar_test_datum_while_connected) {
  Datum result;
  {
    pg::SpiConnection spi;
    const std::array<pg::SpiParam, 1> params = {pg::SpiParam{INT4OID, PG_GETARG_DATUM(0), false}};
    const pg::SpiResult r = spi.execute("SELECT repeat('abcdefgh', $1)", params, true);
    result = pg::string_to_text(*r.text(0, 0));
  }
  return result;
}

// ar_test_throw_long(n int): a C++ error whose message of n two-byte characters is longer than the
// boundary's buffer, so it is cut; it must be cut on a character boundary.
AUTOREPORT_FUNCTION(ar_test_throw_long) {
  std::string message;
  for (int i = 0; i < PG_GETARG_INT32(0); ++i) {
    message += "\xc3\xa9"; // é
  }
  throw Error(autoreport::sqlstate::invalid_parameter_value, message);
}

// ar_test_swallow(query text): catches a PostgreSQL error without a subtransaction and returns, which
// the boundary must refuse.
AUTOREPORT_FUNCTION(ar_test_swallow) {
  pg::SpiConnection spi;
  try {
    spi.execute(pg::text_to_string(PG_GETARG_DATUM(0)), {}, true);
  } catch (const Error&) {
    // wrong on purpose
  }
  PG_RETURN_VOID();
}

// ar_test_memory(): bytes held by every memory context of this backend plus the C++ heap in use.
AUTOREPORT_FUNCTION(ar_test_memory) {
  const struct mallinfo2 m = mallinfo2();
  const Size contexts = MemoryContextMemAllocated(TopMemoryContext, true);
  PG_RETURN_INT64(static_cast<int64>(contexts + m.uordblks + m.hblkhd));
}

// ar_test_exercise(i int): one call through every helper of the boundary, returning ar_test_memory()
// at its end. Every 10th call also recovers from a PostgreSQL error in a subtransaction.
AUTOREPORT_FUNCTION(ar_test_exercise) {
  const int32 i = PG_GETARG_INT32(0);
  {
    pg::ScopedMemoryContext scratch("ar_test_exercise");
    pg::MemoryContextSwitch in_scratch(scratch.get());
    autoreport::ProgressScope progress("exercise", "probe", 1);

    pg::SpiConnection spi;
    const std::array<pg::SpiParam, 1> params = {pg::SpiParam{INT4OID, Int32GetDatum(i), false}};
    const pg::SpiResult r =
        spi.execute("SELECT $1 + 1 AS n, repeat('x', 100) AS s, $1::numeric / 7 AS q", params, true);
    if (r.integer(0, 0).value_or(0) != i + 1 || r.text(0, 1)->size() != 100 || !r.number(0, 2)) {
      throw Error(autoreport::sqlstate::internal_error, "SPI returned an unexpected row");
    }
    const std::string json = pg::jsonb_to_string(pg::string_to_jsonb(R"({"b": [1, 2.5, null], "a": "x"})"));
    const std::vector<std::optional<double>> values = {1.5, std::nullopt, 3.0};
    const auto back = pg::float8_array(pg::make_float8_array(values));
    if (json.empty() || back.size() != 3 || back[1].has_value()) {
      throw Error(autoreport::sqlstate::internal_error, "conversion round trip failed");
    }
    try {
      throw Error(autoreport::sqlstate::invalid_parameter_value, "caught inside C++");
    } catch (const Error&) {
    }
    if (i % 10 == 0) {
      try {
        pg::subtransaction([&] { spi.execute("SELECT 1/0", {}, true); });
      } catch (const Error& e) {
        if (e.sqlstate() != "22012") {
          throw;
        }
      }
    }
    progress.advance();
  }
  const struct mallinfo2 m = mallinfo2();
  PG_RETURN_INT64(
      static_cast<int64>(MemoryContextMemAllocated(TopMemoryContext, true) + m.uordblks + m.hblkhd));
}
