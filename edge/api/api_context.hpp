#pragma once
// What the /v1 routes share: the store, the mailer that writes the outbox, the roster's
// settings, the sign-in rate limits, who counts as a trusted proxy, and the bounded pool for
// Argon2id (slow on purpose, so never on the I/O threads).

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>

#include <spdlog/logger.h>

#include "edge/api/answer_cache.hpp"
#include "edge/api/client_address.hpp"
#include "edge/api/hashing_pool.hpp"
#include "edge/api/required_function.hpp"
#include "edge/api/token_callers.hpp"
#include "edge/api/token_touches.hpp"
#include "lifecycle/webhooks.hpp"
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
  /// What a webhook URL may name ([webhooks] allow_private_targets is for tests only).
  lifecycle::webhook_target_rules webhooks;
};

/// A message template rendered for display (subject, text): the creator message agents copy.
struct rendered_text {
  std::string subject;
  std::string text;
};

/// What the routes call outside the edge. Every one is required: a hook left out would fail
/// silently (mail waiting for the relay's next poll, a new connection's refresh schedule unseen
/// until the scheduler's), so leaving one out of the initializer does not compile.
struct api_hooks {
  /// After a transaction that queued mail commits, so the relay sends without waiting.
  required_function<void()> mail_queued;
  /// After a connection was stored, so the refresh scheduler sees its schedule now.
  required_function<void()> connections_changed;
  /// After a transaction that queued webhook deliveries commits, so they go out now.
  required_function<void()> webhooks_queued;
  /// Renders a message template for display.
  required_function<base::result<rendered_text>(const roster::mail_intent&)> render;
  /// Wall-clock now (tests move it).
  required_function<std::chrono::system_clock::time_point()> now;
};

class api_context {
 public:
  /// Everything the routes use, given at once. `oauth` is null when no OAuth provider is
  /// configured (the connection routes and pages then answer 404); `logger` must not be null.
  api_context(store::store& store, roster::mailer& mailer, api_settings api_settings_,
              std::shared_ptr<spdlog::logger> logger,
              std::shared_ptr<setup::oauth_services> oauth_services, api_hooks hooks)
      : db(store),
        mail(mailer),
        settings(std::move(api_settings_)),
        log(logger ? std::move(logger) : throw std::invalid_argument("api_context needs a logger")),
        throttle(this->settings.sign_in_limits),
        hashing(this->settings.hashing_threads, this->settings.hash_queue_limit),
        oauth(std::move(oauth_services)),
        mail_queued(std::move(hooks.mail_queued)),
        connections_changed(std::move(hooks.connections_changed)),
        webhooks_queued(std::move(hooks.webhooks_queued)),
        render(std::move(hooks.render)),
        now(std::move(hooks.now)) {}
  api_context(const api_context&) = delete;
  api_context& operator=(const api_context&) = delete;

  store::store& db;
  roster::mailer& mail;
  const api_settings settings;
  const std::shared_ptr<spdlog::logger> log;
  roster::sign_in_throttle throttle;
  hashing_pool hashing;
  /// When each API token's last_used_at was last written (at most once a minute).
  token_touches token_uses;
  /// Who recently used API tokens stand for (see token_callers.hpp).
  token_callers token_callers_seen;
  /// Rendered roster-status pages, reused while nothing was written (see answer_cache.hpp).
  answer_cache status_answers;
  /// Password reset requests answered whose work has not finished (see session_routes.cpp).
  std::atomic<unsigned> pending_reset_requests{0};
  /// Connections: null when no OAuth provider is configured.
  const std::shared_ptr<setup::oauth_services> oauth;
  const required_function<void()> mail_queued;
  const required_function<void()> connections_changed;
  const required_function<void()> webhooks_queued;
  const required_function<base::result<rendered_text>(const roster::mail_intent&)> render;
  const required_function<std::chrono::system_clock::time_point()> now;
};

}  // namespace rosterd::edge::api
