#pragma once
// The lifecycle as the daemon runs it: the durable job scheduler with the connection-check and
// digest handlers, over a real SQLite file, rendering the real templates into the real outbox,
// on a clock the test moves. settle() lets the scheduler run everything due at the current
// simulated moment; restart() drops the scheduler and makes a new one, as a daemon restart
// does (only the database carries over).

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "lifecycle/connections.hpp"
#include "lifecycle/deadlines.hpp"
#include "lifecycle/job_scheduler.hpp"
#include "lifecycle/jobs.hpp"
#include "lifecycle/lifecycle_jobs.hpp"
#include "lifecycle_fixture.hpp"
#include "notify/templates.hpp"
#include "setup/outbox_mailer.hpp"
#include "store/sql.hpp"

namespace rosterd::testing {

struct outbox_row {
  std::string recipient;
  std::string key;
  std::string subject;
  std::string text;
  std::string ref_id;

  /// The stage an idempotency key names: creator_reminder:<conn>:<deadline>:<stage>,
  /// team_alert:<conn>:<deadline>:<stage>:<user>.
  [[nodiscard]] std::string stage() const {
    auto k = key;
    if (k.rfind("team_alert:", 0) == 0) {
      k = k.substr(0, k.rfind(':'));
    }
    return k.substr(k.rfind(':') + 1);
  }
};

struct lifecycle_engine_fixture : lifecycle_fixture {
  lifecycle_engine_fixture() {
    clock = std::chrono::floor<std::chrono::seconds>(now);
    for (const char* id : {"facebook", "instagram_facebook", "instagram", "tiktok", "pinterest"}) {
      oauth::provider_settings s;
      s.client_id = std::string("test-") + id;
      s.client_secret = base::secret(std::string("secret-") + id);
      s.redirect_uri = std::string("https://roster.test/oauth/") + id + "/callback";
      providers.add(oauth::resolve(oauth::find_builtin_profile(id).value(), std::move(s)).value());
    }
    oauth::generic_profile_config acme;
    acme.id = "acme";
    acme.display_name = "Acme Social";
    acme.authorize_url = "https://acme.test/oauth/authorize";
    acme.token_url = "https://acme.test/oauth/token";
    acme.identity_url = "https://acme.test/api/me";
    acme.identity.id = "id";
    acme.scopes = {"read"};
    oauth::provider_settings acme_settings;
    acme_settings.client_id = "test-acme";
    acme_settings.client_secret = base::secret("secret-acme");
    acme_settings.redirect_uri = "https://roster.test/oauth/acme/callback";
    acme_settings.reauth_after = std::chrono::hours(24 * 45);  // the agency's own horizon
    providers.add(
        oauth::resolve(oauth::make_generic_profile(acme).value(), std::move(acme_settings))
            .value());
    amy_id = amy().user_id;
    bo_id = bo().user_id;
    owner();
    start_scheduler();
  }
  ~lifecycle_engine_fixture() {
    stop_scheduler();
    db->close();
  }

  void start_scheduler() {
    lifecycle::job_scheduler_settings s;
    s.poll_interval = std::chrono::milliseconds(20);
    jobs = std::make_unique<lifecycle::job_scheduler>(io.get_executor(), *db, "test-runner", s,
                                                      nullptr, [this] { return clock.load(); });
    lifecycle::add_lifecycle_jobs(*jobs, *db, {providers, stages, mailer, links, {}, {}, {}, {}},
                                  [this] { return clock.load(); });
    jobs->start();
  }
  void stop_scheduler() {
    if (!jobs) {
      return;
    }
    bool stopped = false;
    boost::asio::co_spawn(
        io,
        [this, &stopped]() -> boost::asio::awaitable<void> {
          co_await jobs->stop();
          stopped = true;
        },
        boost::asio::detached);
    for (int i = 0; i < 5000 && !stopped; ++i) {
      io.run_for(std::chrono::milliseconds(2));
      if (io.stopped()) {
        io.restart();
      }
    }
    REQUIRE(stopped);
    jobs.reset();
  }
  /// As a daemon restart: nothing but the database carries over.
  void restart() {
    stop_scheduler();
    start_scheduler();
  }

