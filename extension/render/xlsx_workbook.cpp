// Opening, closing and freeing libxlsxwriter workbooks.
#include "render/xlsx_workbook.hpp"

#include "common/error.hpp"

#include <cstdio>
#include <utility>

#include "common/pure.hpp"

namespace autoreport::render {

namespace {} // namespace

void check_lxw(lxw_error err, const char* what) {
  if (err != LXW_NO_ERROR) {
    throw Error(sqlstate::internal_error, std::string("could not write the xlsx workbook: ") + what)
        .with_detail(lxw_strerror(err));
  }
}

XlsxWorkbook::XlsxWorkbook(const std::string& path, const std::string& tmpdir) : tmpdir_(tmpdir) {
  lxw_workbook_options options{};
  options.constant_memory = LXW_TRUE;
  options.tmpdir = tmpdir_.data();
  options.use_zip64 = LXW_FALSE; // some readers refuse ZIP64; only parts above 4 GB would need it
  book_ = workbook_new_opt(path.c_str(), &options);
  if (book_ == nullptr) {
    throw Error(sqlstate::out_of_memory, "could not create the xlsx workbook");
  }
}

XlsxWorkbook::~XlsxWorkbook() {
  if (book_ == nullptr) {
    return;
  }
  for (lxw_worksheet* sheet : sheets_) {
    if (sheet->optimize_tmpfile != nullptr) {
      std::fclose(sheet->optimize_tmpfile);
      sheet->optimize_tmpfile = nullptr;
    }
  }
  lxw_workbook_free(book_);
}

lxw_worksheet* XlsxWorkbook::add_sheet(const std::string& name) {
  lxw_worksheet* sheet = workbook_add_worksheet(book_, name.c_str());
  if (sheet == nullptr) {
    throw Error(sqlstate::internal_error,
                "could not add the worksheet \"" + name + "\" to the xlsx workbook");
  }
  sheets_.push_back(sheet);
  return sheet;
}

uint64_t XlsxWorkbook::scratch_bytes() const {
  uint64_t total = 0;
  for (lxw_worksheet* sheet : sheets_) {
    if (sheet->optimize_tmpfile != nullptr) {
      const long at = std::ftell(sheet->optimize_tmpfile);
      total += at > 0 ? static_cast<uint64_t>(at) : 0;
    }
  }
  return total;
}

void XlsxWorkbook::close() {
  lxw_workbook* book = std::exchange(book_, nullptr);
  const lxw_error err = workbook_close(book);
  if (err == LXW_ERROR_ZIP_BAD_ZIP_FILE) {
    throw Error(sqlstate::program_limit_exceeded, "xlsx workbook is too large")
        .with_detail(lxw_strerror(err))
        .with_hint("Select fewer rows or columns, or render as csv.");
  }
  if (err == LXW_ERROR_CREATING_XLSX_FILE || err == LXW_ERROR_CREATING_TMPFILE ||
      err == LXW_ERROR_READING_TMPFILE || err == LXW_ERROR_ZIP_FILE_OPERATION) {
    throw Error(sqlstate::io_error, "could not write the xlsx workbook")
        .with_detail(lxw_strerror(err))
        .with_hint("Check the free space in " + tmpdir_ + ".");
  }
  check_lxw(err, "assembling the file");
}

} // namespace autoreport::render
