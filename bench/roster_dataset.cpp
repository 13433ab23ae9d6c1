// Makes the database for bench/roster_load.sh: one account with its owner, 100,000 creators
// (each a user, a member with role creator, a creator row and its access group) and 1,000
// agents, each on the teams of 50 creators spread over the whole alphabetical list, so an agent
// sees exactly 50 creators and the owner sees all 100,000.
//
// The database is opened with store::store::open, so it has the real schema (migrations) and
// the daemon's pragmas; the account comes from roster::bootstrap_account and the tokens from
// roster::create_api_token, as through the API. The bulk rows are inserted with prepared
// statements in one transaction, with ids and timestamps in the formats the roster uses
// (roster::new_id, roster::stamp): 100,000 onboarding applies would take far longer and test
// something else (bench_onboarding does that).
//
//   build/release/bench/bench_roster_dataset DB_PATH [--creators N] [--agents N] [--per-agent N]
//                                            [--connections N]
//
// --connections N (0..5, default 0) gives every creator N connections (tiktok, instagram,
// facebook, pinterest, acme in that order) in a spread of states and deadlines, no tokens: the
// roster-wide status benchmark (bench/status_load.sh) reads them, nothing decrypts them.
//
// DB_PATH must not exist. Prints to stdout, one per line:
//   account=<acc_...>
//   agent_email=<...>      agent_token=<rdpat_...>   (the agent's personal token)
//   owner_email=<...>      owner_token=<rdpat_...>   (the owner's personal token)
//   agent_sees=<50>        creators=<100000>
// Progress and timing go to stderr.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "bench/bench_fail.hpp"
#include "roster/access.hpp"
#include "roster/accounts.hpp"
#include "roster/clock.hpp"
#include "store/store.hpp"
#include "store/transaction.hpp"

namespace {

namespace fs = std::filesystem;
using namespace rosterd;

using bench::die;
using bench::must;

int int_arg(const char* text, const char* name) {
  char* end = nullptr;
  const long v = std::strtol(text, &end, 10);
  if (end == text || *end != 0 || v < 1 || v > 10'000'000) {
    die(std::string(name) + ": expected a positive integer, got '" + text + "'");
  }
  return static_cast<int>(v);
}

std::string padded(int i, int width) {
  std::string s = std::to_string(i);
  return std::string(s.size() < static_cast<std::size_t>(width) ? width - s.size() : 0, '0') + s;
}

}  // namespace

