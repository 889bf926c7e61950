// The libxlsxwriter workbook of the XLSX renderer, released on every path.
//
// libxlsxwriter's workbook_close() writes the file and frees everything; when a render ends early (an
// error, a cancelled query) the workbook must be freed without being written, and lxw_workbook_free()
// alone leaves the constant-memory row files of the sheets open. This class does both right.
#pragma once

#include <xlsxwriter.h>

#include <cstdint>
#include <string>
#include <vector>

namespace autoreport::render {

// Throws autoreport::Error for a failed libxlsxwriter call, naming what was being done.
void check_lxw(lxw_error err, const char* what);

class XlsxWorkbook {
public:
  // A workbook in constant-memory mode that will be written to path, with its scratch files in tmpdir.
  XlsxWorkbook(const std::string& path, const std::string& tmpdir);
  // Frees the workbook without writing it, unless close() did.
  ~XlsxWorkbook();
  XlsxWorkbook(const XlsxWorkbook&) = delete;
  XlsxWorkbook& operator=(const XlsxWorkbook&) = delete;

  // The workbook, for formats and properties.
  lxw_workbook* get() const noexcept { return book_; }

  // Adds a worksheet; its name has been checked already.
  lxw_worksheet* add_sheet(const std::string& name);

  // Bytes the sheets' row files (constant-memory mode) hold so far.
  uint64_t scratch_bytes() const;

  // Writes the file; the workbook is released whatever the outcome. Errors: 54000 when a part of the
  // file would need ZIP64 (above 4 GB), 58030 when the disk fails, XX000 otherwise.
  void close();

private:
  std::string tmpdir_; // the options point into it
  lxw_workbook* book_ = nullptr;
  std::vector<lxw_worksheet*> sheets_;
};

} // namespace autoreport::render
