#pragma once
// What every benchmark reports: the median (and range) of its runs, and how busy the shared
// machine was while they ran.

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

namespace rosterd::bench {

struct stats {
  double median, min, max;
};

/// Median, min and max of `v` (at least one value).
inline stats summarize(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const auto n = v.size();
  const double median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  return {median, v.front(), v.back()};
}

/// The 1, 5 and 15 minute load averages: the machine is shared, so the figures say how busy it was.
inline std::string load_average() {
  std::string text;
  if (FILE* f = std::fopen("/proc/loadavg", "r")) {
    char buf[128] = {};
    if (std::fgets(buf, sizeof buf, f) != nullptr) {
      text = buf;
    }
    std::fclose(f);
  }
  std::size_t spaces = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == ' ' && ++spaces == 3) {
      return text.substr(0, i);
    }
  }
  return text.empty() ? "unknown" : text;
}

}  // namespace rosterd::bench
