// The lifecycle at scale: a real SQLite file with 250,000 creators x 4 platforms = 1,000,000
// connections, each with its planned check in the jobs table (as the start-up sweep leaves
// them), 1,000 agents on 250 creators' teams each. Measures, median of `runs`:
//   - the scheduler's work per wake when nothing is due: next_job_due + an empty claim;
//   - the same with 32 jobs due (claim 32, put them back);
//   - creator reminders rendered into the outbox per minute: connection checks at their 7-day
//     stage with the real templates (each also alerts the creator's agent), 100 per transaction,
//     with this process's CPU time per check beside it.
// `seed-only` writes the database and stops (bench/lifecycle_ready.sh then times the daemon's
// READY and RSS on it).
//
//   build/release/bench/bench_lifecycle DB [runs] [connections] [seed-only]   (5, 1000000)

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

#include "bench/bench_fail.hpp"
#include "bench/bench_stats.hpp"
#include "lifecycle/connection_checks.hpp"
#include "lifecycle/jobs.hpp"
#include "lifecycle/stage_settings.hpp"
#include "notify/templates.hpp"
#include "oauth/profile.hpp"
#include "setup/outbox_mailer.hpp"
#include "store/in_transaction.hpp"
#include "store/sql.hpp"
#include "store/store.hpp"

