// Times Argon2id hashing and verification at the default password cost (19 MiB, t=2, p=1), the
// price of every login and password change, and spend_equal_time, which must cost what a
// verification does (a login for an unknown email). Prints median/min/max over N runs of each.
//
//   build/release/bench/bench_password_hash [runs]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "base/secret.hpp"
#include "roster/password.hpp"

namespace {

struct summary {
  double median, min, max;
};

summary summarize(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms.front(), ms.back()};
}

template <class F>
double time_ms(F f) {
  const auto start = std::chrono::steady_clock::now();
  f();
  const auto stop = std::chrono::steady_clock::now();
  return std::chrono::duration<double, std::milli>(stop - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::atoi(argv[1]) : 15;
  if (runs < 1) {
    std::fprintf(stderr, "usage: bench_password_hash [runs >= 1]\n");
    return 2;
  }
  const rosterd::roster::password_cost cost;
  const rosterd::base::secret password(std::string("correct battery horse staple"));
  std::vector<double> hash_ms;
  std::vector<double> verify_ms;
  std::vector<double> dummy_ms;
  for (int r = 0; r < runs; ++r) {
    std::string phc;
    hash_ms.push_back(
        time_ms([&] { phc = rosterd::roster::hash_password(password, cost).value(); }));
    bool ok = false;
    verify_ms.push_back(time_ms([&] { ok = rosterd::roster::verify_password(password, phc); }));
    if (!ok) {
      std::fprintf(stderr, "verification failed\n");
      return 1;
    }
    dummy_ms.push_back(time_ms([&] { rosterd::roster::spend_equal_time(password, cost); }));
  }
  const auto h = summarize(hash_ms);
  const auto v = summarize(verify_ms);
  const auto d = summarize(dummy_ms);
  std::printf("argon2id m=%u KiB t=%u p=%u runs=%d\n", cost.memory_kib, cost.iterations,
              cost.parallelism, runs);
  std::printf("hash    median_ms=%.2f min_ms=%.2f max_ms=%.2f\n", h.median, h.min, h.max);
  std::printf("verify  median_ms=%.2f min_ms=%.2f max_ms=%.2f\n", v.median, v.min, v.max);
  std::printf("dummy   median_ms=%.2f min_ms=%.2f max_ms=%.2f  (spend_equal_time)\n", d.median,
              d.min, d.max);
  return 0;
}
