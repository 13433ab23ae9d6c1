#include "lifecycle/link_visits.hpp"

#include <algorithm>

namespace rosterd::lifecycle {

base::result<link_visit> visit_link(store::database& db, const provider_registry& providers,
                                    std::string_view token, time_point now) {
  auto link = open_link(db, token, now);
  if (!link) {
    return link.error();
  }
  auto connections = creator_connections(db, link->link.account_id, link->link.creator_id);
  if (!connections) {
    return connections.error();
  }
  link_visit out;
  const auto& done = link->done_providers;
  for (const auto& id : link->link.providers) {
    const auto* p = providers.find(id);
    if (p == nullptr) {
      continue;
    }
    link_platform platform;
    platform.provider = id;
    platform.display_name = p->profile.display_name;
    platform.done = std::find(done.begin(), done.end(), id) != done.end();
    const auto c = std::find_if(connections->begin(), connections->end(),
                                [&id](const connection_record& r) { return r.provider == id; });
    if (c != connections->end()) {
      platform.connection = *c;
    }
    out.platforms.push_back(std::move(platform));
  }
  out.link = std::move(*link);
  return out;
}

base::result<started_connect> start_from_link(store::database& db, const vault::keyring& keys,
                                              const provider_registry& providers,
                                              std::string_view token, std::string_view provider,
                                              std::string_view browser_secret, time_point now) {
  connect_start start;
  start.provider = std::string(provider);
  start.browser_secret = std::string(browser_secret);
  start.link_token = std::string(token);
  return start_connect(db, keys, providers, start, now);
}

}  // namespace rosterd::lifecycle
