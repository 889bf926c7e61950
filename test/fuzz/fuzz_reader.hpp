// The fuzz targets' reader of libFuzzer's bytes: past the end it yields zeros.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

namespace autoreport::fuzz {

class Reader {
public:
  Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool done() const { return pos_ >= size_; }
  uint8_t byte() { return pos_ < size_ ? data_[pos_++] : 0; }
  uint32_t u32() { return static_cast<uint32_t>(big_endian(4)); }
  uint64_t u64() { return big_endian(8); }
  // Up to max bytes (how many: the next byte, modulo max + 1) as text.
  std::string text(size_t max) {
    const size_t n = std::min<size_t>(byte() % (max + 1), size_ - std::min(pos_, size_));
    std::string s(reinterpret_cast<const char*>(data_ + pos_), n);
    pos_ += n;
    return s;
  }

private:
  uint64_t big_endian(int bytes) {
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) {
      v = (v << 8) | byte();
    }
    return v;
  }

  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

} // namespace autoreport::fuzz
