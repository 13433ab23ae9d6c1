#pragma once
// Stand-ins for what the edge calls outside itself, for tests that build an api_context
// without a relay, a scheduler or templates: each says what it does instead.

#include <chrono>

#include "base/failure.hpp"
#include "edge/api/api_context.hpp"
#include "roster/mail.hpp"

namespace rosterd::testing {

/// Queues nothing: the routes' mail goes nowhere.
struct no_mail final : roster::mailer {
  base::result<void> enqueue(store::database&, const roster::mail_intent&) override { return {}; }
  base::result<void> cancel(store::database&, std::string_view, std::string_view) override {
    return {};
  }
};

/// No relay or scheduler to wake, no templates to render (the creator message answers an
/// error), the real clock.
inline edge::api::api_hooks inert_hooks() {
  return {
      .mail_queued = [] {},
      .connections_changed = [] {},
      .webhooks_queued = [] {},
      .render = [](const roster::mail_intent&) -> base::result<edge::api::rendered_text> {
        return base::fail(std::errc::not_supported, "no templates in this test");
      },
      .now = [] { return std::chrono::system_clock::now(); },
  };
}

}  // namespace rosterd::testing
