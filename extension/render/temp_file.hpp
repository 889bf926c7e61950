// A private temporary file that is removed however its owner ends: for libraries such as libxlsxwriter
// that can only write to a named file.
#pragma once

#include "render/table.hpp"

#include <string>

namespace autoreport::render {

class TempFile {
public:
  // Creates an empty file (mode 0600) named prefix + a unique suffix in temp_dir(); throws
  // autoreport::Error when it cannot.
  explicit TempFile(const std::string& prefix);
  ~TempFile();
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  const std::string& path() const noexcept { return path_; }

  // Sends the file's current content to out in chunks.
  void copy_to(Output& out) const;

  // $TMPDIR when set and not empty, otherwise /tmp.
  static std::string temp_dir();

private:
  std::string path_;
};

} // namespace autoreport::render
