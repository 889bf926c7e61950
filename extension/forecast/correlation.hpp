// Lagged sums of products (the numerators of autocorrelations) in O(n log L) time and O(L) memory:
// a radix-2 FFT of our own, applied block by block (overlap-save), so that a series of millions of
// values and a lag of hundreds of thousands costs seconds at most, and can be cancelled between
// blocks. The direct O(n L) sum is kept for short inputs, where it is faster and bit-for-bit what
// earlier versions computed, and as the reference the unit tests compare the FFT against.
#pragma once

#include <complex>
#include <cstddef>
#include <span>
#include <vector>

namespace autoreport::forecast {

// In-place radix-2 FFT (inverse: the unnormalised inverse transform). The size must be a power of two.
void fft(std::vector<std::complex<double>>& a, bool inverse);

// s_k = sum_t x_t x_{t+k} for k = 0..max_lag (lags at or past x.size() are 0), by the direct sum.
std::vector<double> lagged_products_direct(std::span<const double> x, size_t max_lag);

// The same by FFT, block by block: checks for interrupts between blocks.
std::vector<double> lagged_products_fft(std::span<const double> x, size_t max_lag);

// The same, by whichever of the two is cheaper (the direct sum while n (max_lag + 1) is small).
std::vector<double> lagged_products(std::span<const double> x, size_t max_lag);

} // namespace autoreport::forecast
