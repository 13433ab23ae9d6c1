#include "edge/api/api_settings.hpp"

#include "setup/wiring.hpp"

namespace rosterd::edge::api {

api_settings api_settings_from(const setup::config& c) {
  api_settings s;
  s.roster = setup::roster_settings_from(c);
  s.onboarding = setup::onboarding_options_from(c);
  s.sessions = setup::session_settings_from(c);
  s.password_cost = setup::password_cost_from(c);
  s.hashing_threads = c.passwords.hashing_threads;
  s.hash_queue_limit = c.passwords.hash_queue_limit;
  for (const auto& entry : c.server.trusted_proxies) {
    // Validated when the config was read; an entry that does not parse cannot reach here.
    if (auto network = base::parse_ip_network(entry)) {
      s.proxies.proxies.push_back(*network);
    }
  }
  s.proxies.header = c.server.forwarded_header == "forwarded" ? forwarded_header::forwarded
                                                              : forwarded_header::x_forwarded_for;
  s.secure_cookies = c.server.tls.enabled || c.server.public_url.rfind("https://", 0) == 0;
  return s;
}

}  // namespace rosterd::edge::api
