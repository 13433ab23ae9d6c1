// Times the parsing and validation half of a CSV onboarding dry run: a generated 10,000-row
// file (BOM, CRLF, quoted names, two team emails per creator with a line break between them)
// through roster::parse_onboarding_csv. Prints the median and spread of several runs.
//
//   build/release/bench/bench_csv_parse [rows] [runs]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "roster/onboarding_csv.hpp"
#include "tests/support/onboarding_csv_sample.hpp"

int main(int argc, char** argv) {
  const int rows = argc > 1 ? std::atoi(argv[1]) : 10'000;
  const int runs = argc > 2 ? std::atoi(argv[2]) : 15;
  const auto text = rosterd::testing::onboarding_csv_sample(rows);
  std::vector<double> ms;
  std::size_t parsed = 0;
  for (int r = 0; r < runs; ++r) {
    const auto start = std::chrono::steady_clock::now();
    auto file = rosterd::roster::parse_onboarding_csv(text);
    const auto stop = std::chrono::steady_clock::now();
    if (!file || !file->issues.empty()) {
      std::fprintf(stderr, "unexpected parse result\n");
      return 1;
    }
    parsed = file->rows.size();
    ms.push_back(std::chrono::duration<double, std::milli>(stop - start).count());
  }
  std::sort(ms.begin(), ms.end());
  const double median = ms[ms.size() / 2];
  std::printf("rows=%zu bytes=%zu runs=%d median_ms=%.2f min_ms=%.2f max_ms=%.2f MB/s=%.1f\n",
              parsed, text.size(), runs, median, ms.front(), ms.back(),
              static_cast<double>(text.size()) / 1e6 / (median / 1e3));
  return 0;
}
