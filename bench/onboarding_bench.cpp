// Times CSV onboarding end to end against a real SQLite file, as `rosterctl import` does it:
// the shared 10,000-row file (tests/support/onboarding_csv_sample.hpp: every creator with two
// team members out of 25 agents, half the rows saying "Yes, has an account") through
//
//   (a) dry run on an empty account: parse + plan_onboarding (read connection, one snapshot)
//   (b) apply on a fresh database: parse + apply_onboarding with the REAL outbox mailer
//       (setup::outbox_mailer over the built-in templates), one immediate transaction, commit
//   (c) re-apply of the same file: must change nothing and queue nothing
//   (d) dry run against the now populated account
//
// Every run starts from a new database file (store::store::open, so migrations run and the
// connections get the daemon's pragmas: WAL, synchronous = FULL, foreign keys on). Each new
// database gets the account (bootstrap_account) and, for every row that says "Yes", a user who
// already signs in (a password hash set) on another agency's roster. What the account is told
// must not depend on that, so every row is invited like a new person (the other agency's users
// only make the users table larger, as on a shared server). Setting this up is not timed.
//
//   build/release/bench/bench_onboarding [runs] [rows] [--profile] [--dir DIR]
//                                        [--writer-cache-mib N]
//
// Prints median/min/max per phase, the time inside the mailer (template rendering + outbox
// insert) during the apply, and checks the counts. --profile adds one more sequence (a)-(d)
// after the timed runs, with SQLite's statement profiler on (sqlite3_trace_v2
// SQLITE_TRACE_PROFILE): per phase, the SQL statements by total time, and for the apply the
// template rendering timed on its own. It is not part of the timed figures.
// --writer-cache-mib N is an experiment: it gives the writer connection an N MiB page cache
// (rosterd leaves SQLite's 2 MiB default), to see what spilling the apply's transaction to the
// WAL and reading it back costs. --dir keeps the database in DIR (not deleted afterwards).

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <system_error>
#include <unistd.h>
#include <vector>

#include <sqlite3.h>

#include "bench/bench_fail.hpp"
#include "bench/bench_stats.hpp"
#include "notify/templates.hpp"
#include "roster/accounts.hpp"
#include "roster/onboarding_csv.hpp"
#include "roster/onboarding_plan.hpp"
#include "setup/outbox_mailer.hpp"
#include "store/store.hpp"
#include "store/transaction.hpp"
#include "tests/support/onboarding_csv_sample.hpp"

namespace {

namespace fs = std::filesystem;
using namespace rosterd;
using clock_type = std::chrono::steady_clock;

double ms_since(clock_type::time_point start) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - start).count();
}

using bench::die;
using bench::load_average;
using bench::must;
using bench::summarize;

/// Forwards to the real mailer and counts the time spent in it: rendering the template and
/// inserting the outbox row, inside the apply's transaction.
class timed_mailer final : public roster::mailer {
 public:
  explicit timed_mailer(roster::mailer& inner) : inner_(inner) {}
  base::result<void> enqueue(store::database& db, const roster::mail_intent& intent) override {
    const auto start = clock_type::now();
    auto r = inner_.enqueue(db, intent);
    enqueue_ms += ms_since(start);
    ++enqueued;
    return r;
  }
  base::result<void> cancel(store::database& db, std::string_view ref_kind,
                            std::string_view ref_id) override {
    return inner_.cancel(db, ref_kind, ref_id);
  }
  double enqueue_ms = 0;
  int enqueued = 0;

 private:
  roster::mailer& inner_;
};

struct instance {
  std::unique_ptr<store::store> db;
  std::string account_id;
};

std::int64_t count(store::store& db, const char* sql) {
  return db.read_now([&](store::database& d) -> std::int64_t {
    auto st = must(d.prepare(sql), "prepare count");
    if (!must(st.step(), "count")) {
      return 0;
    }
    return st.column_int64(0);
  });
}

/// A new database file with one empty account, plus a signed-in user for every address the
/// file says already has an account.
/// --writer-cache-mib: an experiment, not what rosterd does. 0 leaves SQLite's default page
/// cache (2 MiB per connection), as the store configures it.
int g_writer_cache_mib = 0;

