// What pure C++ code may ask of its host without including PostgreSQL: "should I stop?" and
// "here is how far I got".
//
// The glue installs real implementations when autoreport.so is loaded (interrupts_pg.cpp,
// progress_pg.cpp). In unit tests nothing is installed and both are no-ops, unless a test installs
// its own hooks to observe them.
#pragma once

#include <cstdint>
#include <string_view>

namespace autoreport {

// Hooks the host installs. Any member may be null.
struct RuntimeHooks {
  // Throws autoreport::Interrupted when the host wants the work to stop (cancel, timeout).
  void (*check_interrupts)() = nullptr;
  // Progress of the current long operation of this backend; total < 0 means unknown.
  void (*progress_begin)(std::string_view operation, std::string_view object, int64_t total) = nullptr;
  void (*progress_update)(int64_t done, int64_t total) = nullptr;
  void (*progress_end)() = nullptr;
};

// Replaces the installed hooks and returns the previous ones.
RuntimeHooks install_runtime_hooks(const RuntimeHooks& hooks) noexcept;
const RuntimeHooks& runtime_hooks() noexcept;

// Call from every long loop (each row, each series, each iteration of an optimiser). Cheap when no
// interrupt is pending. May throw autoreport::Interrupted (never catch it to carry on) or, for a
// pending termination, autoreport::Error.
inline void check_interrupts() {
  if (auto* f = runtime_hooks().check_interrupts) {
    f();
  }
}

// Reports a long operation in autoreport.progress for as long as it lives. Scopes nest: only the
// outermost one is shown, so a render that forecasts inside shows as one operation.
class ProgressScope {
public:
  ProgressScope(std::string_view operation, std::string_view object, int64_t total = -1);
  ~ProgressScope();
  ProgressScope(const ProgressScope&) = delete;
  ProgressScope& operator=(const ProgressScope&) = delete;

  void set_total(int64_t total);
  void set(int64_t done);
  void advance(int64_t n = 1) { set(done_ + n); }
  int64_t done() const noexcept { return done_; }
  bool reporting() const noexcept { return outermost_; }

  // Called by the host when a transaction aborts: scopes whose destructor was skipped no longer count.
  static void reset_depth() noexcept;
  // SQL-level progress (autoreport.progress_begin) counts as an outermost scope, so that C++
  // operations started inside a SQL job do not overwrite its row.
  static void enter_external() noexcept;
  static void leave_external() noexcept;

private:
  int64_t done_ = 0;
  int64_t total_ = -1;
  bool outermost_ = false;
};

} // namespace autoreport
