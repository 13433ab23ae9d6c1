#pragma once
// Connections made for real against the provider test server (over TLS with the test CA): a
// reconnect link, the platform's authorize redirect, rosterd's callback handling. The refresher
// then talks to the same server, which counts every call and rotates refresh tokens strictly
// (a replayed refresh token revokes the grant).

#include <chrono>
#include <future>
#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <nlohmann/json.hpp>

#include "lifecycle/connect_flow.hpp"
#include "lifecycle/reconnect_links.hpp"
#include "lifecycle/refresh.hpp"
#include "lifecycle_fixture.hpp"
#include "tests/fakes/fake_provider.hpp"
#include "tests/support/test_pki.hpp"

namespace rosterd::testing {

struct refresh_fixture : lifecycle_fixture {
  explicit refresh_fixture(oauth::https_settings http_settings = {}) : fake(pki) {
    for (const char* id : {"instagram", "facebook", "tiktok", "pinterest"}) {
      auto profile = oauth::find_builtin_profile(id).value();
      oauth::provider_settings s;
      s.client_id = std::string("test-") + id;
      s.client_secret = base::secret(std::string("secret-") + id);
      s.redirect_uri = std::string("https://rosterd.test/oauth/") + id + "/callback";
      s.authorize_url = fake.url(profile.authorize_url);
      s.token_url = fake.url(profile.token_url);
      if (profile.long_lived_url) {
        s.long_lived_url = fake.url(*profile.long_lived_url);
      }
      if (profile.refresh_url) {
        s.refresh_url = fake.url(*profile.refresh_url);
      }
      s.identity_url = fake.url(profile.identity_url);
      if (profile.revoke_url) {
        s.revoke_url = fake.url(*profile.revoke_url);
      }
      if (profile.debug_token_url) {
        s.debug_token_url = fake.url(*profile.debug_token_url);
      }
      providers.add(oauth::resolve(profile, std::move(s)).value());
    }
    http_settings.ca_file = pki.ca_certificate();
    http =
        std::make_unique<oauth::https_client>(oauth::https_client::create(http_settings).value());
    holder =
        std::make_shared<vault::key_holder>(std::make_shared<const vault::keyring>(test_keyring()));
    refresher = std::make_unique<lifecycle::refresher>(*db, holder, providers, *http,
                                                       lifecycle::refresh_settings{}, nullptr,
                                                       [this] { return clock_now.load(); });
    work.emplace(io.get_executor());
    threads.emplace_back([this] { io.run(); });
    threads.emplace_back([this] { io.run(); });
  }
  ~refresh_fixture() {
    work.reset();
    io.stop();
    for (auto& t : threads) {
      t.join();
    }
    // A store operation's thread still holds work on `io` for a moment after it handed its
    // result over (co_spawn releases that work when its frame ends), so the test may be here
    // before the thread is done with `io`. Joining the store's threads now, while `io` and
    // everything its pending handlers refer to still exist, closes that window.
    db->close();
  }

  template <class Awaitable>
  auto run(Awaitable a) {
    return boost::asio::co_spawn(io, std::move(a), boost::asio::use_future).get();
  }

  /// Connects `creator`'s profile on `provider` the way a creator's browser does; returns the
  /// connection id.
  std::string connect(const std::string& creator, const std::string& provider) {
    const auto who = owner();
    const auto enabled = providers.ids();
    auto link = db->write_now([&](store::database& d) {
      return lifecycle::create_link(d, who, creator, {provider}, enabled, {}, now);
    });
    const auto url = std::string(link.value().url.reveal());
    lifecycle::connect_start start;
    start.provider = provider;
    start.browser_secret = "browser-secret-for-tests-0123456789";
    start.link_token = url.substr(url.rfind('/') + 1);
    auto started = db->write_now([&](store::database& d) {
      return lifecycle::start_connect(d, *holder->current(), providers, start, now);
    });
    oauth::http_request authorize;
    authorize.method = oauth::http_method::get;
    authorize.url = std::string(started.value().authorize_url.reveal());
    auto answer = run(http->send(authorize)).value();
    auto location = answer.header("location").value();
    location = location.substr(0, location.find('#'));
    lifecycle::callback_input input;
    input.provider = provider;
    input.query = location.substr(location.find('?') + 1);
    input.browser_secret = start.browser_secret;
    auto done = run(lifecycle::complete_callback(*db, *holder->current(), providers, *http,
                                                 std::move(input), now))
                    .value();
    REQUIRE(done.outcome == lifecycle::callback_outcome::connected);
    return done.connection->record.id;
  }

  base::result<lifecycle::refresh_report> refresh(
      const std::string& id,
      lifecycle::refresh_reason reason = lifecycle::refresh_reason::scheduled) {
    return run(refresher->refresh(id, reason));
  }

  /// One column of the connection's row, as text ("" for NULL).
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
  void set_column(const std::string& id, const std::string& name, const std::string& value) {
    db->write_now([&](store::database& d) {
        return store::sql::run(d, "UPDATE connections SET " + name + " = ? WHERE id = ?", value,
                               id);
      }).value();
  }

  nlohmann::json grant(const std::string& provider) {
    auto all = nlohmann::json::parse(fake.control("GET", "/grants?provider=" + provider));
    REQUIRE(all["grants"].size() >= 1);
    return all["grants"].back();
  }

  test_pki pki;
  fake_provider fake;
  lifecycle::provider_registry providers;
  std::unique_ptr<oauth::https_client> http;
  std::shared_ptr<vault::key_holder> holder;
  std::atomic<roster::time_point> clock_now{std::chrono::system_clock::now()};
  std::unique_ptr<lifecycle::refresher> refresher;
  boost::asio::io_context io{2};
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work;
  std::vector<std::thread> threads;
};

}  // namespace rosterd::testing
