// A private temporary file that is removed however its owner ends: for libraries such as libxlsxwriter
// that can only write to a named file.
#pragma once

#include "render/table.hpp"

#include <cstdint>
#include <string>

namespace autoreport::render {

// Where temporary files go and how much they may hold. By default: $TMPDIR (or /tmp), no limit. Inside
// PostgreSQL the glue points them at the server's own temporary directory under its naming (so that a
// restart removes what a crash left) and at temp_file_limit, for the duration of a render.
struct TempSpace {
  std::string dir;         // "": $TMPDIR when set and not empty, otherwise /tmp
  std::string name_prefix; // put before each file's own prefix
  int64_t limit_kb = -1;   // what the temporary files of a render may hold together; -1: no limit
};

// The space in effect.
const TempSpace& temp_space() noexcept;

// Puts a space in effect for its lifetime (the previous one is back afterwards).
class TempSpaceScope {
public:
  explicit TempSpaceScope(TempSpace space);
  ~TempSpaceScope();
  TempSpaceScope(const TempSpaceScope&) = delete;
  TempSpaceScope& operator=(const TempSpaceScope&) = delete;

private:
  TempSpace saved_;
};

// Throws 53400, as PostgreSQL does for its own temporary files, when bytes of temporary files exceed
// the limit of the space in effect.
void check_temp_usage(uint64_t bytes);

class TempFile {
public:
  // Creates an empty file (mode 0600) named name_prefix + prefix + a unique suffix in temp_dir();
  // throws autoreport::Error when it cannot.
  explicit TempFile(const std::string& prefix);
  ~TempFile();
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  const std::string& path() const noexcept { return path_; }

  // The file's current size in bytes.
  uint64_t size() const;

  // Sends the file's current content to out in chunks.
  void copy_to(Output& out) const;

  // The directory of the space in effect.
  static std::string temp_dir();

private:
  std::string path_;
};

} // namespace autoreport::render
