// NAB (the Numenta Anomaly Benchmark) scored with its standard profile, outside PostgreSQL.
//
//   nab-tool NAB_DIR [--per-file] [--detectors ours,batch,causal,gaussian,null] [--threshold DETECTOR=T]
//                    [--digits N] [--dump DIR] [--sensitivity S] [--max-share X]
//
// NAB_DIR holds data/<group>/<file>.csv (timestamp,value) and labels/combined_windows.json; files the
// labels name that are not in data/ are skipped. Detectors:
//   ours      autoreport::forecast::OnlineDetector, with the period found as described at choose_period
//   batch     what autoreport.anomalies(query) returns at its defaults (sensitivity medium, max_share
//             0.02): the period detected as the query form detects it, the flags scored 1, the rest 0,
//             at threshold 1 (no sweep: what users get). It sees the whole file, as users' calls do.
//   causal    the same with causal => true: each record flagged on the records before it only (the
//             period is detected on the whole file, as the SQL function does when none is given)
//   gaussian  NAB's windowedGaussian: the tail probability of the value under a normal fitted to up to
//             6400 previous values, refreshed every value until the window is full, then every 100
//   null      NAB's null detector: 0.5 for every record
//
// Scoring follows NAB's nab/sweeper.py, nab/optimizer.py and nab/runner.py (standard profile: tpWeight
// 1, fpWeight 0.11, fnWeight 1):
//   - the first min(floor(0.15 n), 750) records of a file are probationary and not scored;
//   - a record inside a labelled window scores S(x) / S(-1), S(x) = 2 / (1 + e^(5x)) - 1 the scaled
//     sigmoid, x = -(right - i + 1) / width; only each window's best (earliest) detection counts, an
//     undetected window costs fnWeight (windows wholly inside the probation do not count);
//   - a detection outside the windows scores fpWeight S(x) with x = (i - right) / (width - 1) past the
//     previous window's end (-fpWeight before the first window and from x = 3 on);
//   - a record is a detection when its score >= the threshold; the threshold is the score of some
//     record, the one that maximises the total over the whole corpus (ties: the highest);
//   - normalised score = 100 (raw - null) / (perfect - null), perfect = tpWeight x number of windows.
// TP, FP and FN are NAB's counts of records (not windows) at the threshold; windows detected are shown
// too, and the share of each file's records flagged (score >= threshold). --threshold scores a detector at a
// given threshold instead; --digits rounds scores to N significant digits first, as NAB's Python 2 result
// files (12) did. --dump writes every record's score, one CSV per detector and file.
#include "forecast/anomaly.hpp"
#include "forecast/auto.hpp"
#include "forecast/regular.hpp"
#include "forecast/seasonal.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using autoreport::forecast::OnlineDetector;

constexpr double kTpWeight = 1.0;
constexpr double kFpWeight = 0.11;
constexpr double kFnWeight = 1.0;
constexpr double kProbationPercent = 0.15;

struct Window {
  int64_t start = 0; // microseconds since the epoch
  int64_t end = 0;
};

struct DataFile {
  std::string key; // e.g. realKnownCause/nyc_taxi.csv
  std::vector<int64_t> times;
  std::vector<double> values;
  std::vector<Window> windows;
  size_t period = 1;               // the period `ours` used
  size_t sql_period = 0;           // the period the SQL function detects (0: not asked)
  std::vector<double> expected, z; // what `ours` expected and the robust z, for --dump
};

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// "YYYY-MM-DD HH:MM:SS[.ffffff]" to microseconds.
int64_t parse_time(const std::string& s) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0, n = 0;
  if (std::sscanf(s.c_str(), "%d-%d-%d %d:%d:%d%n", &y, &mo, &d, &h, &mi, &se, &n) != 6) {
    throw std::runtime_error("bad timestamp: " + s);
  }
  int64_t micros = 0;
  if (static_cast<size_t>(n) < s.size() && s[static_cast<size_t>(n)] == '.') {
    std::string frac = s.substr(static_cast<size_t>(n) + 1);
    frac.resize(6, '0');
    micros = std::stoll(frac);
  }
  const int64_t seconds = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
  return seconds * 1000000 + micros;
}