int main(int argc, char** argv) {
  bench::program = "bench_roster_dataset";
  int creators = 100'000;
  int agents = 1'000;
  int per_agent = 50;
  int connections = 0;
  fs::path path;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--creators" && i + 1 < argc) {
      creators = int_arg(argv[++i], "--creators");
    } else if (a == "--agents" && i + 1 < argc) {
      agents = int_arg(argv[++i], "--agents");
    } else if (a == "--per-agent" && i + 1 < argc) {
      per_agent = int_arg(argv[++i], "--per-agent");
    } else if (a == "--connections" && i + 1 < argc) {
      connections =
          std::string_view(argv[i + 1]) == "0" ? (++i, 0) : int_arg(argv[++i], "--connections");
      if (connections > 5) {
        die("--connections: at most 5 (one per provider)");
      }
    } else if (!a.empty() && a[0] != '-' && path.empty()) {
      path = a;
    } else {
      std::fprintf(stderr,
                   "usage: bench_roster_dataset DB_PATH [--creators N] [--agents N] "
                   "[--per-agent N] [--connections N]\n");
      return 2;
    }
  }
  if (path.empty()) {
    die("give the database path (it must not exist yet)");
  }
  if (fs::exists(path)) {
    die(path.string() + " already exists");
  }
  // Agent j is on the teams of creators j*stride_in + k*stride, k = 0..per_agent-1: each agent's
  // creators are spread over the whole alphabetical list, and no creator has two agents.
  const long long assignments = static_cast<long long>(agents) * per_agent;
  if (assignments > creators) {
    die("agents * per-agent must not exceed creators");
  }
  const int stride = creators / per_agent;  // distance between one agent's creators
  const int slot = stride / agents;         // >= 1 because agents * per_agent <= creators

  const auto started = std::chrono::steady_clock::now();
  store::options opts;
  opts.path = path;
  opts.read_connections = 1;
  auto db = must(store::store::open(opts, nullptr), "store::open");
  const auto now = std::chrono::system_clock::now();
  const auto at = roster::stamp(now);
  const roster::roster_settings settings;
  const auto made = must(db->write_now([&](store::database& d) {
    return roster::bootstrap_account(d, settings, "Load Test Agency", "owner@agency.example.com",
                                     roster::actor::cli(), now);
  }),
                         "bootstrap_account");
  const std::string account = made.account_id;

  std::vector<std::string> group_ids(static_cast<std::size_t>(creators));
  std::vector<std::string> agent_ids(static_cast<std::size_t>(agents));
  db->write_now([&](store::database& d) {
    auto tx = must(store::transaction::begin(d), "begin");
    auto user = must(d.prepare("INSERT INTO users (id, email, display_name, status, created_at) "
                               "VALUES (?, ?, ?, 'active', ?)"),
                     "prepare users");
    // Joined, as if everyone had accepted their invitation: the benchmark signs in as them.
    auto member = must(d.prepare("INSERT INTO account_members (account_id, user_id, role, status, "
                                 "created_at, joined_at) VALUES (?1, ?2, ?3, 'active', ?4, ?4)"),
                       "prepare account_members");
    auto creator = must(d.prepare("INSERT INTO creators (id, account_id, user_id, display_name, "
                                  "existing_account, status, created_at) "
                                  "VALUES (?, ?, ?, ?, 0, 'active', ?)"),
                        "prepare creators");
    auto group = must(d.prepare("INSERT INTO access_groups (id, account_id, creator_id, name, "
                                "created_at) VALUES (?, ?, ?, ?, ?)"),
                      "prepare access_groups");
    auto team = must(d.prepare("INSERT INTO group_members (group_id, user_id, role, added_at) "
                               "VALUES (?, ?, 'agent', ?)"),
                     "prepare group_members");
    auto connection = must(
        d.prepare("INSERT INTO connections (id, account_id, creator_id, provider, status, "
                  "status_changed_at, external_id, username, connected_at, reauth_due_at, "
                  "status_reason, deadline_cause) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?6, ?9, "
                  "?10, 'reauth_horizon')"),
        "prepare connections");
    static constexpr const char* providers[] = {"tiktok", "instagram", "facebook", "pinterest",
                                                "acme"};
    auto insert = [](store::statement& st, const char* what, const auto&... args) {
      st.reset();
      st.bind_all(args...);
      must(st.run(), what);
    };
    for (int i = 0; i < creators; ++i) {
      const auto n = padded(i, 6);
      const auto user_id = roster::new_id("usr");
      const auto creator_id = roster::new_id("cre");
      auto& group_id = group_ids[static_cast<std::size_t>(i)];
      group_id = roster::new_id("grp");
      const std::string name = "Creator " + n;
      insert(user, "insert user", user_id, "creator" + n + "@example.com", name, at);
      insert(member, "insert member", account, user_id, "creator", at);
      insert(creator, "insert creator", creator_id, account, user_id, name, at);
      insert(group, "insert group", group_id, account, creator_id, name, at);
      for (int p = 0; p < connections; ++p) {
        // Mostly connected with deadlines spread over the next 60 days; every 7th expiring,
        // every 23rd expired, every 31st revoked, every 47th in error.
        const int k = i * connections + p;
        const char* state = k % 47 == 0   ? "error"
                            : k % 31 == 0 ? "revoked"
                            : k % 23 == 0 ? "expired"
                            : k % 7 == 0  ? "expiring"
                                          : "connected";
        const auto due = roster::stamp(now + std::chrono::hours(k % 23 == 0 ? -24 : k % 1440));
        const char* reason = k % 47 == 0   ? "renewal_failing"
                             : k % 31 == 0 ? "app_removed"
                             : k % 23 == 0 ? "login_expired"
                             : k % 7 == 0  ? "renewal_due"
                                           : "none";
        insert(connection, "insert connection", roster::new_id("con"), account, creator_id,
               std::string(providers[p]), std::string(state), at, "ext-" + n + "-" + providers[p],
               "user" + n, due, std::string(reason));
      }
    }
    for (int j = 0; j < agents; ++j) {
      auto& id = agent_ids[static_cast<std::size_t>(j)];
      id = roster::new_id("usr");
      insert(user, "insert agent", id, "agent" + padded(j, 4) + "@agency.example.com",
             "Agent " + padded(j, 4), at);
      insert(member, "insert agent member", account, id, "agent", at);
      for (int k = 0; k < per_agent; ++k) {
        const int i = k * stride + j * slot;
        insert(team, "insert team member", group_ids[static_cast<std::size_t>(i)], id, at);
      }
    }
    must(tx.commit(), "commit");
  });

  struct issued {
    std::string email;
    std::string token;
  };
  auto token_for = [&](const std::string& user_id) {
    return db->write_now([&](store::database& d) {
      auto tx = must(store::transaction::begin(d), "begin");
      auto who = must(roster::caller_for_user(d, user_id, account), "caller_for_user");
      auto made_token =
          must(roster::create_api_token(d, who, "personal", "load benchmark", std::nullopt, now),
               "create_api_token");
      must(tx.commit(), "commit token");
      return issued{who.label, std::string(made_token.token.reveal())};
    });
  };
  const auto agent = token_for(agent_ids.front());
  const auto owner = token_for(made.owner_user_id);
  db->close();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::error_code ec;
  std::fprintf(
      stderr, "bench_roster_dataset: %d creators, %d agents x %d creators, %.1f s, %.1f MB\n",
      creators, agents, per_agent, seconds, static_cast<double>(fs::file_size(path, ec)) / 1e6);
  std::printf("account=%s\n", account.c_str());
  std::printf("agent_email=%s\n", agent.email.c_str());
  std::printf("agent_token=%s\n", agent.token.c_str());
  std::printf("owner_email=%s\n", owner.email.c_str());
  std::printf("owner_token=%s\n", owner.token.c_str());
  std::printf("agent_sees=%d\n", per_agent);
  std::printf("creators=%d\n", creators);
  std::printf("connections_per_creator=%d\n", connections);
  return 0;
}