instance fresh_instance(const fs::path& path, const roster::onboarding_file& file) {
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::error_code ec;
    fs::remove(path.string() + suffix, ec);
  }
  store::options opts;
  opts.path = path;
  opts.read_connections = 1;  // as rosterctl opens it
  instance out;
  out.db = must(store::store::open(opts, nullptr), "store::open");
  if (g_writer_cache_mib > 0) {
    must(out.db->write_now([](store::database& d) {
      return d.exec("PRAGMA cache_size = -" + std::to_string(g_writer_cache_mib * 1024));
    }),
         "cache_size");
  }
  const auto now = std::chrono::system_clock::now();
  const roster::roster_settings settings;
  out.account_id =
      must(out.db->write_now([&](store::database& d) {
        return roster::bootstrap_account(d, settings, "Bench Agency", "owner@agency.example.com",
                                         roster::actor::cli(), now);
      }),
           "bootstrap_account")
          .account_id;
  const auto other =
      must(out.db->write_now([&](store::database& d) {
        return roster::bootstrap_account(d, settings, "Other Agency", "owner@other.example.com",
                                         roster::actor::cli(), now);
      }),
           "bootstrap_account (other)")
          .account_id;
  out.db->write_now([&](store::database& d) {
    auto tx = must(store::transaction::begin(d), "begin");
    auto user = must(d.prepare("INSERT INTO users (id, email, display_name, password_hash, status, "
                               "created_at) VALUES (?, ?, ?, ?, 'active', ?)"),
                     "prepare user");
    auto member = must(d.prepare("INSERT INTO account_members (account_id, user_id, role, status, "
                                 "created_at, joined_at) VALUES (?1, ?2, 'creator', 'active', ?3, "
                                 "?3)"),
                       "prepare member");
    const auto at = roster::stamp(now);
    // Any PHC string will do: nothing checks it.
    const std::string phc = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNo";
    for (const auto& row : file.rows) {
      if (!row.has_account.value_or(false)) {
        continue;
      }
      const auto id = roster::new_id("usr");
      user.reset();
      user.bind_all(id, row.email, row.name, phc, at);
      must(user.run(), "insert user");
      member.reset();
      member.bind_all(other, id, at);
      must(member.run(), "insert member");
    }
    must(tx.commit(), "commit seed");
  });
  return out;
}

// --- --profile: SQLite's own per-statement timing -----------------------------------------

struct sql_cost {
  std::int64_t calls = 0;
  double ms = 0;
};
std::map<std::string, sql_cost>* g_profile = nullptr;

int on_trace(unsigned type, void*, void* p, void* x) {
  if (type == SQLITE_TRACE_PROFILE && g_profile != nullptr) {
    auto* stmt = static_cast<sqlite3_stmt*>(p);
    const auto ns = *static_cast<sqlite3_int64*>(x);
    const char* text = sqlite3_sql(stmt);
    auto& c = (*g_profile)[text != nullptr ? text : "?"];
    ++c.calls;
    c.ms += static_cast<double>(ns) / 1e6;
  }
  return 0;
}

void print_costs(const char* phase, double total_ms, const std::map<std::string, sql_cost>& costs,
                 int top) {
  std::vector<std::pair<std::string, sql_cost>> sorted(costs.begin(), costs.end());
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.second.ms > b.second.ms; });
  double sql_total = 0;
  std::int64_t calls = 0;
  for (const auto& [sql, c] : sorted) {
    sql_total += c.ms;
    calls += c.calls;
  }
  std::printf("\n%s: %.1f ms wall, %.1f ms inside SQLite statements (%lld executions)\n", phase,
              total_ms, sql_total, static_cast<long long>(calls));
  std::printf("%10s %8s %9s  %s\n", "ms", "calls", "us/call", "statement");
  int shown = 0;
  for (const auto& [sql, c] : sorted) {
    if (++shown > top) {
      break;
    }
    std::string one_line = sql;
    std::replace(one_line.begin(), one_line.end(), '\n', ' ');
    if (one_line.size() > 160) {
      one_line = one_line.substr(0, 157) + "...";
    }
    std::printf("%10.1f %8lld %9.1f  %s\n", c.ms, static_cast<long long>(c.calls),
                1000.0 * c.ms / static_cast<double>(c.calls), one_line.c_str());
  }
}