namespace {

namespace fs = std::filesystem;
using namespace rosterd;
using bench::must;
using bench::summarize;
using clock_type = std::chrono::steady_clock;
using roster::time_point;

const std::vector<std::string> platforms{"facebook", "instagram_facebook", "tiktok", "pinterest"};
constexpr int agents = 1000;

// This process's CPU time: on a machine shared with other work the wall clock of a run says as
// much about the neighbours as about the checks.
double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

double us(clock_type::duration d) {
  return std::chrono::duration<double, std::micro>(d).count();
}

std::string pad(int i) {
  auto s = std::to_string(i);
  return std::string(7 - std::min<std::size_t>(7, s.size()), '0') + s;
}

/// The deadline of connection `i`: spread over the next 120 days, to the second.
time_point deadline_of(int i, time_point base) {
  return base + std::chrono::seconds(3600 + static_cast<std::int64_t>(i) * 10368 % 10368000);
}

void seed(store::store& db, int connections, time_point base) {
  const int creators = connections / 4;
  const auto t = roster::stamp(base);
  auto op = store::in_transaction([&](store::database& d) -> base::result<void> {
    if (auto r = store::sql::run(d,
                                 "INSERT INTO accounts (id, name, created_at) VALUES "
                                 "('acc_bench', 'Bench Talent', ?)",
                                 t);
        !r) {
      return r;
    }
    for (int a = 0; a < agents; ++a) {
      const auto id = "usr_agent" + pad(a);
      if (auto r = store::sql::run(
              d, "INSERT INTO users (id, email, display_name, created_at) VALUES (?, ?, ?, ?)", id,
              "agent" + pad(a) + "@bench.test", "Agent " + pad(a), t);
          !r) {
        return r;
      }
      if (auto r = store::sql::run(d,
                                   "INSERT INTO account_members (account_id, user_id, role, "
                                   "created_at, joined_at) VALUES ('acc_bench', ?, 'agent', ?, ?)",
                                   id, t, t);
          !r) {
        return r;
      }
    }
    for (int c = 0; c < creators; ++c) {
      const auto user = "usr_c" + pad(c);
      const auto creator = "cre_" + pad(c);
      const auto group = "grp_" + pad(c);
      if (auto r = store::sql::run(
              d, "INSERT INTO users (id, email, display_name, created_at) VALUES (?, ?, ?, ?)",
              user, "c" + pad(c) + "@creators.test", "Creator " + pad(c), t);
          !r) {
        return r;
      }
      if (auto r = store::sql::run(d,
                                   "INSERT INTO creators (id, account_id, user_id, display_name, "
                                   "created_at) VALUES (?, 'acc_bench', ?, ?, ?)",
                                   creator, user, "Creator " + pad(c), t);
          !r) {
        return r;
      }
      if (auto r = store::sql::run(d,
                                   "INSERT INTO access_groups (id, account_id, creator_id, name, "
                                   "created_at) VALUES (?, 'acc_bench', ?, ?, ?)",
                                   group, creator, "Creator " + pad(c), t);
          !r) {
        return r;
      }
      if (auto r = store::sql::run(d,
                                   "INSERT INTO group_members (group_id, user_id, added_at) "
                                   "VALUES (?, ?, ?)",
                                   group, "usr_agent" + pad(c % agents), t);
          !r) {
        return r;
      }
      for (int k = 0; k < 4; ++k) {
        const int i = c * 4 + k;
        const auto id = "con_" + pad(i);
        const auto due = deadline_of(i, base);
        if (auto r = store::sql::run(
                d,
                "INSERT INTO connections (id, account_id, creator_id, provider, status, "
                "status_changed_at, external_id, connected_at, reauth_due_at, "
                "deadline_cause) VALUES (?, 'acc_bench', ?, ?, 'connected', ?, ?, ?, ?, "
                "'token_expiry')",
                id, creator, platforms[static_cast<std::size_t>(k)], t, "ext" + id, t,
                roster::stamp(due));
            !r) {
          return r;
        }
        if (auto r = lifecycle::schedule_job(
                d,
                {"connection_check", id, "connection_check:" + id + ":" + t + ":sweep",
                 std::max(base, due - std::chrono::hours(24 * 14)), ""},
                base);
            !r) {
          return r.error();
        }
      }
    }
    return {};
  });
  must(db.write_now(op), "seed");
}

lifecycle::provider_registry builtin_providers() {
  lifecycle::provider_registry out;
  for (const auto& id : platforms) {
    oauth::provider_settings s;
    s.client_id = "bench-" + id;
    s.client_secret = base::secret("secret-" + id);
    s.redirect_uri = "https://bench.test/oauth/" + id + "/callback";
    out.add(must(oauth::resolve(*oauth::find_builtin_profile(id), std::move(s)), "resolve"));
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  bench::program = "bench_lifecycle";
  if (argc < 2) {
    bench::die("usage: bench_lifecycle DB [runs] [connections] [seed-only]");
  }
  const fs::path path = argv[1];
  const int runs = argc > 2 ? std::atoi(argv[2]) : 5;
  const int connections = argc > 3 ? std::atoi(argv[3]) : 1000000;
  const bool seed_only = argc > 4 && std::string(argv[4]) == "seed-only";
  if (!seed_only && connections < runs * 5000 * 4) {
    bench::die("each run checks 5,000 creators of its own: use at least runs x 20,000 connections");
  }
  const auto base = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());

  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::error_code ec;
    fs::remove(path.string() + suffix, ec);
  }
  store::options opts;
  opts.path = path;
  auto db = must(store::store::open(opts, nullptr), "store::open");
  const auto seeding = clock_type::now();
  seed(*db, connections, base);
  std::fprintf(stderr, "seeded %d connections in %.1f s\n", connections,
               std::chrono::duration<double>(clock_type::now() - seeding).count());
  if (seed_only) {
    db->close();
    return 0;
  }

