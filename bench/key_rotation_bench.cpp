// Times `rosterctl keys rotate`'s work (lifecycle::rotate_keys) on 10,000 connections, i.e.
// 20,000 sealed tokens, against a real SQLite file (budget: <= 60 s on 2 cores).
// Each run seeds a fresh database under key version 1, then rotates to version 2, twice per
// run: idle, and "under load" with two threads opening random connections' tokens through the
// store's read pool all the time. Also reports how long each batch's write transaction held the
// writer (what a daemon write may wait behind) and the readers' throughput.
//
//   build/release/bench/bench_key_rotation [runs] [connections] [batch]   (5, 10000, 250)

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include "bench/bench_fail.hpp"
#include "bench/bench_stats.hpp"
#include "lifecycle/connections.hpp"
#include "lifecycle/key_rotation.hpp"
#include "store/in_transaction.hpp"
#include "store/sql.hpp"
#include "store/store.hpp"

namespace {

namespace fs = std::filesystem;
using namespace rosterd;
using bench::must;
using bench::summarize;
using clock_type = std::chrono::steady_clock;

double ms(clock_type::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

/// A fresh database with `n` connections whose two ~200-byte tokens are sealed under `keys`.
std::unique_ptr<store::store> seed(const fs::path& path, int n, const vault::keyring& keys,
                                   std::vector<std::string>& ids) {
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::error_code ec;
    fs::remove(path.string() + suffix, ec);
  }
  store::options opts;
  opts.path = path;
  opts.read_connections = 2;  // the daemon's default pool is larger; 2 readers here
  auto db = must(store::store::open(opts, nullptr), "store::open");
  std::string token = "1//0g";
  while (token.size() < 200) {
    token += "AbCdEfGhIjKlMnOpQrStUvWxYz-0123456789_";
  }
  token.resize(200);
  ids.clear();
  auto insert = store::in_transaction([&](store::database& d) -> base::result<void> {
    for (int i = 0; i < n; ++i) {
      const auto id = "con_" + std::to_string(1000000 + i);
      auto access = must(keys.seal(token, {"connections", id, "access_token"}), "seal");
      auto refresh = must(keys.seal(token, {"connections", id, "refresh_token"}), "seal");
      auto done = store::sql::run(
          d,
          "INSERT INTO connections (id, account_id, creator_id, provider, status, "
          "status_changed_at, external_id, access_token, refresh_token, connected_at) "
          "VALUES (?, 'acc_bench', 'cre_bench', ?, 'connected', 't', ?, ?, ?, 't')",
          id, "p" + id, id, access, refresh);
      if (!done) {
        return done;
      }
      ids.push_back(id);
    }
    return {};
  });
  // No accounts or creators: rotation never looks at them, so the references are not checked
  // (set outside the transaction: SQLite ignores this pragma inside one).
  must(db->write_now([](store::database& d) { return d.exec("PRAGMA foreign_keys = OFF"); }),
       "foreign_keys");
  must(db->write_now(insert), "seed");
  return db;
}

struct run_figures {
  double seconds = 0;
  double batch_write_p50_ms = 0;
  double batch_write_max_ms = 0;
  std::uint64_t reads = 0;
  std::uint64_t failed_reads = 0;
};

run_figures rotate(store::store& db, const vault::keyring& both, int batch, int readers,
                   const std::vector<std::string>& ids) {
  std::atomic<bool> done{false};
  std::atomic<std::uint64_t> reads{0};
  std::atomic<std::uint64_t> failed{0};
  std::vector<std::thread> threads;
  for (int r = 0; r < readers; ++r) {
    threads.emplace_back([&, r] {
      std::mt19937 pick(static_cast<unsigned>(r + 1));
      std::uniform_int_distribution<std::size_t> any(0, ids.size() - 1);
      while (!done.load()) {
        const auto& id = ids[any(pick)];
        auto t =
            db.read_now([&](store::database& d) { return lifecycle::read_tokens(d, both, id); });
        ++(t ? reads : failed);
      }
    });
  }
  std::vector<double> writes;
  clock_type::time_point write_started;
  lifecycle::rotation_options options;
  options.batch_rows = static_cast<std::size_t>(batch);
  options.before_write = [&] { write_started = clock_type::now(); };
  options.after_batch = [&](const lifecycle::rotation_report&) {
    writes.push_back(ms(clock_type::now() - write_started));
    return true;
  };
  const auto started = clock_type::now();
  auto report = must(lifecycle::rotate_keys(db, both, options), "rotate_keys");
  const auto took = clock_type::now() - started;
  done = true;
  for (auto& t : threads) {
    t.join();
  }
  if (report.remaining.under(1) != 0 || report.failed != 0 || report.rewrapped == 0) {
    bench::die("rotation left values behind");
  }
  const auto w = summarize(writes);
  return {std::chrono::duration<double>(took).count(), w.median, w.max, reads.load(),
          failed.load()};
}

}  // namespace