DataFile read_data(const fs::path& path, const std::string& key) {
  std::ifstream in(path);
  if (!in) {
    throw std::runtime_error("cannot read " + path.string());
  }
  DataFile f;
  f.key = key;
  std::string line;
  std::getline(in, line); // header
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    if (line.empty()) {
      continue;
    }
    const size_t comma = line.find(',');
    if (comma == std::string::npos) {
      throw std::runtime_error("bad line in " + path.string() + ": " + line);
    }
    f.times.push_back(parse_time(line.substr(0, comma)));
    f.values.push_back(std::stod(line.substr(comma + 1)));
  }
  return f;
}

std::vector<DataFile> read_corpus(const fs::path& nab_dir) {
  std::ifstream in(nab_dir / "labels" / "combined_windows.json");
  if (!in) {
    throw std::runtime_error("cannot read " + (nab_dir / "labels" / "combined_windows.json").string());
  }
  const nlohmann::json labels = nlohmann::json::parse(in);
  std::vector<DataFile> files;
  for (const auto& [key, windows] : labels.items()) { // sorted by key
    const fs::path path = nab_dir / "data" / key;
    if (!fs::exists(path)) {
      continue;
    }
    DataFile f = read_data(path, key);
    for (const auto& w : windows) {
      f.windows.push_back({parse_time(w[0].get<std::string>()), parse_time(w[1].get<std::string>())});
    }
    files.push_back(std::move(f));
  }
  if (files.empty()) {
    throw std::runtime_error("no labelled data file under " + (nab_dir / "data").string());
  }
  return files;
}

size_t probation_length(size_t n) {
  return static_cast<size_t>(
      std::min(std::floor(kProbationPercent * static_cast<double>(n)), kProbationPercent * 5000));
}

// ---- detectors -------------------------------------------------------------------------------------

// The season's length for `ours`, from the probationary records only: of the seasons the step between
// records suggests (a day, a week: autoreport's seasonal_candidates) those with more than 2 seasons in
// the probation whose autocorrelation passes the Theta seasonality test (|r_m| above 1.645 Bartlett
// standard errors) on the first differences of the values (differences, because a trend or a wandering
// level makes every autocorrelation of the levels large and the test then fails for daily patterns as
// clear as NAB's artificial ones), and of these the longest (a week's season holds the day's). 1
// when none passes.
size_t choose_period(std::span<const int64_t> times, std::span<const double> values) {
  std::vector<int64_t> sorted(times.begin(), times.end());
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  if (sorted.size() < 2 || values.size() < 4) {
    return 1;
  }
  const auto step = autoreport::forecast::detect_step(sorted);
  std::vector<double> differences(values.size() - 1);
  for (size_t t = 0; t + 1 < values.size(); ++t) {
    differences[t] = values[t + 1] - values[t];
  }
  size_t best = 1;
  for (const size_t m : autoreport::forecast::seasonal_candidates(step)) {
    if (m < 2 || 2 * m >= differences.size() || !autoreport::forecast::seasonality_test(differences, m)) {
      continue;
    }
    if (m > best) {
      best = m;
    }
  }
  return best;
}

// Strictly causal: records before the end of the probation get 0 (NAB does not score them); the period
// is chosen when the last probationary record has arrived, from those records, and the detector then
// sees the stream from its start.
std::vector<double> run_ours(DataFile& f) {
  const size_t n = f.values.size();
  const size_t probation = std::max<size_t>(probation_length(n), 1);
  f.period = choose_period(std::span(f.times).first(probation), std::span(f.values).first(probation));
  OnlineDetector detector(f.period);
  std::vector<double> scores(n, 0.0);
  f.expected.resize(n);
  f.z.resize(n);
  for (size_t t = 0; t < n; ++t) {
    const double s = detector.score(f.values[t]);
    if (t >= probation) {
      scores[t] = s;
    }
    f.expected[t] = detector.last_expected();
    f.z[t] = detector.last_z();
  }
  return scores;
}

