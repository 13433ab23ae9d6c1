#pragma once
// What the /v1 routes share: the store, the mailer that writes the outbox, the roster's
// settings, the login limiters and a small pool for Argon2id (slow on purpose, so never on the
// I/O threads).

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/logger.h>

#include "base/rate_limiter.hpp"
#include "daemon/api/oauth_services.hpp"
#include "roster/mail.hpp"
#include "roster/onboarding_csv.hpp"
#include "roster/password.hpp"
#include "roster/settings.hpp"
#include "roster/sign_in.hpp"
#include "store/store.hpp"

namespace rosterd::daemon::api {

struct api_settings {
  roster::roster_settings roster;
  roster::session_settings sessions;
  roster::password_cost password_cost;
  roster::onboarding_options onboarding;
  base::rate_limit_policy login_per_account = base::account_login_policy;
  base::rate_limit_policy login_per_address = base::address_login_policy;
  /// Secure cookies with the __Host- prefix: true when public_url is https or TLS is on.
  bool secure_cookies = false;
};

class api_context {
 public:
  api_context(store::store& store, roster::mailer& mailer, api_settings api_settings_,
              std::shared_ptr<spdlog::logger> logger, unsigned hashing_threads = 1)
      : db(store),
        mail(mailer),
        settings(std::move(api_settings_)),
        log(std::move(logger)),
        account_limiter(this->settings.login_per_account),
        address_limiter(this->settings.login_per_address),
        hashing_(std::in_place, hashing_threads) {}
  api_context(const api_context&) = delete;
  api_context& operator=(const api_context&) = delete;
  ~api_context() { stop_hashing(); }

  /// Drops the password checks still queued and waits for the one running. Call it once the
  /// event loop has stopped and before it is destroyed: a queued check holds work on that loop
  /// and its completion resumes there, so it must be gone while the loop still exists. No
  /// hash_off_thread() after this.
  void stop_hashing() { hashing_.reset(); }

  /// Runs f() on the hashing pool and resumes on the caller's executor. `f` is moved from;
  /// like store::read it must be a named object (see there).
  template <class F>
  boost::asio::awaitable<std::invoke_result_t<F&>> hash_off_thread(F& f) {
    return hash_task(std::move(f));
  }

  /// Wall-clock now; replaceable so tests can move time.
  std::function<std::chrono::system_clock::time_point()> now = [] {
    return std::chrono::system_clock::now();
  };

  store::store& db;
  roster::mailer& mail;
  api_settings settings;
  std::shared_ptr<spdlog::logger> log;
  base::rate_limiter account_limiter;
  base::rate_limiter address_limiter;
  /// Connections: null when no OAuth provider is configured.
  std::shared_ptr<oauth_services> oauth;
  /// Called after a transaction that queued mail commits, so the relay sends without waiting.
  std::function<void()> mail_queued = [] {};
  /// Called after a connection was stored, so the refresh scheduler sees its schedule now.
  std::function<void()> connections_changed = [] {};

  /// A message template rendered for display (subject, text): the creator message agents copy.
  struct rendered_text {
    std::string subject;
    std::string text;
  };
  std::function<base::result<rendered_text>(const roster::mail_intent&)> render =
      [](const roster::mail_intent&) -> base::result<rendered_text> {
    return base::fail(std::errc::not_supported, "no templates loaded");
  };

 private:
  template <class F>
  boost::asio::awaitable<std::invoke_result_t<F&>> hash_task(F f) {
    using R = std::invoke_result_t<F&>;
    auto task = [f = std::move(f)]() mutable -> boost::asio::awaitable<std::optional<R>> {
      co_return std::optional<R>(f());
    };
    auto value = co_await boost::asio::co_spawn(hashing_->get_executor(), std::move(task),
                                                boost::asio::use_awaitable);
    co_return std::move(*value);
  }

  std::optional<boost::asio::thread_pool> hashing_;  // destroying it drops what is queued
};

}  // namespace rosterd::daemon::api
