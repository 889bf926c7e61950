// Lagged sums of products by direct sum or by a block-wise FFT.
#include "forecast/correlation.hpp"

#include "common/runtime.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "common/pure.hpp"

namespace autoreport::forecast {

namespace {

// Below this many products the direct sum is used: a few milliseconds at most.
constexpr size_t kDirectProducts = size_t{1} << 22;

size_t power_of_two_at_least(size_t n) {
  size_t p = 1;
  while (p < n) {
    p <<= 1;
  }
  return p;
}

} // namespace

void fft(std::vector<std::complex<double>>& a, bool inverse) {
  const size_t n = a.size();
  // Bit-reversal permutation.
  for (size_t i = 1, j = 0; i < n; ++i) {
    size_t bit = n >> 1;
    for (; j & bit; bit >>= 1) {
      j ^= bit;
    }
    j ^= bit;
    if (i < j) {
      std::swap(a[i], a[j]);
    }
  }
  size_t work = 0; // butterflies since the last interrupt check
  for (size_t len = 2; len <= n; len <<= 1) {
    const double angle = 2 * std::numbers::pi / static_cast<double>(len) * (inverse ? 1 : -1);
    const size_t half = len / 2;
    for (size_t k = 0; k < half; ++k) {
      // Each twiddle factor computed directly (not by repeated multiplication), for accuracy, and
      // without a table as large as the transform.
      const std::complex<double> w = std::polar(1.0, angle * static_cast<double>(k));
      for (size_t i = k; i < n; i += len) {
        const std::complex<double> u = a[i];
        const std::complex<double> h = a[i + half];
        // Written out: the library's operator* checks for NaN and infinity on every product.
        const std::complex<double> v(h.real() * w.real() - h.imag() * w.imag(),
                                     h.real() * w.imag() + h.imag() * w.real());
        a[i] = u + v;
        a[i + half] = u - v;
      }
      work += n / len;
      if (work >= (size_t{1} << 18)) {
        check_interrupts(); // a transform of millions of points takes a while
        work = 0;
      }
    }
  }
}

std::vector<double> lagged_products_direct(std::span<const double> x, size_t max_lag) {
  const size_t n = x.size();
  std::vector<double> s(max_lag + 1, 0.0);
  for (size_t k = 0; k <= max_lag && k < n; ++k) {
    if (k % 64 == 0) {
      check_interrupts();
    }
    double sum = 0;
    for (size_t t = 0; t + k < n; ++t) {
      sum += x[t] * x[t + k];
    }
    s[k] = sum;
  }
  return s;
}

std::vector<double> lagged_products_fft(std::span<const double> x, size_t max_lag) {
  const size_t n = x.size();
  std::vector<double> s(max_lag + 1, 0.0);
  if (n == 0) {
    return s;
  }
  const size_t lags = std::min(max_lag, n - 1); // lags past the series are 0
  // Overlap-save: block a = x[b, b + block) against c = x[b, b + size); their circular
  // cross-correlation at lags 0..lags has no wrap-around because block + lags <= size.
  const size_t size = power_of_two_at_least(std::max<size_t>(2 * (lags + 1), 1024));
  const size_t block = size - lags;
  // One transform of z = a + i c gives both (a and c are real): A_k = (Z_k + conj Z_-k) / 2 and
  // C_k = (Z_k - conj Z_-k) / 2i. Half the memory of two transforms.
  std::vector<std::complex<double>> z(size);
  const std::complex<double> i2(0, 2);
  for (size_t b = 0; b < n; b += block) {
    check_interrupts();
    for (size_t i = 0; i < size; ++i) {
      const double c = b + i < n ? x[b + i] : 0.0;
      z[i] = {i < block ? c : 0.0, c};
    }
    fft(z, false);
    for (size_t k = 0; k <= size / 2; ++k) {
      const size_t j = (size - k) % size;
      const std::complex<double> zk = z[k], zj = z[j];
      const std::complex<double> ak = (zk + std::conj(zj)) / 2.0, ck = (zk - std::conj(zj)) / i2;
      const std::complex<double> pk = std::conj(ak) * ck;
      z[k] = pk;
      z[j] = std::conj(pk); // the product of real sequences' transforms is Hermitian
    }
    fft(z, true);
    for (size_t k = 0; k <= lags; ++k) {
      s[k] += z[k].real() / static_cast<double>(size);
    }
  }
  return s;
}

std::vector<double> lagged_products(std::span<const double> x, size_t max_lag) {
  const size_t lags = std::min(max_lag, x.empty() ? 0 : x.size() - 1) + 1;
  if (x.size() <= kDirectProducts / lags) {
    return lagged_products_direct(x, max_lag);
  }
  return lagged_products_fft(x, max_lag);
}

} // namespace autoreport::forecast