// NAB's windowedGaussian detector.
std::vector<double> run_gaussian(DataFile& f) {
  constexpr size_t kWindow = 6400;
  constexpr size_t kStep = 100;
  std::vector<double> window;
  std::vector<double> buffer;
  double mean = 0;
  double sd = 1;
  const auto update = [&] {
    double sum = 0;
    for (const double v : window) {
      sum += v;
    }
    mean = sum / static_cast<double>(window.size());
    double ss = 0;
    for (const double v : window) {
      ss += (v - mean) * (v - mean);
    }
    sd = std::sqrt(ss / static_cast<double>(window.size()));
    if (sd == 0.0) {
      sd = 0.000001;
    }
  };
  std::vector<double> scores;
  scores.reserve(f.values.size());
  for (const double x : f.values) {
    double score = 0.0;
    if (!window.empty()) {
      const double z = std::fabs(x - mean) / sd; // the tail is taken on the value's side of the mean
      score = 1 - 0.5 * std::erfc(z / std::sqrt(2.0));
    }
    if (window.size() < kWindow) {
      window.push_back(x);
      update();
    } else {
      buffer.push_back(x);
      if (buffer.size() == kStep) {
        window.erase(window.begin(), window.begin() + static_cast<std::ptrdiff_t>(kStep));
        window.insert(window.end(), buffer.begin(), buffer.end());
        buffer.clear();
        update();
      }
    }
    scores.push_back(score);
  }
  return scores;
}

// The period autoreport.anomalies(query) detects: detect_period with the candidates of the step.
size_t sql_period(std::span<const int64_t> times, std::span<const double> values) {
  std::vector<int64_t> sorted(times.begin(), times.end());
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  if (sorted.size() < 2) {
    return 1;
  }
  const std::vector<size_t> candidates =
      autoreport::forecast::seasonal_candidates(autoreport::forecast::detect_step(sorted));
  return autoreport::forecast::detect_period(values, candidates);
}

// 1 for the records the SQL function flags at its defaults, 0 for the others.
std::vector<double> flags_of(const std::vector<autoreport::forecast::AnomalyPoint>& points) {
  std::vector<double> scores;
  scores.reserve(points.size());
  for (const auto& p : points) {
    scores.push_back(p.flag ? 1.0 : 0.0);
  }
  return scores;
}

// The SQL function's options: its defaults unless --sensitivity or --max-share say otherwise.
autoreport::forecast::AnomalyOptions sql_options = autoreport::forecast::anomaly_options("medium");

std::vector<double> run_batch(DataFile& f) {
  f.sql_period = sql_period(f.times, f.values);
  return flags_of(autoreport::forecast::detect_anomalies(f.values, f.sql_period, sql_options));
}

std::vector<double> run_causal(DataFile& f) {
  f.sql_period = sql_period(f.times, f.values);
  return flags_of(autoreport::forecast::detect_anomalies_causal(f.values, f.sql_period, sql_options));
}

std::vector<double> run_null(DataFile& f) {
  return std::vector<double>(f.values.size(), 0.5);
}

// ---- scoring ---------------------------------------------------------------------------------------

// A scorable record: its anomaly score, its weight when detected, and its window (global id, -1 none).
struct Row {
  double score = 0;
  double sweep = 0;
  int window = -1;
};

double scaled_sigmoid(double position) {
  if (position >= 3.0) {
    return -1.0;
  }
  return 2 * (1 / (1 + std::exp(5 * position))) - 1.0;
}

size_t first_index(const std::vector<int64_t>& times, int64_t t, const std::string& key) {
  const auto it = std::find(times.begin(), times.end(), t);
  if (it == times.end()) {
    throw std::runtime_error("a window limit of " + key + " is not a timestamp of the file");
  }
  return static_cast<size_t>(it - times.begin());
}

