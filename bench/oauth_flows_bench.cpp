// OAuth hot paths against the provider test server (tests/fakes/provider_server.py over TLS with
// a throwaway CA), with a real SQLite file and the daemon's own code (lifecycle/):
//
//   (a) connect flows: a reconnect link's "Connect" (start_connect: attempt row, state),
//       the platform's authorize redirect, and the callback (complete_callback: state claimed,
//       code exchanged, identity fetched, tokens sealed and stored). `concurrency` flows run
//       at once; flows/s and our process's CPU per flow (getrusage: the fake runs in its own
//       process and is not counted; the authorize GET, a browser's work in real life, is).
//       Each flow is a different creator with a link of their own: a platform on a link is
//       done once connected, so one creator cannot connect twice through links made before.
//   (b) refreshes on one core: this process pinned to one CPU (sched_setaffinity; the fake is
//       left on the others), `concurrency` connections refreshed over and over through the
//       refresher (single flight, marker committed before the request, rotated refresh token
//       stored in the outcome's transaction). Refreshes/min, and CPU per refresh, from which
//       the capacity of one fully used core follows.
//
// TikTok is the provider (form client auth, rotating refresh tokens): the most work per flow
// among the four platforms.
//
//   build/release/bench/bench_oauth_flows [runs] [flows] [concurrency] [refreshes]
//                                         (5, 400, 8, 1000)

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <sched.h>
#include <string>
#include <sys/resource.h>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <nlohmann/json.hpp>

#include "bench/bench_fail.hpp"
#include "bench/bench_stats.hpp"
#include "lifecycle/connect_flow.hpp"
#include "lifecycle/reconnect_links.hpp"
#include "lifecycle/refresh.hpp"
#include "roster/access.hpp"
#include "roster/accounts.hpp"
#include "roster/onboarding_csv.hpp"
#include "roster/onboarding_plan.hpp"
#include "store/sql.hpp"
#include "store/store.hpp"
#include "store/transaction.hpp"
#include "tests/fakes/fake_provider.hpp"
#include "tests/support/process.hpp"
#include "tests/support/test_pki.hpp"