/// Runs f(d) with SQLite's profiler on d, collecting per-statement time into `costs`.
template <class F>
auto profiled(store::database& d, std::map<std::string, sql_cost>& costs, F&& f) {
  g_profile = &costs;
  sqlite3_trace_v2(d.native_handle(), SQLITE_TRACE_PROFILE, on_trace, nullptr);
  auto out = f(d);
  sqlite3_trace_v2(d.native_handle(), 0, nullptr, nullptr);
  g_profile = nullptr;
  return out;
}

/// Keeps a copy of every intent so their rendering can be timed on its own afterwards.
class recording_mailer final : public roster::mailer {
 public:
  explicit recording_mailer(roster::mailer& inner) : inner_(inner) {}
  base::result<void> enqueue(store::database& db, const roster::mail_intent& intent) override {
    const auto start = clock_type::now();
    auto r = inner_.enqueue(db, intent);
    enqueue_ms += ms_since(start);
    intents.push_back(intent);
    return r;
  }
  base::result<void> cancel(store::database& db, std::string_view ref_kind,
                            std::string_view ref_id) override {
    return inner_.cancel(db, ref_kind, ref_id);
  }
  double enqueue_ms = 0;
  std::vector<roster::mail_intent> intents;

 private:
  roster::mailer& inner_;
};

/// One extra sequence (a)-(d) on a fresh database with SQLite's statement profiler on (SQLite
/// reports each execution's wall time at millisecond resolution; summed over thousands of
/// executions the error averages out). Not part of the timed runs: the profiler costs time.
void run_profile(const fs::path& db_path, const roster::onboarding_file& file,
                 const std::string& text, const roster::onboarding_options& options,
                 const roster::roster_settings& settings, setup::outbox_mailer& real_mailer) {
  std::printf("\n--- profile: one more sequence with SQLite's statement profiler on ---\n");
  auto inst = fresh_instance(db_path, file);
  auto dry_run = [&](const char* phase) {
    std::map<std::string, sql_cost> costs;
    const auto start = clock_type::now();
    auto parsed = must(roster::parse_onboarding_csv(text, options), "parse");
    const double parse = ms_since(start);
    must(inst.db->read_now([&](store::database& d) {
      return profiled(d, costs, [&](store::database& db) {
        return roster::plan_onboarding(db, inst.account_id, parsed, options);
      });
    }),
         "plan_onboarding");
    const double total = ms_since(start);
    print_costs(phase, total, costs, 8);
    std::printf("(of the wall time, %.1f ms is parse_onboarding_csv)\n", parse);
  };
  auto apply = [&](const char* phase, int top) {
    std::map<std::string, sql_cost> costs;
    recording_mailer mail(real_mailer);
    const auto start = clock_type::now();
    auto parsed = must(roster::parse_onboarding_csv(text, options), "parse");
    must(inst.db->write_now([&](store::database& d) {
      return profiled(d, costs, [&](store::database& db) {
        return roster::apply_onboarding(db, mail, settings, inst.account_id, parsed, options,
                                        roster::actor::cli(), std::chrono::system_clock::now());
      });
    }),
         "apply_onboarding");
    const double total = ms_since(start);
    print_costs(phase, total, costs, top);
    if (!mail.intents.empty()) {
      // The same messages rendered again, outside the transaction: the template share.
      const auto render_start = clock_type::now();
      std::size_t bytes = 0;
      for (const auto& intent : mail.intents) {
        auto r = must(real_mailer.render(intent), "render");
        bytes += r.text_body.size() + r.html_body.value_or("").size();
      }
      const double render = ms_since(render_start);
      std::printf(
          "mailer: %zu messages, %.1f ms in enqueue; rendering them again alone takes "
          "%.1f ms (%.0f us each, %.1f MB of bodies), so about %.1f ms is the outbox "
          "INSERT and the rest\n",
          mail.intents.size(), mail.enqueue_ms, render,
          1000.0 * render / static_cast<double>(mail.intents.size()),
          static_cast<double>(bytes) / 1e6, mail.enqueue_ms - render);
    }
  };
  dry_run("(a) dry run, empty account");
  apply("(b) apply, fresh database", 25);
  apply("(c) re-apply", 8);
  dry_run("(d) dry run, populated account");
  inst.db->close();
}

}  // namespace