// sweeper.calcSweepScore: the scorable records of one file; window ids from first_window on.
std::vector<Row> sweep_rows(const DataFile& f, const std::vector<double>& scores, int first_window) {
  const size_t n = f.values.size();
  const double max_tp = scaled_sigmoid(-1.0);
  const size_t probation = probation_length(n);
  std::vector<Row> rows;
  size_t next = 0; // the next window to enter
  std::optional<size_t> right, prev_right;
  double width = 0, prev_width = 0;
  int current = -1;
  for (size_t i = 0; i < n; ++i) {
    if (next < f.windows.size() && f.times[i] == f.windows[next].start) {
      right = first_index(f.times, f.windows[next].end, f.key);
      width = static_cast<double>(*right - first_index(f.times, f.windows[next].start, f.key) + 1);
      current = first_window + static_cast<int>(next);
      ++next;
    }
    double sweep = 0;
    if (right) {
      const double position = -(static_cast<double>(*right) - static_cast<double>(i) + 1) / width;
      sweep = scaled_sigmoid(position) * kTpWeight / max_tp;
    } else {
      const double position =
          prev_right ? std::fabs(static_cast<double>(*prev_right) - static_cast<double>(i)) / (prev_width - 1)
                     : 3.0;
      sweep = scaled_sigmoid(position) * kFpWeight;
    }
    if (i >= probation) {
      rows.push_back({scores[i], sweep, right ? current : -1});
    }
    if (right && f.times[i] == f.windows[static_cast<size_t>(current - first_window)].end) {
      prev_right = i;
      prev_width = width;
      right.reset();
      current = -1;
    }
  }
  return rows;
}

struct ThresholdScore {
  double threshold = 0;
  double score = 0;
  size_t tp = 0, fp = 0, fn = 0, windows_detected = 0;
};

// sweeper.calcScoreByThreshold: the score at every distinct threshold, highest first (1.1: none).
std::vector<ThresholdScore> scores_by_threshold(std::vector<Row> rows) {
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.score > b.score; });
  // The windows in the order NAB's dict meets them (their first record in score order), each starting
  // at -fnWeight; the total is summed in that order, after the false positives.
  std::map<int, size_t> slot;
  std::vector<double> parts;
  std::vector<bool> detected;
  for (const Row& r : rows) {
    if (r.window >= 0 && slot.emplace(r.window, parts.size()).second) {
      parts.push_back(-kFnWeight);
      detected.push_back(false);
    }
  }
  double fp_part = 0;
  ThresholdScore cur;
  cur.threshold = 1.1;
  for (const Row& r : rows) {
    cur.fn += r.window >= 0 ? 1 : 0;
  }
  const auto total = [&] {
    double s = fp_part;
    for (const double p : parts) {
      s += p;
    }
    return s;
  };
  std::vector<ThresholdScore> out;
  for (const Row& r : rows) {
    if (r.score != cur.threshold) {
      cur.score = total();
      out.push_back(cur);
      cur.threshold = r.score;
    }
    if (r.window >= 0) {
      ++cur.tp;
      --cur.fn;
      const size_t k = slot[r.window];
      parts[k] = std::max(parts[k], r.sweep);
      if (!detected[k]) {
        detected[k] = true;
        ++cur.windows_detected;
      }
    } else {
      ++cur.fp;
      fp_part += r.sweep;
    }
  }
  cur.score = total();
  out.push_back(cur);
  return out;
}

// The score of rows with detections at score >= threshold (sweeper.scoreDataSet).
ThresholdScore score_at(const std::vector<Row>& rows, double threshold) {
  const std::vector<ThresholdScore> all = scores_by_threshold(rows);
  ThresholdScore best = all.front();
  for (const ThresholdScore& s : all) {
    if (s.threshold < threshold) {
      break;
    }
    best = s;
  }
  return best;
}

