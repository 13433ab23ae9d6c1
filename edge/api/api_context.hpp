#pragma once
// What the /v1 routes share: the store, the mailer that writes the outbox, the roster's
// settings, the sign-in rate limits, who counts as a trusted proxy, and the bounded pool for
// Argon2id (slow on purpose, so never on the I/O threads).

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <spdlog/logger.h>

#include "edge/api/client_address.hpp"
#include "edge/api/hashing_pool.hpp"
#include "roster/mail.hpp"
#include "roster/onboarding_csv.hpp"
#include "roster/password.hpp"
#include "roster/settings.hpp"
#include "roster/sign_in.hpp"
#include "roster/sign_in_policy.hpp"
#include "setup/oauth_services.hpp"
#include "store/store.hpp"

namespace rosterd::edge::api {

struct api_settings {
  roster::roster_settings roster;
  roster::session_settings sessions;
  roster::password_cost password_cost;
  roster::onboarding_options onboarding;
  roster::sign_in_limits sign_in_limits;
  /// Whose forwarding header names the client (for the per-address limits).
  proxy_trust proxies;
  /// Argon2id threads (0 = hashing_pool::default_threads()) and how many checks may wait.
  unsigned hashing_threads = 0;
  unsigned hash_queue_limit = 32;
  /// Password reset requests whose work (lookup, token, email) is still running after their
  /// answer went out; beyond this, new ones get 503.
  unsigned max_pending_reset_requests = 64;
  /// Secure cookies with the __Host- prefix: true when public_url is https or TLS is on.
  bool secure_cookies = false;
};

class api_context {
 public:
  api_context(store::store& store, roster::mailer& mailer, api_settings api_settings_,
              std::shared_ptr<spdlog::logger> logger)
      : db(store),
        mail(mailer),
        settings(std::move(api_settings_)),
        log(std::move(logger)),
        throttle(this->settings.sign_in_limits),
        hashing(this->settings.hashing_threads, this->settings.hash_queue_limit) {}
  api_context(const api_context&) = delete;
  api_context& operator=(const api_context&) = delete;

  /// Wall-clock now; replaceable so tests can move time.
  std::function<std::chrono::system_clock::time_point()> now = [] {
    return std::chrono::system_clock::now();
  };

  store::store& db;
  roster::mailer& mail;
  api_settings settings;
  std::shared_ptr<spdlog::logger> log;
  roster::sign_in_throttle throttle;
  hashing_pool hashing;
  /// Password reset requests answered whose work has not finished (see session_routes.cpp).
  std::atomic<unsigned> pending_reset_requests{0};
  /// Connections: null when no OAuth provider is configured.
  std::shared_ptr<setup::oauth_services> oauth;
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
};

}  // namespace rosterd::edge::api
