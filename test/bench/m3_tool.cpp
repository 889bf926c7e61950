// The M3 side tool of bench/forecast.sh.
//
//   m3-tool forecast M3_DIR GROUP METHOD   forecasts every series of a group with forecast_series()
//                                          outside PostgreSQL (for development), CSV on stdout
//   m3-tool rows M3_DIR GROUP              the training part of every series as CSV rows
//                                          series,time,value (monthly dates from 2000-01-01 at the
//                                          group's step: 12, 3 or 1 months, "other" 1 month), to load
//                                          into PostgreSQL
//   m3-tool score M3_DIR CSV...            scores forecasts (CSV: group,series,method,step,mean,
//                                          lo80,hi80,lo95,hi95) against the held-out M3 points:
//                                          sMAPE, MASE, 95% coverage and MSIS per group and method
//
// The held-out part of each series is its last @horizon values; MASE and MSIS are scaled by the
// in-sample seasonal naive error (lag 12 monthly, 4 quarterly, 1 otherwise), as in M4.
#include "forecast/accuracy.hpp"
#include "forecast/auto.hpp"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Group {
  size_t horizon = 0;
  size_t period = 1;
  std::vector<std::pair<std::string, std::vector<double>>> series;
};

size_t period_of(const std::string& group) {
  return group == "monthly" ? 12 : group == "quarterly" ? 4 : 1;
}

Group read_group(const std::string& dir, const std::string& group) {
  std::ifstream in(dir + "/m3_" + group + ".tsf");
  if (!in) {
    throw std::runtime_error("cannot read " + dir + "/m3_" + group + ".tsf");
  }
  Group g;
  g.period = period_of(group);
  std::string line;
  bool data = false;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    if (line.rfind("@horizon", 0) == 0) {
      g.horizon = std::stoul(line.substr(9));
    } else if (line == "@data") {
      data = true;
    } else if (data && !line.empty()) {
      const std::string name = line.substr(0, line.find(':'));
      std::stringstream values(line.substr(line.rfind(':') + 1));
      std::vector<double> v;
      std::string cell;
      while (std::getline(values, cell, ',')) {
        v.push_back(std::stod(cell));
      }
      g.series.emplace_back(name, std::move(v));
    }
  }
  return g;
}

int forecast(const std::string& dir, const std::string& group, const std::string& method) {
  const Group g = read_group(dir, group);
  autoreport::forecast::ForecastOptions o;
  o.horizon = g.horizon;
  o.period = g.period;
  o.method = method;
  const auto started = std::chrono::steady_clock::now();
  std::printf("group,series,method,step,mean,lo80,hi80,lo95,hi95\n");
  for (const auto& [name, y] : g.series) {
    const std::span<const double> train(y.data(), y.size() - g.horizon);
    const auto r = autoreport::forecast::forecast_series(train, o);
    for (size_t k = 0; k < g.horizon; ++k) {
      std::printf("%s,%s,%s,%zu,%.10g,%.10g,%.10g,%.10g,%.10g\n", group.c_str(), name.c_str(), method.c_str(),
                  k + 1, r.forecast.mean[k], r.forecast.lower[0][k], r.forecast.upper[0][k],
                  r.forecast.lower[1][k], r.forecast.upper[1][k]);
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::fprintf(stderr, "%s %s: %zu series in %.2f s\n", method.c_str(), group.c_str(), g.series.size(),
               seconds);
  return 0;
}

int rows(const std::string& dir, const std::string& group) {
  const Group g = read_group(dir, group);
  const int step = group == "yearly" ? 12 : group == "quarterly" ? 3 : 1;
  for (const auto& [name, y] : g.series) {
    for (size_t t = 0; t + g.horizon < y.size(); ++t) {
      const size_t months = t * static_cast<size_t>(step);
      std::printf("%s,%04zu-%02zu-01,%.10g\n", name.c_str(), 2000 + months / 12, months % 12 + 1, y[t]);
    }
  }
  return 0;
}

struct Forecasts {
  std::vector<double> mean, lo95, hi95;
};

int score(const std::string& dir, const std::vector<std::string>& files) {
  // (group, method) -> series -> forecasts
  std::map<std::pair<std::string, std::string>, std::map<std::string, Forecasts>> all;
  for (const std::string& file : files) {
    std::ifstream in(file);
    if (!in) {
      throw std::runtime_error("cannot read " + file);
    }
    std::string line;
    std::getline(in, line); // header
    while (std::getline(in, line)) {
      std::stringstream s(line);
      std::vector<std::string> f;
      std::string cell;
      while (std::getline(s, cell, ',')) {
        f.push_back(cell);
      }
      if (f.size() != 9) {
        throw std::runtime_error("bad line in " + file + ": " + line);
      }
      Forecasts& fc = all[{f[0], f[2]}][f[1]];
      fc.mean.push_back(std::stod(f[4]));
      fc.lo95.push_back(std::stod(f[7]));
      fc.hi95.push_back(std::stod(f[8]));
    }
  }
  std::map<std::string, Group> groups;
  std::printf("%-10s %-8s %7s %8s %8s %9s %9s\n", "group", "method", "series", "sMAPE", "MASE", "cover95",
              "MSIS95");
  for (const auto& [key, by_series] : all) {
    const auto& [group, method] = key;
    if (!groups.count(group)) {
      groups[group] = read_group(dir, group);
    }
    const Group& g = groups[group];
    double smape = 0, mase = 0, cover = 0, msis = 0;
    size_t count = 0;
    for (const auto& [name, y] : g.series) {
      const auto it = by_series.find(name);
      if (it == by_series.end() || it->second.mean.size() != g.horizon) {
        throw std::runtime_error(method + " has no complete forecast of " + group + " " + name);
      }
      const std::span<const double> train(y.data(), y.size() - g.horizon);
      const std::span<const double> test(y.data() + train.size(), g.horizon);
      const size_t m = train.size() > g.period ? g.period : 1;
      smape += autoreport::forecast::smape(test, it->second.mean);
      mase += autoreport::forecast::mase(train, m, test, it->second.mean);
      cover += autoreport::forecast::coverage(test, it->second.lo95, it->second.hi95);
      msis += autoreport::forecast::msis(train, m, test, it->second.lo95, it->second.hi95, 0.05);
      ++count;
    }
    const double c = static_cast<double>(count);
    std::printf("%-10s %-8s %7zu %8.3f %8.3f %8.1f%% %9.3f\n", group.c_str(), method.c_str(), count,
                smape / c, mase / c, 100 * cover / c, msis / c);
  }
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  try {
    const std::vector<std::string> a(argv + 1, argv + argc);
    if (a.size() == 4 && a[0] == "forecast") {
      return forecast(a[1], a[2], a[3]);
    }
    if (a.size() == 3 && a[0] == "rows") {
      return rows(a[1], a[2]);
    }
    if (a.size() >= 3 && a[0] == "score") {
      return score(a[1], std::vector<std::string>(a.begin() + 2, a.end()));
    }
    std::fprintf(stderr,
                 "usage: m3-tool forecast M3_DIR GROUP METHOD | rows M3_DIR GROUP | score M3_DIR CSV...\n");
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "m3-tool: %s\n", e.what());
    return 1;
  }
}