double round_digits(double v, int digits) {
  if (v == 0 || !std::isfinite(v)) {
    return v;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return std::strtod(buf, nullptr);
}

struct Result {
  std::string name;
  double threshold = 0;
  double raw = 0;
  ThresholdScore totals;
  std::vector<ThresholdScore> per_file;
  std::vector<double> share; // per file: the share of its records with score >= threshold
  double seconds = 0;
};

// One CSV per file and detector: index, value, score, in a labelled window (0/1).
void dump_scores(const fs::path& dir, const std::string& name, const DataFile& f,
                 const std::vector<double>& scores) {
  std::string file = f.key;
  std::replace(file.begin(), file.end(), '/', '_');
  fs::create_directories(dir);
  std::ofstream out(dir / (name + "_" + file));
  const bool extra = f.expected.size() == scores.size() && name == "ours";
  out << (extra ? "index,value,score,label,expected,z\n" : "index,value,score,label\n");
  for (size_t i = 0; i < scores.size(); ++i) {
    bool label = false;
    for (const Window& w : f.windows) {
      label = label || (f.times[i] >= w.start && f.times[i] <= w.end);
    }
    char line[160];
    std::snprintf(line, sizeof line, "%zu,%.17g,%.17g,%d", i, f.values[i], scores[i], label ? 1 : 0);
    out << line;
    if (extra) {
      std::snprintf(line, sizeof line, ",%.10g,%.6g", f.expected[i], f.z[i]);
      out << line;
    }
    out << "\n";
  }
}

Result evaluate(const std::string& name, std::vector<DataFile>& files,
                const std::function<std::vector<double>(DataFile&)>& detector, std::optional<double> fixed,
                int digits, const std::string& dump) {
  Result r;
  r.name = name;
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::vector<double>> scores;
  for (DataFile& f : files) {
    scores.push_back(detector(f));
    if (digits > 0) {
      for (double& s : scores.back()) {
        s = round_digits(s, digits);
      }
    }
    if (!dump.empty()) {
      dump_scores(dump, name, f, scores.back());
    }
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::vector<std::vector<Row>> rows;
  std::vector<Row> corpus;
  int first_window = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    rows.push_back(sweep_rows(files[i], scores[i], first_window));
    first_window += static_cast<int>(files[i].windows.size());
    corpus.insert(corpus.end(), rows.back().begin(), rows.back().end());
  }
  if (fixed) {
    r.threshold = *fixed;
  } else {
    // optimizer.optimizeThreshold: the best corpus score; among equal scores the first (highest).
    const std::vector<ThresholdScore> all = scores_by_threshold(corpus);
    const auto best =
        std::max_element(all.begin(), all.end(),
                         [](const ThresholdScore& a, const ThresholdScore& b) { return a.score < b.score; });
    r.threshold = best->threshold;
  }
  for (const std::vector<double>& file_scores : scores) {
    const auto flagged =
        std::count_if(file_scores.begin(), file_scores.end(), [&](double s) { return s >= r.threshold; });
    r.share.push_back(static_cast<double>(flagged) / static_cast<double>(file_scores.size()));
  }
  for (const std::vector<Row>& file_rows : rows) {
    const ThresholdScore s = score_at(file_rows, r.threshold);
    r.per_file.push_back(s);
    r.raw += s.score;
    r.totals.tp += s.tp;
    r.totals.fp += s.fp;
    r.totals.fn += s.fn;
    r.totals.windows_detected += s.windows_detected;
  }
  return r;
}

int run(const std::vector<std::string>& args) {
  std::string nab_dir;
  bool per_file = false;
  std::vector<std::string> detectors{"ours", "batch", "causal", "gaussian", "null"};
  std::map<std::string, double> fixed;
  int digits = 0;
  std::string dump;
  std::string sensitivity = "medium";
  double max_share = 0.02;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool has_value = i + 1 < args.size();
    if (a == "--per-file") {
      per_file = true;
    } else if (a == "--detectors" && has_value) {
      detectors.clear();
      std::stringstream s(args[++i]);
      for (std::string d; std::getline(s, d, ',');) {
        detectors.push_back(d);
      }
    } else if (a == "--threshold" && has_value) {
      const std::string v = args[++i];
      const size_t eq = v.find('=');
      if (eq == std::string::npos) {
        throw std::runtime_error("--threshold wants DETECTOR=VALUE");
      }
      fixed[v.substr(0, eq)] = std::stod(v.substr(eq + 1));
    } else if (a == "--digits" && has_value) {
      digits = std::stoi(args[++i]);
    } else if (a == "--sensitivity" && has_value) {
      sensitivity = args[++i];
    } else if (a == "--max-share" && has_value) {
      max_share = std::stod(args[++i]);
    } else if (a == "--dump" && has_value) {
      dump = args[++i];
    } else if (nab_dir.empty() && !a.starts_with("--")) {
      nab_dir = a;
    } else {
      throw std::runtime_error("unknown argument " + a);
    }
  }
  if (nab_dir.empty()) {
    std::fprintf(stderr,
                 "usage: nab-tool NAB_DIR [--per-file] [--detectors ours,batch,causal,gaussian,null] "
                 "[--threshold DETECTOR=T] [--digits N] [--dump DIR] [--sensitivity S] [--max-share X]\n");
    return 2;
  }
  sql_options = autoreport::forecast::anomaly_options(sensitivity, max_share);
  std::vector<DataFile> files = read_corpus(nab_dir);
  size_t windows = 0, records = 0;
  for (const DataFile& f : files) {
    windows += f.windows.size();
    records += f.values.size();
  }
  const std::map<std::string, std::function<std::vector<double>(DataFile&)>> known{{"ours", run_ours},
                                                                                   {"batch", run_batch},
                                                                                   {"causal", run_causal},
                                                                                   {"gaussian", run_gaussian},
                                                                                   {"null", run_null}};
  const auto fixed_of = [&](const std::string& d) {
    const auto it = fixed.find(d);
    if (it == fixed.end() && (d == "batch" || d == "causal")) {
      return std::optional<double>(1.0); // flags: scored at the defaults, not swept
    }
    return it == fixed.end() ? std::nullopt : std::optional<double>(it->second);
  };
  // The null detector is the baseline of the normalisation, run whether or not it is shown.
  const Result null_result = evaluate("null", files, run_null, fixed_of("null"), digits, "");
  const double perfect = kTpWeight * static_cast<double>(windows);
  std::vector<Result> results;
  for (const std::string& d : detectors) {
    const auto it = known.find(d);
    if (it == known.end()) {
      throw std::runtime_error("unknown detector " + d + " (ours, batch, causal, gaussian, null)");
    }
    results.push_back(d == "null" && !fixed_of(d)
                          ? null_result
                          : evaluate(d, files, it->second, fixed_of(d), digits, dump));
  }
  std::printf("NAB standard profile (tp %.2f, fp %.2f, fn %.2f): %zu files, %zu records, %zu windows; "
              "null raw %.4f, perfect %.1f\n\n",
              kTpWeight, kFpWeight, kFnWeight, files.size(), records, windows, null_result.raw, perfect);
  std::printf("%-9s %8s %10s %20s %6s %6s %7s %8s %10s %8s\n", "detector", "score", "raw", "threshold", "TP",
              "FP", "FN", "windows", "max share", "seconds");
  for (const Result& r : results) {
    const double normalised = 100 * (r.raw - null_result.raw) / (perfect - null_result.raw);
    const double max_share = *std::max_element(r.share.begin(), r.share.end());
    std::printf("%-9s %8.2f %10.4f %20.17g %6zu %6zu %7zu %5zu/%-2zu %9.2f%% %8.2f\n", r.name.c_str(),
                normalised, r.raw, r.threshold, r.totals.tp, r.totals.fp, r.totals.fn,
                r.totals.windows_detected, windows, 100 * max_share, r.seconds);
  }
  std::printf("\nshare of each file's records flagged at each detector's threshold\n");
  std::printf("%-55s %6s", "file", "period");
  for (const Result& r : results) {
    std::printf(" %9s", r.name.c_str());
  }
  std::printf("\n");
  for (size_t i = 0; i < files.size(); ++i) {
    const std::string period = files[i].sql_period == 0 ? "-" : std::to_string(files[i].sql_period);
    std::printf("%-55s %6s", files[i].key.c_str(), period.c_str());
    for (const Result& r : results) {
      std::printf(" %8.2f%%", 100 * r.share[i]);
    }
    std::printf("\n");
  }
  if (per_file) {
    std::printf("\nper file: raw standard score at each detector's threshold (windows detected/labelled)\n");
    std::printf("%-55s %6s %6s", "file", "n", "period");
    for (const Result& r : results) {
      std::printf(" %16s", r.name.c_str());
    }
    std::printf("\n");
    for (size_t i = 0; i < files.size(); ++i) {
      const std::string period = files[i].period == 0 ? "-" : std::to_string(files[i].period);
      std::printf("%-55s %6zu %6s", files[i].key.c_str(), files[i].values.size(), period.c_str());
      for (const Result& r : results) {
        std::printf(" %10.4f (%zu/%zu)", r.per_file[i].score, r.per_file[i].windows_detected,
                    files[i].windows.size());
      }
      std::printf("\n");
    }
  }
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  try {
    return run(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "nab-tool: %s\n", e.what());
    return 1;
  }
}
