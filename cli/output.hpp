// Where a rendered report goes: standard output, or a file written whole or not at all.
//
// A file is written to a temporary file next to it (same directory, so rename() is atomic), synced,
// and renamed over the target only when the render succeeded. A failed render, an error or a signal
// (SIGINT, SIGTERM, SIGHUP) removes the temporary file: the target is left as it was.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace autoreport::cli {

class Output {
public:
  // nullopt or "-": standard output. Fails with status 1 when the file cannot be created.
  explicit Output(const std::optional<std::string>& path);
  ~Output();
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;

  void write(const char* data, size_t size);
  // Makes the output complete: flushes standard output, or syncs and renames the file into place.
  void commit();

private:
  std::string path_;
  std::string temp_;
  int fd_ = -1;
  bool committed_ = false;
};

} // namespace autoreport::cli