int main(int argc, char** argv) {
  bench::program = "bench_key_rotation";
  const int runs = argc > 1 ? std::atoi(argv[1]) : 5;
  const int connections = argc > 2 ? std::atoi(argv[2]) : 10000;
  const int batch = argc > 3 ? std::atoi(argv[3]) : 250;
  if (runs < 1 || connections < 1 || batch < 1) {
    std::fprintf(stderr, "usage: bench_key_rotation [runs >= 1] [connections >= 1] [batch >= 1]\n");
    return 2;
  }
  const std::string line1(vault::generate_key_file_line(1).reveal());
  const std::string line2(vault::generate_key_file_line(2).reveal());
  const auto old_keys = must(vault::keyring::parse(line1, "bench v1"), "keys");
  const auto both = must(vault::keyring::parse(line1 + "\n" + line2, "bench v1+v2"), "keys");

  const char* tmp = std::getenv("TMPDIR");
  std::string pattern =
      std::string(tmp != nullptr && *tmp != 0 ? tmp : "/tmp") + "/rosterd-rotation-bench.XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    bench::die("mkdtemp failed");
  }
  const fs::path dir = pattern;

  std::printf("connections=%d values=%d batch=%d runs=%d\n", connections, 2 * connections, batch,
              runs);
  std::vector<std::string> ids;
  for (const int readers : {0, 2}) {
    std::vector<double> seconds, p50, worst, read_rate;
    std::uint64_t failed = 0;
    for (int r = 0; r < runs; ++r) {
      auto db = seed(dir / "rosterd.db", connections, old_keys, ids);
      const auto f = rotate(*db, both, batch, readers, ids);
      db->close();
      seconds.push_back(f.seconds);
      p50.push_back(f.batch_write_p50_ms);
      worst.push_back(f.batch_write_max_ms);
      read_rate.push_back(static_cast<double>(f.reads) / f.seconds);
      failed += f.failed_reads;
      std::printf("  %s run %d: %.3f s, batch write median %.2f ms max %.2f ms, %.0f reads/s\n",
                  readers == 0 ? "idle" : "load", r + 1, f.seconds, f.batch_write_p50_ms,
                  f.batch_write_max_ms, read_rate.back());
    }
    const auto s = summarize(seconds);
    const auto w = summarize(p50);
    const auto m = summarize(worst);
    const auto rr = summarize(read_rate);
    std::printf(
        "%s (%d reader threads): rotation median %.3f s (min %.3f, max %.3f); %.0f values/s; "
        "batch write median of medians %.2f ms, worst %.2f ms; reads/s median %.0f; failed "
        "reads %llu\n",
        readers == 0 ? "idle" : "under load", readers, s.median, s.min, s.max,
        2.0 * connections / s.median, w.median, m.max, rr.median,
        static_cast<unsigned long long>(failed));
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  return 0;
}
