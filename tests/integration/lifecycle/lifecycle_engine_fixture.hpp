#pragma once
// The lifecycle as the daemon runs it: the durable job scheduler with the connection-check and
// digest handlers, over a real SQLite file, rendering the real templates into the real outbox,
// on a clock the test moves. settle() lets the scheduler run everything due at the current
// simulated moment; restart() drops the scheduler and makes a new one, as a daemon restart
// does (only the database carries over).
//
// With `live`, the platforms are the provider test server over TLS with the test CA, on the
// same simulated clock (frozen at each moment the test moves to): the real refresher and
// refresh scheduler renew the grants made with connect_live() (grants the server knows), and
// the identity checker calls the platforms on the daemon's plan. Grants made with connect()
// stay stored-only: never refreshed, never checked (the fake does not know their tokens).

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

#include "lifecycle/broker.hpp"
#include "lifecycle/connections.hpp"
#include "lifecycle/deadlines.hpp"
#include "lifecycle/identity_checks.hpp"
#include "lifecycle/job_scheduler.hpp"
#include "lifecycle/jobs.hpp"
#include "lifecycle/lifecycle_jobs.hpp"
#include "lifecycle/refresh.hpp"
#include "lifecycle/refresh_scheduler.hpp"
#include "lifecycle_fixture.hpp"
#include "notify/templates.hpp"
#include "oauth/token_requests.hpp"
#include "setup/outbox_mailer.hpp"
#include "store/in_transaction.hpp"
#include "store/sql.hpp"
#include "tests/fakes/fake_provider.hpp"
#include "tests/support/test_pki.hpp"

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
  /// The platforms' lifetimes as providers.md gives them, on the provider test server: TikTok
  /// 24 h access tokens with a fixed refresh horizon, Pinterest 30-day access and 60-day
  /// continuous refresh tokens (the server's defaults), and the agency's generic provider
  /// with 1-hour access and 400-day sliding refresh tokens (its horizon is reauth_after).
  static constexpr const char* live_platforms = R"({
    "tiktok": {"access_ttl": 86400, "refresh_ttl": 31536000, "refresh_horizon": "fixed"},
    "generic": {"access_ttl": 3600, "refresh_ttl": 34560000, "refresh_horizon": "sliding"}})";
  static constexpr auto identity_interval = std::chrono::seconds(std::chrono::hours(24 * 7));

  explicit lifecycle_engine_fixture(bool live = false) {
    clock = std::chrono::floor<std::chrono::seconds>(now);
    if (live) {
      pki = std::make_unique<test_pki>();
      fake_provider::options opts;
      // One Meta app serves both Facebook Login products, as the fake's one Facebook client.
      opts.clients["generic"] = {"test-acme", "secret-acme"};
      opts.config_json = live_platforms;
      fake = std::make_unique<fake_provider>(*pki, opts);
      fake->freeze_clock(clock.load());
    }
    for (const char* id : {"facebook", "instagram_facebook", "instagram", "tiktok", "pinterest"}) {
      auto profile = oauth::find_builtin_profile(id).value();
      oauth::provider_settings s;
      const bool meta_app = live && std::string_view(id) == "instagram_facebook";
      s.client_id = std::string("test-") + (meta_app ? "facebook" : id);
      s.client_secret = base::secret(std::string("secret-") + (meta_app ? "facebook" : id));
      s.redirect_uri = std::string("https://roster.test/oauth/") + id + "/callback";
      if (fake) {
        s.authorize_url = fake->url(profile.authorize_url);
        s.token_url = fake->url(profile.token_url);
        s.identity_url = fake->url(profile.identity_url);
        if (profile.refresh_url) {
          s.refresh_url = fake->url(*profile.refresh_url);
        }
      }
      providers.add(oauth::resolve(profile, std::move(s)).value());
    }
    oauth::generic_profile_config acme;
    acme.id = "acme";
    acme.display_name = "Acme Social";
    acme.authorize_url = "https://generic.example/authorize";
    acme.token_url = "https://generic.example/token";
    acme.identity_url = "https://generic.example/userinfo";
    acme.identity.id = "sub";
    acme.scopes = {"read"};
    if (fake) {
      acme.authorize_url = fake->url(acme.authorize_url);
      acme.token_url = fake->url(acme.token_url);
      acme.identity_url = fake->url(acme.identity_url);
    }
    oauth::provider_settings acme_settings;
    acme_settings.client_id = "test-acme";
    acme_settings.client_secret = base::secret("secret-acme");
    acme_settings.redirect_uri = "https://roster.test/oauth/acme/callback";
    acme_settings.reauth_after = std::chrono::hours(24 * 45);  // the agency's own horizon
    providers.add(
        oauth::resolve(oauth::make_generic_profile(acme).value(), std::move(acme_settings))
            .value());
    if (fake) {
      oauth::https_settings http_settings;
      http_settings.ca_file = pki->ca_certificate();
      http =
          std::make_unique<oauth::https_client>(oauth::https_client::create(http_settings).value());
      refresher = std::make_unique<lifecycle::refresher>(*db, holder, providers, *http,
                                                         lifecycle::refresh_settings{}, nullptr,
                                                         [this] { return clock.load(); });
      identities = std::make_unique<lifecycle::identity_checker>(
          *db, holder, providers, *http, identity_interval, nullptr,
          [this] { return clock.load(); }, refresher.get());
    }
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
    if (identities) {
      jobs->on(std::string(lifecycle::identity_check_kind),
               [this](const lifecycle::job& j) { return identities->run(j); });
    }
    jobs->start();
    if (refresher) {
      lifecycle::scheduler_settings rs;
      rs.poll_interval = std::chrono::milliseconds(20);
      refreshes = std::make_unique<lifecycle::refresh_scheduler>(
          io.get_executor(), *db, *refresher, rs, nullptr, [this] { return clock.load(); });
      refreshes->start();
    }
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
          if (refreshes) {
            co_await refreshes->stop();
          }
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
    refreshes.reset();
  }
  /// As a daemon restart: nothing but the database carries over.
  void restart() {
    stop_scheduler();
    start_scheduler();
  }

  /// Runs the schedulers until nothing is due at the simulated now and nothing runs.
  void settle() {
    if (fake) {
      fake->freeze_clock(clock.load());
    }
    jobs->nudge();
    if (refreshes) {
      refreshes->nudge();
    }
    int idle = 0;
    for (int i = 0; i < 200000 && idle < 3; ++i) {
      const auto ran = io.run_for(std::chrono::milliseconds(1));
      if (io.stopped()) {
        io.restart();
      }
      if (ran > 0 && fake) {
        idle = 0;  // work is flowing: look at the database only once the loop goes quiet
        continue;
      }
      const bool busy = jobs->started_total() != jobs->finished_total() ||
                        (refresher && refresher->in_flight() > 0);
      const auto next =
          db->read_now([](store::database& d) { return lifecycle::next_job_due(d); }).value();
      const bool due = next && *next <= clock.load();
      const bool refresh_due = refreshes && refreshes_due() > 0;
      idle = (!busy && !due && !refresh_due) ? idle + 1 : 0;
      if (due && !busy) {
        jobs->nudge();
      }
      if (refresh_due && !busy) {
        refreshes->nudge();
      }
    }
    REQUIRE(idle >= 3);
  }
  std::int64_t refreshes_due() {
    const auto at = roster::stamp(clock.load());
    return db
        ->read_now([&](store::database& d) {
          return store::sql::integer(
              d, "SELECT COUNT(*) FROM connections WHERE next_refresh_at <= ?", at);
        })
        .value();
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
          return lifecycle::save_connection(d, *holder->current(), account_id, creator, g, when);
        })
        .value()
        .record.id;
  }

  /// As connect(), but a grant the provider test server issued: it knows the tokens and their
  /// expiries, and the connection is scheduled for refreshes and identity checks as a finished
  /// OAuth flow leaves it. `refresh_life` is what the platform said is left of the refresh
  /// token (TikTok's fixed horizon: a grant first authorized earlier has less than 365 days).
  std::string connect_live(const std::string& creator, const std::string& provider,
                           std::chrono::seconds lifetime,
                           std::optional<std::chrono::seconds> refresh_life = std::nullopt) {
    REQUIRE(fake);
    const auto when = clock.load();
    const auto* p = providers.find(provider);
    REQUIRE(p != nullptr);
    const bool meta = provider == "facebook" || provider == "instagram_facebook";
    const auto serial = std::to_string(++live_grants);
    lifecycle::new_grant g;
    g.provider = provider;
    g.external_id = provider + "-" + creator;
    g.username = "user";
    g.requested_scopes = p->scopes;
    g.granted_scopes = p->scopes;
    g.access_token = base::secret("live-access-" + serial + "-" + creator + "-" + provider);
    g.access_expires_at = when + lifetime;
    fake_provider::seeded_grant seed;
    seed.provider = meta ? "facebook" : provider == "acme" ? "generic" : provider;
    seed.user_id = g.external_id;
    seed.username = g.username;
    seed.scopes = p->scopes;
    seed.access_token = std::string(g.access_token.reveal());
    seed.access_expires_at = *g.access_expires_at;
    seed.kind = meta ? "long" : "access";
    if (refresh_life) {
      g.refresh_token = base::secret("live-refresh-" + serial + "-" + creator + "-" + provider);
      g.refresh_expires_at = when + *refresh_life;
      seed.refresh_token = std::string(g.refresh_token->reveal());
      seed.refresh_expires_at = *g.refresh_expires_at;
    }
    g.reconsent = lifecycle::reconsent_deadline(
        p->profile, {when, g.access_expires_at, g.refresh_expires_at, g.data_access_expires_at},
        p->reauth_after);
    g.next_refresh_at = lifecycle::next_refresh_time(p->profile, lifetime, when);
    fake->seed_grant(seed);
    const auto id =
        db->write_now([&](store::database& d) -> base::result<std::string> {
            auto saved =
                lifecycle::save_connection(d, *holder->current(), account_id, creator, g, when);
            if (!saved) {
              return saved.error();
            }
            auto planned =
                lifecycle::plan_identity_check(d, saved->record.id, identity_interval, when);
            if (!planned) {
              return planned.error();
            }
            return saved->record.id;
          }).value();
    if (refreshes) {
      refreshes->nudge();
    }
    return id;
  }

  /// What an agency tool does with the token broker: asks for the connection's access token
  /// (refreshed first within the broker's margin, as the API route does) and, when handed one,
  /// calls the platform's identity endpoint with it. Returns whether a call was made.
  bool use_token(const std::string& connection_id) {
    REQUIRE(refresher);
    bool done = false;
    bool called = false;
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
          auto refreshed = co_await refresher->refresh(
              connection_id, lifecycle::refresh_reason::on_demand, std::chrono::minutes(5));
          REQUIRE(refreshed.has_value());
          const auto at = clock.load();
          auto op = store::in_transaction([&](store::database& d) {
            return lifecycle::issue_token(d, *holder->current(), service(), connection_id,
                                          *refreshed, at);
          });
          auto issued = co_await db->write(op);
          REQUIRE(issued.has_value());
          if (issued->access_token) {
            const auto* p = providers.find(issued->connection.provider);
            (void)co_await http->send(oauth::identity_request(*p, issued->access_token->reveal()));
            called = true;
          }
          done = true;
        },
        [](const std::exception_ptr& e) {
          if (e) {
            std::rethrow_exception(e);
          }
        });
    for (int i = 0; i < 100000 && !done; ++i) {
      io.run_for(std::chrono::milliseconds(1));
      if (io.stopped()) {
        io.restart();
      }
    }
    REQUIRE(done);
    return called;
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
  std::shared_ptr<vault::key_holder> holder =
      std::make_shared<vault::key_holder>(std::make_shared<const vault::keyring>(test_keyring()));
  std::unique_ptr<test_pki> pki;
  std::unique_ptr<fake_provider> fake;
  std::unique_ptr<oauth::https_client> http;
  std::unique_ptr<lifecycle::refresher> refresher;
  std::unique_ptr<lifecycle::identity_checker> identities;
  std::unique_ptr<lifecycle::refresh_scheduler> refreshes;
  int live_grants = 0;
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
