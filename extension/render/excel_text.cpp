// Sheet names, cell strings and text widths for Excel.
#include "render/excel_text.hpp"

#include "render/utf8.hpp"

#include <algorithm>
#include <cctype>

#include "common/pure.hpp"

namespace autoreport::render {

namespace {

constexpr std::string_view cut_marker = "\u2026 [cut: Excel cells hold at most 32,767 characters]";

// True for code points that XML 1.0 allows (the Char production).
bool xml_char(char32_t c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) ||
         c >= 0x10000;
}

// UTF-16 code units of one code point, as Excel counts lengths.
size_t utf16_units(char32_t c) {
  return c >= 0x10000 ? 2 : 1;
}

// UTF-16 code units of valid UTF-8 text.
size_t utf16_length(std::string_view text) {
  size_t units = 0;
  for (size_t pos = 0; pos < text.size();) {
    units += utf16_units(decode_utf8(text, pos));
  }
  return units;
}

// True when text[pos] starts "_xHHHH_", which Excel would read as the escape of one character.
bool excel_escape_at(std::string_view text, size_t pos) {
  if (text.size() - pos < 7 || text[pos] != '_' || text[pos + 1] != 'x' || text[pos + 6] != '_') {
    return false;
  }
  return std::all_of(text.begin() + static_cast<std::ptrdiff_t>(pos) + 2,
                     text.begin() + static_cast<std::ptrdiff_t>(pos) + 6,
                     [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
}

// Calls piece(utf8, units) for each part of text as Excel must receive it; stops when piece returns false.
template <typename F> void for_each_excel_piece(std::string_view text, F piece) {
  std::string buffer;
  for (size_t pos = 0; pos < text.size();) {
    if (excel_escape_at(text, pos)) {
      ++pos;
      if (!piece(std::string_view("_x005F_"), size_t{7})) {
        return;
      }
      continue;
    }
    const char32_t c = decode_utf8(text, pos);
    if (!xml_char(c)) {
      continue;
    }
    buffer.clear();
    append_utf8(buffer, c);
    if (!piece(std::string_view(buffer), utf16_units(c))) {
      return;
    }
  }
}

// True for code points shown twice as wide as Latin letters (CJK, Hangul, full-width forms, emoji).
bool wide(char32_t c) {
  return (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0xA4CF) || (c >= 0xAC00 && c <= 0xD7A3) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
         (c >= 0xFFE0 && c <= 0xFFE6) || c >= 0x1F300;
}

// Removes spaces and apostrophes from both ends (Excel refuses a name that begins or ends with ').
void trim_name(std::string& name) {
  const auto edge = [](char c) { return c == ' ' || c == '\''; };
  while (!name.empty() && edge(name.back())) {
    name.pop_back();
  }
  size_t start = 0;
  while (start < name.size() && edge(name[start])) {
    ++start;
  }
  name.erase(0, start);
}

// Case-insensitive ASCII comparison.
bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// The longest prefix of valid UTF-8 text holding at most `units` UTF-16 code units.
std::string_view utf16_prefix(std::string_view text, size_t units) {
  size_t used = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t next = pos;
    const size_t u = utf16_units(decode_utf8(text, next));
    if (used + u > units) {
      break;
    }
    used += u;
    pos = next;
  }
  return text.substr(0, pos);
}

} // namespace

std::string sheet_name_from_title(std::string_view title) {
  std::string name;
  for (size_t pos = 0; pos < title.size();) {
    const char32_t c = decode_utf8(title, pos);
    if (c < 0x20 || c == 0x7F || !xml_char(c)) {
      continue;
    }
    if (c < 0x80 && std::string_view("[]:*?/\\").find(static_cast<char>(c)) != std::string_view::npos) {
      name += '_';
    } else {
      append_utf8(name, c);
    }
  }
  trim_name(name);
  name = std::string(utf16_prefix(name, excel_max_sheet_name));
  trim_name(name);
  if (name.empty()) {
    return "Report";
  }
  if (iequals(name, "History")) {
    return name + "_";
  }
  return name;
}

std::string sheet_name_problem(std::string_view name) {
  if (name.empty()) {
    return "A sheet name must not be empty.";
  }
  for (size_t pos = 0; pos < name.size();) {
    const size_t start = pos;
    const char32_t c = decode_utf8(name, pos);
    if (c == 0xFFFD && name.substr(start, pos - start) != "\uFFFD") {
      return "The sheet name is not valid UTF-8.";
    }
    if (c < 0x20 || c == 0x7F || !xml_char(c)) {
      return "A sheet name must not contain control characters.";
    }
    if (c < 0x80 && std::string_view("[]:*?/\\").find(static_cast<char>(c)) != std::string_view::npos) {
      return "A sheet name must not contain any of the characters [ ] : * ? / \\.";
    }
  }
  if (utf16_length(name) > excel_max_sheet_name) {
    return "A sheet name has at most 31 characters.";
  }
  if (name.front() == '\'' || name.back() == '\'') {
    return "A sheet name must not begin or end with an apostrophe.";
  }
  if (iequals(name, "History")) {
    return "Excel reserves the sheet name \"History\".";
  }
  return {};
}

std::string numbered_sheet_name(std::string_view base, unsigned n) {
  const std::string suffix = " (" + std::to_string(n) + ")";
  std::string name(utf16_prefix(base, excel_max_sheet_name - suffix.size()));
  while (!name.empty() && name.back() == ' ') {
    name.pop_back();
  }
  return name + suffix;
}

std::string excel_cell_text(std::string_view text) {
  // One pass that stops as soon as the text is known to be too long, so that a huge value costs no
  // more than the part Excel keeps.
  const size_t budget = excel_max_cell_text - utf16_length(cut_marker);
  std::string out;
  size_t units = 0;
  size_t cut = std::string::npos; // where out ends when cut to the budget
  bool too_long = false;
  for_each_excel_piece(text, [&](std::string_view piece, size_t piece_units) {
    if (cut == std::string::npos && units + piece_units > budget) {
      cut = out.size();
    }
    units += piece_units;
    if (units > excel_max_cell_text) {
      too_long = true;
      return false;
    }
    out += piece;
    return true;
  });
  if (too_long) {
    out.resize(cut);
    out += cut_marker;
  }
  return out;
}

std::string xml_clean_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) {
    const char32_t c = decode_utf8(text, pos);
    if (xml_char(c)) {
      append_utf8(out, c);
    }
  }
  return out;
}

size_t text_width(std::string_view text, size_t limit) {
  size_t widest = 0;
  size_t line = 0;
  size_t seen = 0;
  for (size_t pos = 0; pos < text.size() && seen < limit; ++seen) {
    const char32_t c = decode_utf8(text, pos);
    if (c == '\n') {
      widest = std::max(widest, line);
      line = 0;
    } else if (c >= 0x20 && !(c >= 0x300 && c <= 0x36F)) { // combining marks take no width
      line += wide(c) ? 2 : 1;
    }
  }
  return std::max(widest, line);
}

} // namespace autoreport::render