int main(int argc, char** argv) {
  bench::program = "bench_onboarding";
  int runs = 5;
  int rows = 10'000;
  bool profile = false;
  fs::path dir;
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--profile") {
      profile = true;
    } else if (a == "--dir" && i + 1 < argc) {
      dir = argv[++i];
    } else if (a == "--writer-cache-mib" && i + 1 < argc) {
      g_writer_cache_mib = std::atoi(argv[++i]);
    } else if (a == "-h" || a == "--help") {
      std::printf(
          "usage: bench_onboarding [runs] [rows] [--profile] [--dir DIR] [--writer-cache-mib N]\n");
      return 0;
    } else {
      positional.push_back(a);
    }
  }
  if (!positional.empty()) {
    runs = std::atoi(positional[0].c_str());
  }
  if (positional.size() > 1) {
    rows = std::atoi(positional[1].c_str());
  }
  if (runs < 0 || rows < 1) {
    std::fprintf(stderr,
                 "usage: bench_onboarding [runs >= 0] [rows >= 1] [--profile] [--dir DIR]\n");
    return 2;
  }
  bool remove_dir = false;
  if (dir.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp != nullptr && *tmp != 0 ? tmp : "/tmp") +
                          "/rosterd-onboarding-bench.XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) {
      die("mkdtemp failed");
    }
    dir = pattern;
    remove_dir = true;
  }
  const fs::path db_path = dir / "rosterd.db";

  const auto text = testing::onboarding_csv_sample(rows);
  const roster::onboarding_options options;
  const roster::roster_settings settings;
  const auto templates = must(notify::template_set::load(), "templates");
  setup::outbox_mailer real_mailer(templates, settings.public_url);

  // The file once, to seed the "has an account" users and to know what to expect.
  const auto reference = must(roster::parse_onboarding_csv(text, options), "parse");
  if (!reference.issues.empty()) {
    die("the generated file has issues");
  }
  std::int64_t team_rows = 0;
  std::map<std::string, bool> agents;
  int existing = 0;
  for (const auto& r : reference.rows) {
    team_rows += static_cast<std::int64_t>(r.team_emails.size());
    for (const auto& t : r.team_emails) {
      agents[t] = true;
    }
    existing += r.has_account.value_or(false) ? 1 : 0;
  }
  const auto expect_mail = static_cast<std::int64_t>(reference.rows.size() + agents.size());

  std::printf(
      "rows=%zu bytes=%zu runs=%d team_rows=%lld agents=%zu creators_with_account=%d "
      "db=%s\n",
      reference.rows.size(), text.size(), runs, static_cast<long long>(team_rows), agents.size(),
      existing, db_path.c_str());
  std::fflush(stdout);

  std::vector<double> setup_ms, parse_ms, dry_ms, dry_plan_ms, apply_ms, apply_call_ms, mail_ms,
      reapply_ms, dry2_ms, dry2_plan_ms, db_bytes;
  for (int r = 0; r < runs; ++r) {
    auto start = clock_type::now();
    auto inst = fresh_instance(db_path, reference);
    setup_ms.push_back(ms_since(start));

    // (a) dry run on an empty account
    start = clock_type::now();
    auto file = must(roster::parse_onboarding_csv(text, options), "parse");
    parse_ms.push_back(ms_since(start));
    auto plan_start = clock_type::now();
    auto plan = must(inst.db->read_now([&](store::database& d) {
      return roster::plan_onboarding(d, inst.account_id, file, options);
    }),
                     "plan_onboarding");
    dry_plan_ms.push_back(ms_since(plan_start));
    dry_ms.push_back(ms_since(start));
    if (plan.count(roster::creator_action::add) != plan.rows() || plan.rows_with_errors() != 0 ||
        plan.team_additions() != team_rows ||
        // Everyone is new to this account, whatever other agencies they belong to: all are
        // invited, nobody gets a notice.
        static_cast<int>(plan.invitations.size()) !=
            plan.rows() + static_cast<int>(agents.size()) ||
        !plan.notices.empty()) {
      die("dry run on the empty account: unexpected plan");
    }

    // (b) apply on the fresh database
    timed_mailer mail(real_mailer);
    start = clock_type::now();
    auto file2 = must(roster::parse_onboarding_csv(text, options), "parse");
    auto apply_start = clock_type::now();
    auto applied = must(inst.db->write_now([&](store::database& d) {
      return roster::apply_onboarding(d, mail, settings, inst.account_id, file2, options,
                                      roster::actor::cli(), std::chrono::system_clock::now());
    }),
                        "apply_onboarding");
    apply_call_ms.push_back(ms_since(apply_start));
    apply_ms.push_back(ms_since(start));
    mail_ms.push_back(mail.enqueue_ms);
    const auto outbox = count(*inst.db, "SELECT COUNT(*) FROM outbox");
    const auto members = count(*inst.db, "SELECT COUNT(*) FROM group_members");
    const auto creators = count(*inst.db, "SELECT COUNT(*) FROM creators");
    if (!applied.applied || outbox != expect_mail || mail.enqueued != expect_mail ||
        members != team_rows || creators != static_cast<std::int64_t>(reference.rows.size())) {
      die("apply: unexpected result (outbox " + std::to_string(outbox) + ", group_members " +
          std::to_string(members) + ", creators " + std::to_string(creators) + ")");
    }

    // (c) re-apply: nothing changes, nothing is sent
    timed_mailer mail2(real_mailer);
    start = clock_type::now();
    auto file3 = must(roster::parse_onboarding_csv(text, options), "parse");
    auto again = must(inst.db->write_now([&](store::database& d) {
      return roster::apply_onboarding(d, mail2, settings, inst.account_id, file3, options,
                                      roster::actor::cli(), std::chrono::system_clock::now());
    }),
                      "re-apply");
    reapply_ms.push_back(ms_since(start));
    if (!again.no_changes() || mail2.enqueued != 0 ||
        count(*inst.db, "SELECT COUNT(*) FROM outbox") != expect_mail) {
      die("re-apply changed something");
    }

    // (d) dry run against the populated account
    start = clock_type::now();
    auto file4 = must(roster::parse_onboarding_csv(text, options), "parse");
    plan_start = clock_type::now();
    auto plan2 = must(inst.db->read_now([&](store::database& d) {
      return roster::plan_onboarding(d, inst.account_id, file4, options);
    }),
                      "plan_onboarding (populated)");
    dry2_plan_ms.push_back(ms_since(plan_start));
    dry2_ms.push_back(ms_since(start));
    if (plan2.count(roster::creator_action::unchanged) != plan2.rows() || !plan2.no_changes()) {
      die("dry run on the populated account: unexpected plan");
    }
    inst.db->close();
    std::error_code ec;
    db_bytes.push_back(static_cast<double>(fs::file_size(db_path, ec)));

    std::printf(
        "run %d: setup %.0f ms | (a) dry run %.1f ms (parse %.1f, plan %.1f) | (b) apply "
        "%.1f ms (apply_onboarding %.1f, in mailer %.1f) | (c) re-apply %.1f ms | (d) dry "
        "run populated %.1f ms (plan %.1f)\n",
        r + 1, setup_ms.back(), dry_ms.back(), parse_ms.back(), dry_plan_ms.back(), apply_ms.back(),
        apply_call_ms.back(), mail_ms.back(), reapply_ms.back(), dry2_ms.back(),
        dry2_plan_ms.back());
    std::fflush(stdout);
  }

  auto line = [](const char* what, const std::vector<double>& v) {
    const auto s = summarize(v);
    std::printf("%-46s median_ms=%9.1f min_ms=%9.1f max_ms=%9.1f\n", what, s.median, s.min, s.max);
  };
  if (runs > 0) {
    std::printf("\nsummary over %d runs (%zu rows, outbox rows per apply: %lld, team rows: %lld)\n",
                runs, reference.rows.size(), static_cast<long long>(expect_mail),
                static_cast<long long>(team_rows));
    line("(a) dry run, empty account (parse + plan)", dry_ms);
    line("    parse_onboarding_csv", parse_ms);
    line("    plan_onboarding", dry_plan_ms);
    line("(b) apply, fresh database (parse + apply)", apply_ms);
    line("    apply_onboarding (incl. commit)", apply_call_ms);
    line("    of which in the mailer (render + outbox)", mail_ms);
    line("(c) re-apply, nothing changes (parse + apply)", reapply_ms);
    line("(d) dry run, populated account (parse + plan)", dry2_ms);
    line("    plan_onboarding", dry2_plan_ms);
    std::printf("database file after a run: %.1f MB; load average now: %s\n",
                summarize(db_bytes).median / 1e6, load_average().c_str());
  }

  if (profile) {
    run_profile(db_path, reference, text, options, settings, real_mailer);
  }

  if (remove_dir) {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  return 0;
}
