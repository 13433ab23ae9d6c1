#include "views/status_views.hpp"

namespace rosterd::views {
namespace {

json optional_json(const std::optional<std::string>& v) {
  return v ? json(*v) : json(nullptr);
}

}  // namespace

json to_json(const lifecycle::status_row& r, const provider_names& names) {
  const auto provider_name = names(r.provider);
  return {{"connection_id", r.connection_id},
          {"creator_id", r.creator_id},
          {"creator_name", r.creator_name},
          {"provider", r.provider},
          {"provider_name", provider_name},
          {"username", r.username},
          {"status", std::string(lifecycle::to_string(r.status))},
          {"status_reason", r.status_reason},
          {"reason", lifecycle::reason_words(r, provider_name)},
          {"status_changed_at", r.status_changed_at},
          {"reauth_due_at", optional_json(r.reauth_due_at)},
          {"deadline_cause", optional_json(r.deadline_cause)},
          {"deadline_self_renewing", r.deadline_self_renewing},
          {"last_error_at", optional_json(r.last_error_at)}};
}

json to_json(const lifecycle::status_counts& c) {
  return {{"total", c.total}, {"by_state", c.by_state}, {"by_provider", c.by_provider}};
}

json to_json(const lifecycle::status_page& p, const provider_names& names) {
  json items = json::array();
  for (const auto& r : p.items) {
    items.push_back(to_json(r, names));
  }
  return {
      {"counts", to_json(p.counts)}, {"items", std::move(items)}, {"next", optional_json(p.next)}};
}

json to_json(const lifecycle::connection_summary& s) {
  return {{"by_state", s.by_state}, {"soonest_deadline", optional_json(s.soonest_deadline)}};
}

}  // namespace rosterd::views
