#pragma once
// Roster-wide status as the API shows it (GET /v1/accounts/{a}/connections) and rosterctl
// status --json prints it: one shape for both front ends, described in docs/API.md.

#include <functional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "lifecycle/roster_status.hpp"

namespace rosterd::views {

using json = nlohmann::json;

/// The platform's name as people know it, for a provider id (the id itself when unknown).
using provider_names = std::function<std::string(std::string_view provider)>;

json to_json(const lifecycle::status_row& r, const provider_names& names);
json to_json(const lifecycle::status_counts& c);
/// {"counts": ..., "items": [...], "next": cursor or null}
json to_json(const lifecycle::status_page& p, const provider_names& names);
/// A creator's connections at a glance: {"by_state": {...}, "soonest_deadline": ...}.
json to_json(const lifecycle::connection_summary& s);

}  // namespace rosterd::views
