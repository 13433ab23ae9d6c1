#include "edge/api/api_settings.hpp"

#include "setup/wiring.hpp"

namespace rosterd::edge::api {
namespace {

forwarded_header header_of(setup::forwarding_header h) {
  switch (h) {
    case setup::forwarding_header::x_forwarded_for:
      return forwarded_header::x_forwarded_for;
    case setup::forwarding_header::forwarded:
      return forwarded_header::forwarded;
  }
  return forwarded_header::x_forwarded_for;
}

}  // namespace

api_settings api_settings_from(const setup::config& c) {
  api_settings s;
  s.roster = setup::roster_settings_from(c);
  s.onboarding = setup::onboarding_options_from(c);
  s.sessions = setup::session_settings_from(c);
  s.password_cost = setup::password_cost_from(c);
  s.hashing_threads = c.passwords.hashing_threads;
  s.hash_queue_limit = c.passwords.hash_queue_limit;
  s.proxies.proxies = c.server.trusted_proxies;
  s.proxies.header = header_of(c.server.forwarded_header);
  s.secure_cookies = c.server.tls.enabled || c.server.public_url.rfind("https://", 0) == 0;
  s.webhooks = setup::webhook_rules_from(c);
  return s;
}

}  // namespace rosterd::edge::api