  /// Runs the scheduler until nothing is due at the simulated now and nothing runs.
  void settle() {
    jobs->nudge();
    int idle = 0;
    for (int i = 0; i < 50000 && idle < 3; ++i) {
      io.run_for(std::chrono::milliseconds(1));
      if (io.stopped()) {
        io.restart();
      }
      const bool busy = jobs->started_total() != jobs->finished_total();
      const auto next =
          db->read_now([](store::database& d) { return lifecycle::next_job_due(d); }).value();
      const bool due = next && *next <= clock.load();
      idle = (!busy && !due) ? idle + 1 : 0;
      if (due && !busy) {
        jobs->nudge();
      }
    }
    REQUIRE(idle >= 3);
  }
  void advance_to(roster::time_point t) {
    clock = t;
    settle();
  }
  /// Moves the clock to `until` in steps of `step`, letting the jobs run at each.
  void walk(roster::time_point until, std::chrono::seconds step) {
    for (auto t = clock.load() + step; t <= until; t += step) {
      advance_to(t);
    }
  }

  /// Stores a grant as a finished OAuth flow would, with the deadline reconsent_deadline()
  /// gives for the provider's clocks: `lifetime` for the access token, `refresh_life` for a
  /// refresh token, `data_access` for Meta's data-access clock.
  std::string connect(const std::string& creator, const std::string& provider,
                      std::chrono::seconds lifetime,
                      std::optional<std::chrono::seconds> refresh_life = std::nullopt,
                      std::optional<std::chrono::seconds> data_access = std::nullopt) {
    const auto when = clock.load();
    lifecycle::new_grant g;
    g.provider = provider;
    g.external_id = provider + "-" + creator;
    g.username = "user";
    g.access_token = base::secret("access-" + creator + "-" + provider);
    g.access_expires_at = when + lifetime;
    if (refresh_life) {
      g.refresh_token = base::secret("refresh-" + creator + "-" + provider);
      g.refresh_expires_at = when + *refresh_life;
    }
    if (data_access) {
      g.data_access_expires_at = when + *data_access;
    }
    const auto* p = providers.find(provider);
    REQUIRE(p != nullptr);
    g.reconsent = lifecycle::reconsent_deadline(
        p->profile, {when, g.access_expires_at, g.refresh_expires_at, g.data_access_expires_at},
        p->reauth_after);
    return db
        ->write_now([&](store::database& d) {
          return lifecycle::save_connection(d, keys, account_id, creator, g, when);
        })
        .value()
        .record.id;
  }

  std::vector<outbox_row> mails(const std::string& template_name,
                                const std::string& recipient = {}) {
    std::vector<outbox_row> out;
    db->read_now([&](store::database& d) {
        return store::sql::each(
            d,
            "SELECT recipient, idempotency_key, subject, text_body, COALESCE(ref_id, '') FROM "
            "outbox WHERE template = ? AND (? = '' OR recipient = ?) ORDER BY rowid",
            [&](store::statement& s) {
              out.push_back({s.column_text(0), s.column_text(1), s.column_text(2), s.column_text(3),
                             s.column_text(4)});
            },
            template_name, recipient, recipient);
      }).value();
    return out;
  }
  static std::vector<std::string> stages_of(const std::vector<outbox_row>& rows) {
    std::vector<std::string> out;
    for (const auto& r : rows) {
      out.push_back(r.stage());
    }
    return out;
  }
  std::string column(const std::string& id, const std::string& name) {
    return db
        ->read_now([&](store::database& d) {
          return store::sql::first(
              d, "SELECT COALESCE(CAST(" + name + " AS TEXT), '') FROM connections WHERE id = ?",
              [](store::statement& s) { return s.column_text(0); }, id);
        })
        .value()
        .value_or("");
  }
  std::vector<std::string> events(const std::string& id) {
    std::vector<std::string> out;
    db->read_now([&](store::database& d) {
        return store::sql::each(
            d, "SELECT kind FROM connection_events WHERE connection_id = ? ORDER BY seq",
            [&](store::statement& s) { out.push_back(s.column_text(0)); }, id);
      }).value();
    return out;
  }

  static constexpr auto day = std::chrono::hours(24);
  static std::chrono::seconds days(int n) { return std::chrono::seconds(day * n); }

  boost::asio::io_context io;
  std::atomic<roster::time_point> clock;
  lifecycle::provider_registry providers;
  lifecycle::stage_settings_holder stages;
  notify::template_set templates = notify::template_set::load().value();
  setup::outbox_mailer mailer{templates, "https://roster.test"};
  lifecycle::link_settings links{std::chrono::hours(24 * 7), "https://roster.test"};
  std::unique_ptr<lifecycle::job_scheduler> jobs;
  std::string amy_id;
  std::string bo_id;
};

}  // namespace rosterd::testing
