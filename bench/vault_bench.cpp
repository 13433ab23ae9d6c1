// Times the token vault on a typical 200-byte provider token: seal (AES-256-GCM under the
// current key, fresh nonce, associated data) and open, one thread, as operations per second.
// Each run seals N tokens (each bound to its own row) and then opens them all; prints the
// median/min/max over the runs.
//
//   build/release/bench/bench_vault [runs] [ops-per-run]     (defaults 9 and 200000)

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "vault/keyring.hpp"

namespace {

struct summary {
  double median, min, max;
};

summary summarize(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return {v[v.size() / 2], v.front(), v.back()};
}

template <class F>
double seconds(F f) {
  const auto start = std::chrono::steady_clock::now();
  f();
  const auto stop = std::chrono::steady_clock::now();
  return std::chrono::duration<double>(stop - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::atoi(argv[1]) : 9;
  const int ops = argc > 2 ? std::atoi(argv[2]) : 200000;
  if (runs < 1 || ops < 1) {
    std::fprintf(stderr, "usage: bench_vault [runs >= 1] [ops-per-run >= 1]\n");
    return 2;
  }
  namespace vault = rosterd::vault;
  const std::string keys = std::string(vault::generate_key_file_line(1).reveal()) + "\n" +
                           std::string(vault::generate_key_file_line(2).reveal()) + "\n";
  const auto ring = vault::keyring::parse(keys, "bench").value();

  std::string token = "1//0g";  // a Google-style refresh token, padded to 200 bytes
  while (token.size() < 200) {
    token += "AbCdEfGhIjKlMnOpQrStUvWxYz-0123456789_";
  }
  token.resize(200);

  std::vector<std::string> rows(static_cast<std::size_t>(ops));
  for (int i = 0; i < ops; ++i) {
    rows[static_cast<std::size_t>(i)] = "con_" + std::to_string(1000000 + i);
  }
  std::vector<std::vector<std::uint8_t>> sealed(static_cast<std::size_t>(ops));
  std::vector<double> seal_rate;
  std::vector<double> open_rate;
  for (int r = 0; r < runs; ++r) {
    const double seal_s = seconds([&] {
      for (std::size_t i = 0; i < rows.size(); ++i) {
        sealed[i] = ring.seal(token, {"connections", rows[i], "refresh_token"}).value();
      }
    });
    std::size_t bad = 0;
    const double open_s = seconds([&] {
      for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto opened = ring.open(sealed[i], {"connections", rows[i], "refresh_token"});
        if (!opened || opened->reveal().size() != token.size()) {
          ++bad;
        }
      }
    });
    if (bad != 0) {
      std::fprintf(stderr, "%zu values did not open\n", bad);
      return 1;
    }
    seal_rate.push_back(ops / seal_s);
    open_rate.push_back(ops / open_s);
  }
  const auto s = summarize(seal_rate);
  const auto o = summarize(open_rate);
  std::printf("AES-256-GCM, %zu-byte token (%zu sealed), 1 thread, runs=%d ops/run=%d\n",
              token.size(), vault::sealed_size(token.size()), runs, ops);
  std::printf("seal  median_ops_s=%.0f min_ops_s=%.0f max_ops_s=%.0f  (%.2f us/op)\n", s.median,
              s.min, s.max, 1e6 / s.median);
  std::printf("open  median_ops_s=%.0f min_ops_s=%.0f max_ops_s=%.0f  (%.2f us/op)\n", o.median,
              o.min, o.max, 1e6 / o.median);
  return 0;
}
