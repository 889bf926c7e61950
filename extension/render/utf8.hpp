// UTF-8 decoding that never fails: every renderer that must emit valid text (JSON, XML, HTML,
// Markdown) reads its input through here, so invalid bytes become U+FFFD instead of broken output.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace autoreport::render {

inline constexpr char32_t replacement_character = 0xFFFD;

// Decodes the code point starting at s[pos] and advances pos past it. An ill-formed sequence
// (stray continuation byte, truncated sequence, overlong form, surrogate, value above U+10FFFF)
// yields U+FFFD and advances past its maximal subpart, as Unicode recommends (Unicode 15, 3.9 U+FFFD
// substitution), so each bad byte is replaced at most once and good bytes after it are kept.
char32_t decode_utf8(std::string_view s, size_t& pos) noexcept;

// text with each ill-formed sequence replaced by U+FFFD (valid text comes back unchanged).
std::string repair_utf8(std::string_view text);

// Appends the UTF-8 encoding of a valid code point (callers never pass surrogates).
void append_utf8(std::string& out, char32_t c);

} // namespace autoreport::render