namespace {

namespace asio = boost::asio;
using namespace rosterd;
using bench::die;
using bench::load_average;
using bench::must;
using bench::summarize;
using clock_type = std::chrono::steady_clock;

double cpu_seconds() {
  rusage r{};
  getrusage(RUSAGE_SELF, &r);
  return static_cast<double>(r.ru_utime.tv_sec + r.ru_stime.tv_sec) +
         static_cast<double>(r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
}

/// Onboarding needs somewhere to put its invitations; the benchmark drops them.
class null_mailer final : public roster::mailer {
 public:
  base::result<void> enqueue(store::database&, const roster::mail_intent&) override { return {}; }
  base::result<void> cancel(store::database&, std::string_view, std::string_view) override {
    return {};
  }
};

struct world {
  testing::temp_directory dir;
  testing::test_pki pki;
  testing::fake_provider fake{pki};
  std::unique_ptr<store::store> db;
  lifecycle::provider_registry providers;
  std::unique_ptr<oauth::https_client> http;
  std::shared_ptr<vault::key_holder> keys;
  roster::caller owner;
  std::vector<std::string> creators;

  explicit world(int creator_count) {
    store::options opts;
    opts.path = dir.path() / "bench.db";
    opts.read_connections = 2;
    db = must(store::store::open(opts, nullptr), "store::open");
    const auto now = std::chrono::system_clock::now();
    const roster::roster_settings settings;
    auto made = must(db->write_now([&](store::database& d) {
      return roster::bootstrap_account(d, settings, "Bench Agency", "owner@agency.example.com",
                                       roster::actor::cli(), now);
    }),
                     "bootstrap_account");
    std::string csv =
        "Creator Name,Creator Email,Does this creator have an account?,"
        "Emails of agency team members who require access\n";
    for (int i = 0; i < creator_count; ++i) {
      csv += "Creator " + std::to_string(i) + ",creator" + std::to_string(i) +
             "@example.com,No,agent@agency.example.com\n";
    }
    const roster::onboarding_options options;
    auto file = must(roster::parse_onboarding_csv(csv, options), "parse csv");
    null_mailer mail;
    must(db->write_now([&](store::database& d) {
      return roster::apply_onboarding(d, mail, settings, made.account_id, file, options,
                                      roster::actor::cli(), now);
    }),
         "apply_onboarding");
    owner = must(db->read_now([&](store::database& d) {
      return roster::caller_for_user(d, made.owner_user_id, made.account_id);
    }),
                 "owner caller");
    must(db->read_now([&](store::database& d) {
      return store::sql::each(
          d, "SELECT id FROM creators WHERE account_id = ? ORDER BY id",
          [&](store::statement& s) { creators.push_back(s.column_text(0)); }, made.account_id);
    }),
         "creators");

    auto profile = *oauth::find_builtin_profile("tiktok");
    oauth::provider_settings s;
    s.client_id = "test-tiktok";
    s.client_secret = base::secret("secret-tiktok");
    s.redirect_uri = "https://rosterd.example/oauth/tiktok/callback";
    s.authorize_url = fake.url(profile.authorize_url);
    s.token_url = fake.url(profile.token_url);
    s.identity_url = fake.url(profile.identity_url);
    s.revoke_url = fake.url(*profile.revoke_url);
    providers.add(must(oauth::resolve(profile, std::move(s)), "resolve"));
    oauth::https_settings hs;
    hs.ca_file = pki.ca_certificate();
    http = std::make_unique<oauth::https_client>(must(oauth::https_client::create(hs), "https"));
    keys = std::make_shared<vault::key_holder>(std::make_shared<const vault::keyring>(
        must(vault::keyring::parse(std::string(vault::generate_key_file_line(1).reveal()) + "\n",
                                   "bench"),
             "keyring")));
  }

  /// A usable link token for `creator` (not timed).
  std::string link(const std::string& creator) {
    const auto enabled = providers.ids();
    auto made = must(db->write_now([&](store::database& d) {
      return lifecycle::create_link(d, owner, creator, {"tiktok"}, enabled, {},
                                    std::chrono::system_clock::now());
    }),
                     "create_link");
    const std::string url(made.url.reveal());
    return url.substr(url.rfind('/') + 1);
  }
};

/// One creator's whole connect: start, authorize, callback. Returns the connection id.
asio::awaitable<std::string> one_flow(world& w, std::string link_token) {
  lifecycle::connect_start start;
  start.provider = "tiktok";
  start.browser_secret = "bench-browser-secret-0123456789abcdef";
  start.link_token = std::move(link_token);
  const auto keys = w.keys->current();
  auto begin = [&](store::database& d) {
    auto tx = must(store::transaction::begin(d), "begin");
    auto r =
        lifecycle::start_connect(d, *keys, w.providers, start, std::chrono::system_clock::now());
    must(tx.commit(), "commit");
    return r;
  };
  auto started = must(co_await w.db->write(begin), "start_connect");
  oauth::http_request authorize;
  authorize.method = oauth::http_method::get;
  authorize.url = std::string(started.authorize_url.reveal());
  const auto answer = must(co_await w.http->send(authorize), "authorize");
  auto location = answer.header("location").value_or("");
  lifecycle::callback_input input;
  input.provider = "tiktok";
  input.query = location.substr(location.find('?') + 1);
  input.browser_secret = start.browser_secret;
  auto done = must(
      co_await lifecycle::complete_callback(*w.db, *keys, w.providers, *w.http, std::move(input),
                                            std::chrono::system_clock::now()),
      "callback");
  if (done.outcome != lifecycle::callback_outcome::connected) {
    die("a connect flow did not connect");
  }
  co_return done.connection->record.id;
}

/// `concurrency` workers, each running its share of `tokens` one after another.
asio::awaitable<void> worker(world& w, std::vector<std::string>& tokens, std::atomic<int>& next,
                             std::vector<std::string>& ids) {
  for (int i = next++; i < static_cast<int>(tokens.size()); i = next++) {
    ids[static_cast<std::size_t>(i)] = co_await one_flow(w, tokens[static_cast<std::size_t>(i)]);
  }
}

asio::awaitable<void> refresh_worker(lifecycle::refresher& r, const std::string& id, int times,
                                     std::atomic<int>& refreshed) {
  for (int i = 0; i < times; ++i) {
    auto report = must(co_await r.refresh(id, lifecycle::refresh_reason::scheduled), "refresh");
    if (report.outcome != lifecycle::refresh_outcome::refreshed) {
      die(("refresh answered " + std::string(lifecycle::to_string(report.outcome)) + ": " +
           report.detail)
              .c_str());
    }
    ++refreshed;
  }
}

void pin_to_one_cpu() {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(0, &set);
  if (sched_setaffinity(0, sizeof set, &set) != 0) {
    die("sched_setaffinity failed");
  }
}

}  // namespace

int main(int argc, char** argv) {
  bench::program = "bench_oauth_flows";
  const int runs = argc > 1 ? std::atoi(argv[1]) : 5;
  const int flows = argc > 2 ? std::atoi(argv[2]) : 400;
  const int concurrency = argc > 3 ? std::atoi(argv[3]) : 8;
  const int refreshes = argc > 4 ? std::atoi(argv[4]) : 1000;
  if (runs < 1 || flows < 1 || concurrency < 1 || refreshes < concurrency) {
    die("usage: bench_oauth_flows [runs] [flows] [concurrency] [refreshes >= concurrency]");
  }
  world w(std::max(concurrency, flows));
  std::printf(
      "oauth flows: %d runs, %d connect flows at concurrency %d, %d refreshes (%d at "
      "once, one core); load average %s\n",
      runs, flows, concurrency, refreshes, concurrency, load_average().c_str());

  std::vector<double> flow_rate, flow_cpu_ms;
  std::vector<std::string> connection_ids;
  for (int run = 0; run < runs; ++run) {
    std::vector<std::string> tokens;
    for (int i = 0; i < flows; ++i) {
      tokens.push_back(w.link(w.creators[static_cast<std::size_t>(i)]));
    }
    std::vector<std::string> ids(tokens.size());
    std::atomic<int> next{0};
    asio::io_context io(2);
    std::vector<std::future<void>> done;
    const auto cpu0 = cpu_seconds();
    const auto t0 = clock_type::now();
    for (int c = 0; c < concurrency; ++c) {
      done.push_back(asio::co_spawn(io, worker(w, tokens, next, ids), asio::use_future));
    }
    std::thread second([&io] { io.run(); });
    io.run();
    second.join();
    for (auto& f : done) {
      f.get();
    }
    const double secs = std::chrono::duration<double>(clock_type::now() - t0).count();
    const double cpu = cpu_seconds() - cpu0;
    flow_rate.push_back(flows / secs);
    flow_cpu_ms.push_back(cpu * 1000.0 / flows);
    std::printf("  run %d: connect %.1f flows/s, %.2f ms CPU per flow\n", run + 1, flows / secs,
                cpu * 1000.0 / flows);
    connection_ids.assign(ids.end() - concurrency, ids.end());  // one per creator
  }

  pin_to_one_cpu();
  lifecycle::refresher refresher(*w.db, w.keys, w.providers, *w.http);
  std::vector<double> refresh_rate, refresh_cpu_ms;
  for (int run = 0; run < runs; ++run) {
    asio::io_context io(1);
    std::atomic<int> refreshed{0};
    std::vector<std::future<void>> done;
    const int each = refreshes / concurrency;
    const auto cpu0 = cpu_seconds();
    const auto t0 = clock_type::now();
    for (const auto& id : connection_ids) {
      done.push_back(
          asio::co_spawn(io, refresh_worker(refresher, id, each, refreshed), asio::use_future));
    }
    io.run();
    for (auto& f : done) {
      f.get();
    }
    const double secs = std::chrono::duration<double>(clock_type::now() - t0).count();
    const double cpu = cpu_seconds() - cpu0;
    const int n = refreshed.load();
    refresh_rate.push_back(n * 60.0 / secs);
    refresh_cpu_ms.push_back(cpu * 1000.0 / n);
    std::printf("  run %d: %d refreshes, %.0f refreshes/min, %.2f ms CPU per refresh\n", run + 1, n,
                n * 60.0 / secs, cpu * 1000.0 / n);
  }
  const auto g = nlohmann::json::parse(w.fake.control("GET", "/grants?provider=tiktok"));
  int revoked = 0;
  for (const auto& grant : g["grants"]) {
    revoked += grant["revoked"].get<bool>() ? 1 : 0;
  }

  const auto fr = summarize(flow_rate);
  const auto fc = summarize(flow_cpu_ms);
  const auto rr = summarize(refresh_rate);
  const auto rc = summarize(refresh_cpu_ms);
  std::printf("connect flows/s      median %.1f (min %.1f, max %.1f)\n", fr.median, fr.min, fr.max);
  std::printf("CPU per connect flow median %.2f ms (min %.2f, max %.2f)\n", fc.median, fc.min,
              fc.max);
  std::printf("refreshes/min        median %.0f (min %.0f, max %.0f) on one core, wall clock\n",
              rr.median, rr.min, rr.max);
  std::printf(
      "CPU per refresh      median %.2f ms (min %.2f, max %.2f) -> %.0f refreshes/min "
      "if the core did nothing else\n",
      rc.median, rc.min, rc.max, 60000.0 / rc.median);
  std::printf("grants revoked by the provider: %d (rotation replays would revoke)\n", revoked);
  return revoked == 0 ? 0 : 1;
}