  // Per wake, nothing due: the earliest due time, then a claim that finds nothing.
  std::vector<double> idle;
  std::vector<double> busy;
  for (int r = 0; r < runs; ++r) {
    std::vector<double> one;
    for (int i = 0; i < 1000; ++i) {
      const auto started = clock_type::now();
      must(db->read_now([](store::database& d) { return lifecycle::next_job_due(d); }),
           "next_job_due");
      must(db->write_now([&](store::database& d) {
        // A moment before the earliest job: the claim finds nothing, as between stages.
        return lifecycle::claim_due_jobs(d, "bench", base - std::chrono::seconds(1),
                                         std::chrono::seconds(300), 32);
      }),
           "claim");
      one.push_back(us(clock_type::now() - started));
    }
    idle.push_back(summarize(one).median);
    // 32 due: claim them at their moment, then put them back for the next run.
    const auto later = base + std::chrono::hours(24 * 30);
    std::vector<double> claims;
    for (int i = 0; i < 100; ++i) {
      const auto started = clock_type::now();
      auto claimed = must(db->write_now([&](store::database& d) {
        return lifecycle::claim_due_jobs(d, "bench", later, std::chrono::seconds(300), 32);
      }),
                          "claim due");
      claims.push_back(us(clock_type::now() - started));
      if (claimed.size() != 32) {
        bench::die("expected 32 due jobs");
      }
      must(db->write_now([&](store::database& d) -> base::result<void> {
        for (const auto& j : claimed) {
          if (auto back = lifecycle::retry_job(d, j, j.scheduled_for, ""); !back) {
            return back.error();
          }
        }
        return {};
      }),
           "put back");
    }
    busy.push_back(summarize(claims).median);
  }

  // Reminders rendered into the outbox: 7-day-stage checks of 5,000 connections.
  const auto providers = builtin_providers();
  const lifecycle::stage_settings stages;
  auto templates = must(notify::template_set::load(), "templates");
  setup::outbox_mailer mailer(templates, "https://bench.test");
  const lifecycle::check_context ctx{
      providers, stages, mailer, {std::chrono::hours(24 * 7), "https://bench.test"}};
  std::vector<double> per_minute;
  std::vector<double> cpu_per_check;
  constexpr int checks = 5000;
  for (int r = 0; r < runs; ++r) {
    int sent = 0;
    const auto started = clock_type::now();
    const auto cpu_started = cpu_seconds();
    for (int batch = 0; batch < checks / 100; ++batch) {
      auto op = store::in_transaction([&](store::database& d) -> base::result<int> {
        int n = 0;
        for (int k = 0; k < 100; ++k) {
          // One platform per creator per run, a different creator each time.
          const int i = ((r * checks + batch * 100 + k) * 4) % connections;
          const auto at =
              deadline_of(i, base) - std::chrono::hours(24 * 7) + std::chrono::minutes(1);
          auto report = lifecycle::check_connection(d, ctx, "con_" + pad(i), at);
          if (!report) {
            return report.error();
          }
          n += report->creator_messages;
        }
        return n;
      });
      sent += must(db->write_now(op), "check");
    }
    const auto took = std::chrono::duration<double>(clock_type::now() - started).count();
    if (sent < checks * 9 / 10) {
      bench::die("too few reminders were rendered: " + std::to_string(sent));
    }
    per_minute.push_back(sent / took * 60.0);
    cpu_per_check.push_back((cpu_seconds() - cpu_started) / checks * 1e6);
  }

  const auto i = summarize(idle);
  const auto b = summarize(busy);
  const auto m = summarize(per_minute);
  const auto c = summarize(cpu_per_check);
  std::printf("connections: %d (creators %d, agents %d), runs: %d, load: %s\n", connections,
              connections / 4, agents, runs, bench::load_average().c_str());
  std::printf("| due-job lookup per wake, nothing due | %.0f us (%.0f-%.0f) |\n", i.median, i.min,
              i.max);
  std::printf("| claim of 32 due jobs | %.0f us (%.0f-%.0f) |\n", b.median, b.min, b.max);
  std::printf("| reminders rendered into the outbox | %.0f /min (%.0f-%.0f) |\n", m.median, m.min,
              m.max);
  std::printf("| CPU per reminder check (this process) | %.0f us (%.0f-%.0f) |\n", c.median, c.min,
              c.max);
  std::printf("reminders/min per run:");
  for (const auto v : per_minute) {
    std::printf(" %.0f", v);
  }
  std::printf("\n");
  db->close();
  return 0;
}
