// STL decomposition, step by step as the Fortran of R's stl() (stlest, stless, stlss, stlfts, stlstp,
// stlrwt): positions are 1-based inside the loess code, as there, so that its integer arithmetic
// (window halves, the ends of the cycle-subseries) reads the same.
#include "forecast/stl.hpp"

#include "common/error.hpp"
#include "common/runtime.hpp"
#include "forecast/checks.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>

#include "common/pure.hpp"

namespace autoreport::forecast {

namespace {

// The Fortran writes these as single-precision literals (.999, .001); their double values are used.
constexpr double kNearOne = static_cast<double>(0.999F);
constexpr double kNearZero = static_cast<double>(0.001F);
constexpr size_t kRobustPasses = 15;

[[noreturn]] void fail(std::string message) {
  throw Error(sqlstate::invalid_parameter_value, std::move(message));
}

// R's Fortran widens windows below 3 to 3 and makes even windows odd.
size_t odd_window(size_t w) {
  w = std::max<size_t>(3, w);
  return w % 2 == 0 ? w + 1 : w;
}

// R's nextodd() of an integer.
size_t next_odd(size_t x) {
  return x % 2 == 0 ? x + 1 : x;
}

size_t default_jump(size_t window) {
  return (window + 9) / 10;
}

// stlest: the loess estimate at position xs from y[nleft..nright] (1-based, inclusive), with tricube
// weights over half-width h (widened when the window is longer than the series) times the robustness
// weights rw (when given). False when every weight is 0; w is scratch of n values.
bool loess_at(const double* y, size_t n, size_t len, int degree, double xs, size_t nleft, size_t nright,
              double* w, const double* rw, double& ys) {
  const double range = static_cast<double>(n) - 1.0;
  double h = std::max(xs - static_cast<double>(nleft), static_cast<double>(nright) - xs);
  if (len > n) {
    h += static_cast<double>((len - n) / 2);
  }
  const double h9 = kNearOne * h;
  const double h1 = kNearZero * h;
  double a = 0;
  for (size_t j = nleft; j <= nright; ++j) {
    double& wj = w[j - 1];
    wj = 0;
    const double r = std::fabs(static_cast<double>(j) - xs);
    if (r <= h9) {
      if (r <= h1) {
        wj = 1;
      } else {
        const double q = r / h;
        const double t = 1.0 - q * q * q;
        wj = t * t * t;
      }
      if (rw != nullptr) {
        wj = rw[j - 1] * wj;
      }
      a += wj;
    }
  }
  if (a <= 0) {
    return false;
  }
  for (size_t j = nleft; j <= nright; ++j) {
    w[j - 1] /= a;
  }
  if (h > 0 && degree > 0) {
    // Local linear fit: reweight by 1 + b (j - a) about the weighted mean position a.
    a = 0;
    for (size_t j = nleft; j <= nright; ++j) {
      a += w[j - 1] * static_cast<double>(j);
    }
    double b = xs - a;
    double c = 0;
    for (size_t j = nleft; j <= nright; ++j) {
      const double d = static_cast<double>(j) - a;
      c += w[j - 1] * d * d;
    }
    if (std::sqrt(c) > kNearZero * range) {
      b /= c;
      for (size_t j = nleft; j <= nright; ++j) {
        w[j - 1] = w[j - 1] * (b * (static_cast<double>(j) - a) + 1.0);
      }
    }
  }
  double sum = 0;
  for (size_t j = nleft; j <= nright; ++j) {
    sum += w[j - 1] * y[j - 1];
  }
  ys = sum;
  return true;
}

// stless: loess of y[0..n) into ys, evaluated every `jump` points (and at the last point) and linearly
// interpolated between; where every weight is 0 the value itself. work is scratch of n values.
void loess_series(const double* y, size_t n, size_t len, int degree, size_t jump, const double* rw,
                  double* ys, double* work) {
  if (n < 2) {
    ys[0] = y[0];
    return;
  }
  const size_t step = std::min(jump, n - 1);
  size_t nleft = 0;
  size_t nright = 0;
  size_t work_done = 0; // points weighed since the last interrupt check
  const auto estimate = [&](size_t i) {
    work_done += len;
    if (work_done >= (size_t{1} << 16)) {
      check_interrupts(); // a long series with a long window takes a while
      work_done = 0;
    }
    if (!loess_at(y, n, len, degree, static_cast<double>(i), nleft, nright, work, rw, ys[i - 1])) {
      ys[i - 1] = y[i - 1];
    }
  };
  if (len >= n) {
    nleft = 1;
    nright = n;
    for (size_t i = 1; i <= n; i += step) {
      estimate(i);
    }
  } else if (step == 1) {
    const size_t half = (len + 1) / 2;
    nleft = 1;
    nright = len;
    for (size_t i = 1; i <= n; ++i) {
      if (i > half && nright != n) {
        ++nleft;
        ++nright;
      }
      estimate(i);
    }
  } else {
    const size_t half = (len + 1) / 2;
    for (size_t i = 1; i <= n; i += step) {
      if (i < half) {
        nleft = 1;
        nright = len;
      } else if (i >= n - half + 1) {
        nleft = n - len + 1;
        nright = n;
      } else {
        nleft = i - half + 1;
        nright = len + i - half;
      }
      estimate(i);
    }
  }
  if (step != 1) {
    for (size_t i = 1; i <= n - step; i += step) {
      const double delta = (ys[i + step - 1] - ys[i - 1]) / static_cast<double>(step);
      for (size_t j = i + 1; j <= i + step - 1; ++j) {
        ys[j - 1] = ys[i - 1] + delta * static_cast<double>(j - i);
      }
    }
    const size_t k = ((n - 1) / step) * step + 1;
    if (k != n) {
      estimate(n); // with the window of the last evaluated point, as the Fortran does
      if (k != n - 1) {
        const double delta = (ys[n - 1] - ys[k - 1]) / static_cast<double>(n - k);
        for (size_t j = k + 1; j <= n - 1; ++j) {
          ys[j - 1] = ys[k - 1] + delta * static_cast<double>(j - k);
        }
      }
    }
  }
}

// Scratch for one decomposition: five columns of n + 2m values, as R's work array, and the loess
// weights of the cycle-subseries (the Fortran borrows the output season for them).
struct Work {
  explicit Work(size_t size) : c1(size), c2(size), c3(size), c4(size), c5(size), weights(size) {}
  std::vector<double> c1, c2, c3, c4, c5, weights;
};

// stlss: loess of each cycle-subseries, extended by one value at each end (positions 0 and k + 1),
// written interleaved into season[0 .. n + 2m).
void smooth_cycle_subseries(const double* y, size_t n, size_t np, size_t ns, int degree, size_t jump,
                            const double* rw, double* season, Work& work) {
  double* sub = work.c3.data();
  double* smooth = work.c4.data();
  double* sub_rw = work.c5.data();
  double* scratch = work.weights.data();
  for (size_t j = 1; j <= np; ++j) {
    if (j % 1024 == 0) {
      check_interrupts(); // a long season: many short subseries
    }
    const size_t k = (n - j) / np + 1;
    for (size_t i = 1; i <= k; ++i) {
      sub[i - 1] = y[(i - 1) * np + j - 1];
      if (rw != nullptr) {
        sub_rw[i - 1] = rw[(i - 1) * np + j - 1];
      }
    }
    const double* weights = rw != nullptr ? sub_rw : nullptr;
    loess_series(sub, k, ns, degree, jump, weights, smooth + 1, scratch);
    if (!loess_at(sub, k, ns, degree, 0.0, 1, std::min(ns, k), scratch, weights, smooth[0])) {
      smooth[0] = smooth[1];
    }
    const size_t nleft = ns >= k ? 1 : k - ns + 1;
    if (!loess_at(sub, k, ns, degree, static_cast<double>(k + 1), nleft, k, scratch, weights,
                  smooth[k + 1])) {
      smooth[k + 1] = smooth[k];
    }
    for (size_t m = 1; m <= k + 2; ++m) {
      season[(m - 1) * np + j - 1] = smooth[m - 1];
    }
  }
}

// stlma: the moving average of len values of x[0..n) into ave[0 .. n - len + 1).
void moving_average(const double* x, size_t n, size_t len, double* ave) {
  const size_t out = n - len + 1;
  const double flen = static_cast<double>(len);
  double v = 0;
  for (size_t i = 0; i < len; ++i) {
    v += x[i];
  }
  ave[0] = v / flen;
  for (size_t j = 1, k = len, m = 0; j < out; ++j, ++k, ++m) {
    v = v - x[m] + x[k];
    ave[j] = v / flen;
  }
}

struct Config {
  size_t np, ns, nt, nl;
  int isdeg, itdeg, ildeg;
  size_t nsjump, ntjump, nljump;
  size_t inner;
};

// stlstp: `inner` passes of season and trend given robustness weights rw (nullptr: none).
void inner_passes(const double* y, size_t n, const Config& c, const double* rw, double* season, double* trend,
                  Work& work) {
  double* c1 = work.c1.data();
  double* c2 = work.c2.data();
  double* c3 = work.c3.data();
  for (size_t pass = 0; pass < c.inner; ++pass) {
    for (size_t i = 0; i < n; ++i) {
      c1[i] = y[i] - trend[i];
    }
    smooth_cycle_subseries(c1, n, c.np, c.ns, c.isdeg, c.nsjump, rw, c2, work);
    // Low-pass of the extended cycle-subseries: moving averages of m, m and 3, then loess.
    moving_average(c2, n + 2 * c.np, c.np, c3);
    moving_average(c3, n + c.np + 1, c.np, c1);
    moving_average(c1, n + 2, 3, c3);
    loess_series(c3, n, c.nl, c.ildeg, c.nljump, nullptr, c1, work.c5.data());
    for (size_t i = 0; i < n; ++i) {
      season[i] = c2[c.np + i] - c1[i];
    }
    for (size_t i = 0; i < n; ++i) {
      c1[i] = y[i] - season[i];
    }
    loess_series(c1, n, c.nt, c.itdeg, c.ntjump, rw, trend, c3);
  }
}

// psort: Singleton's partial quicksort, which moves the values at the (1-based) ranks `ranks` into
// place, ported step by step. stlrwt asks it for the ranks n/2 + 1 and n - (n/2 + 1) + 1 in that,
// descending, order, which the algorithm does not expect: it places the first rank exactly but can
// leave another value at the second (it does in the 12th robustness pass of stl(nottem, s.window = 7,
// robust = TRUE)). R's "median" is then not quite the median; this keeps R's weights.
void partial_sort(std::vector<double>& values, std::span<const size_t> ranks) {
  const auto n = static_cast<std::ptrdiff_t>(values.size());
  const auto ni = static_cast<std::ptrdiff_t>(ranks.size());
  if (n < 2 || ni == 0) {
    return;
  }
  double* a = values.data() - 1; // a[1..n], as the Fortran indexes it
  const auto ind = [&](std::ptrdiff_t r) {
    return static_cast<std::ptrdiff_t>(ranks[static_cast<size_t>(r - 1)]);
  };
  // Segments still to do, and the range of wanted ranks inside each (1-based stacks; the Fortran's hold
  // 16, enough for 2^16 values; these grow).
  std::vector<std::ptrdiff_t> il(2), iu(2), indl(2), indu(2);
  const auto ensure = [&](std::ptrdiff_t m) {
    if (static_cast<size_t>(m) >= il.size()) {
      il.resize(static_cast<size_t>(m) + 1);
      iu.resize(il.size());
      indl.resize(il.size());
      indu.resize(il.size());
    }
  };
  std::ptrdiff_t jl = 1;
  std::ptrdiff_t ju = ni;
  indl[1] = 1;
  indu[1] = ni;
  std::ptrdiff_t i = 1;
  std::ptrdiff_t j = n;
  std::ptrdiff_t m = 1;
  enum class Step { Outer, Pop, While, Partition, Small };
  Step step = Step::Outer;
  for (;;) {
    switch (step) {
    case Step::Outer:
      step = i < j ? Step::Partition : Step::Pop;
      break;
    case Step::Pop:
      m = m - 1;
      if (m == 0) {
        return;
      }
      i = il[static_cast<size_t>(m)];
      j = iu[static_cast<size_t>(m)];
      jl = indl[static_cast<size_t>(m)];
      ju = indu[static_cast<size_t>(m)];
      step = jl <= ju ? Step::While : Step::Pop;
      break;
    case Step::While:
      step = j - i > 10 ? Step::Partition : Step::Small;
      break;
    case Step::Partition: {
      // Median of three as the pivot t, then the two scans towards each other.
      std::ptrdiff_t k = i;
      const std::ptrdiff_t ij = (i + j) / 2;
      double t = a[ij];
      if (a[i] > t) {
        a[ij] = a[i];
        a[i] = t;
        t = a[ij];
      }
      std::ptrdiff_t l = j;
      if (a[j] < t) {
        a[ij] = a[j];
        a[j] = t;
        t = a[ij];
        if (a[i] > t) {
          a[ij] = a[i];
          a[i] = t;
          t = a[ij];
        }
      }
      for (;;) {
        l = l - 1;
        if (a[l] <= t) {
          const double tt = a[l];
          do {
            k = k + 1;
          } while (!(a[k] >= t));
          if (k > l) {
            break;
          }
          a[l] = a[k];
          a[k] = tt;
        }
      }
      ensure(m + 1);
      indl[static_cast<size_t>(m)] = jl;
      indu[static_cast<size_t>(m)] = ju;
      const std::ptrdiff_t p = m;
      m = m + 1;
      step = Step::While;
      if (l - i <= j - k) {
        il[static_cast<size_t>(p)] = k;
        iu[static_cast<size_t>(p)] = j;
        j = l;
        for (;;) {
          if (jl > ju) {
            step = Step::Pop;
            break;
          }
          if (ind(ju) > j) {
            ju = ju - 1;
          } else {
            break;
          }
        }
        if (step == Step::While) {
          indl[static_cast<size_t>(p)] = ju + 1;
        }
      } else {
        il[static_cast<size_t>(p)] = i;
        iu[static_cast<size_t>(p)] = l;
        i = k;
        for (;;) {
          if (jl > ju) {
            step = Step::Pop;
            break;
          }
          if (ind(jl) < i) {
            jl = jl + 1;
          } else {
            break;
          }
        }
        if (step == Step::While) {
          indu[static_cast<size_t>(p)] = jl - 1;
        }
      }
      break;
    }
    case Step::Small:
      if (i == 1) {
        step = Step::Outer;
        break;
      }
      // Insertion sort of a[i..j]; a[i - 1] is a sentinel no greater than any of them.
      step = Step::Pop;
      for (i = i - 1;;) {
        i = i + 1;
        if (i == j) {
          break;
        }
        const double t = a[i + 1];
        if (a[i] > t) {
          std::ptrdiff_t k = i;
          do {
            a[k + 1] = a[k];
            k = k - 1;
          } while (!(t >= a[k]));
          a[k + 1] = t;
        }
      }
      break;
    }
  }
}

// stlrwt: bisquare weights of the residuals y - fit at 6 median |residual|. With guard_exact, when 6
// median |residual| is below the mean |residual| (never for normal residuals, where it is 5 times the
// mean: the data are exact but for a few values) 6 mean |residual| is used instead, so that values the
// fit misses only because of those few keep some weight.
void robustness_weights(const double* y, const double* fit, size_t n, double* rw,
                        std::vector<double>& scratch, bool guard_exact) {
  scratch.resize(n);
  double total = 0;
  for (size_t i = 0; i < n; ++i) {
    scratch[i] = std::fabs(y[i] - fit[i]);
    total += scratch[i];
  }
  const size_t mid[2] = {n / 2 + 1, n - (n / 2 + 1) + 1};
  partial_sort(scratch, mid);
  double cmad = 3.0 * (scratch[mid[0] - 1] + scratch[mid[1] - 1]); // 6 "median" |residual|
  const double mean = total / static_cast<double>(n);
  if (guard_exact && cmad < mean) {
    cmad = 6.0 * mean;
  }
  const double c9 = kNearOne * cmad;
  const double c1 = kNearZero * cmad;
  for (size_t i = 0; i < n; ++i) {
    const double r = std::fabs(y[i] - fit[i]);
    if (r <= c1) {
      rw[i] = 1;
    } else if (r <= c9) {
      const double q = r / cmad;
      const double t = 1.0 - q * q;
      rw[i] = t * t;
    } else {
      rw[i] = 0;
    }
  }
}

void check_degree(int degree, const char* what) {
  if (degree != 0 && degree != 1) {
    fail(std::string("the ") + what + " degree of STL must be 0 or 1, not " + std::to_string(degree));
  }
}

size_t checked_window(size_t w, size_t minimum, const char* what) {
  if (w < minimum) {
    fail(std::string("the ") + what + " window of STL must be at least " + std::to_string(minimum) +
         ", not " + std::to_string(w));
  }
  return odd_window(w);
}

size_t checked_jump(std::optional<size_t> jump, size_t window, const char* what) {
  const size_t j = jump.value_or(default_jump(window));
  if (j < 1) {
    fail(std::string("the ") + what + " jump of STL must be at least 1");
  }
  return j;
}

} // namespace

StlResult stl(std::span<const double> y, const StlOptions& o) {
  const size_t n = y.size();
  const size_t m = o.period;
  if (m < 2) {
    fail("STL needs a seasonal period of at least 2, not " + std::to_string(m));
  }
  if (n < 2 * m) {
    fail("STL needs at least two full seasons (" + std::to_string(2 * m) + " values), not " +
         std::to_string(n));
  }
  require_finite(y, "the series");
  check_degree(o.seasonal_degree, "seasonal");
  check_degree(o.trend_degree, "trend");
  check_degree(o.lowpass_degree, "low-pass");

  const bool periodic = !o.seasonal_window.has_value();
  // As R: "periodic" is a seasonal window of 10 n + 1 of degree 0, then the mean per position.
  const size_t s_window = periodic ? 10 * n + 1 : *o.seasonal_window;
  if (!periodic && s_window < 7) {
    fail("the seasonal window of STL must be at least 7, not " + std::to_string(s_window));
  }
  // nextodd(ceiling(1.5 m / (1 - 1.5 / s_window))), computed as R does in double precision.
  const double t_default =
      std::ceil(1.5 * static_cast<double>(m) / (1.0 - 1.5 / static_cast<double>(s_window)));
  const size_t t_window = o.trend_window.value_or(next_odd(static_cast<size_t>(t_default)));
  const size_t l_window = o.lowpass_window.value_or(next_odd(m));

  Config c{};
  c.np = m;
  c.ns = odd_window(s_window);
  c.nt = checked_window(t_window, 3, "trend");
  c.nl = checked_window(l_window, 3, "low-pass");
  c.isdeg = periodic ? 0 : o.seasonal_degree;
  c.itdeg = o.trend_degree;
  c.ildeg = o.lowpass_degree;
  // Jumps default to ceil(window / 10) of the windows as given (R computes them before the Fortran
  // widens even windows).
  c.nsjump = checked_jump(o.seasonal_jump, s_window, "seasonal");
  c.ntjump = checked_jump(o.trend_jump, t_window, "trend");
  c.nljump = checked_jump(o.lowpass_jump, l_window, "low-pass");
  c.inner = o.inner.value_or(o.robust ? 1 : 2);
  if (c.inner < 1) {
    fail("STL needs at least 1 inner iteration");
  }
  const size_t outer = o.outer.value_or(o.robust ? kRobustPasses : 0);

  StlResult r;
  r.seasonal.assign(n, 0.0);
  r.trend.assign(n, 0.0);
  r.weights.assign(n, 1.0);
  Work work(n + 2 * m);
  std::vector<double> fit(n);
  std::vector<double> scratch;
  const double* rw = nullptr;
  for (size_t k = 0;; ++k) {
    check_interrupts();
    inner_passes(y.data(), n, c, rw, r.seasonal.data(), r.trend.data(), work);
    if (k >= outer) {
      break;
    }
    for (size_t i = 0; i < n; ++i) {
      fit[i] = r.trend[i] + r.seasonal[i];
    }
    robustness_weights(y.data(), fit.data(), n, r.weights.data(), scratch, o.guard_exact_fit);
    rw = r.weights.data();
  }
  if (periodic) {
    std::vector<double> sums(m, 0.0);
    std::vector<size_t> counts(m, 0);
    for (size_t t = 0; t < n; ++t) {
      sums[t % m] += r.seasonal[t];
      ++counts[t % m];
    }
    for (size_t t = 0; t < n; ++t) {
      r.seasonal[t] = sums[t % m] / static_cast<double>(counts[t % m]);
    }
  }
  r.remainder.resize(n);
  for (size_t t = 0; t < n; ++t) {
    r.remainder[t] = y[t] - r.seasonal[t] - r.trend[t];
  }
  return r;
}

std::vector<double> loess_smooth(std::span<const double> y, size_t window, bool robust) {
  const size_t n = y.size();
  if (n == 0) {
    fail("a loess smooth needs at least 1 value");
  }
  require_finite(y, "the series");
  if (window < 3) {
    fail("the loess window must be at least 3, not " + std::to_string(window));
  }
  std::vector<double> fit(y.begin(), y.end());
  if (n <= 2) {
    return fit;
  }
  const size_t len = odd_window(window);
  const size_t jump = default_jump(window);
  std::vector<double> work(n);
  std::vector<double> rw(n);
  std::vector<double> scratch;
  loess_series(y.data(), n, len, 1, jump, nullptr, fit.data(), work.data());
  for (size_t pass = 0; robust && pass < kRobustPasses; ++pass) {
    check_interrupts();
    robustness_weights(y.data(), fit.data(), n, rw.data(), scratch, true);
    loess_series(y.data(), n, len, 1, jump, rw.data(), fit.data(), work.data());
  }
  return fit;
}

} // namespace autoreport::forecast
