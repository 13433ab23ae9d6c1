#pragma once
// Roster records as the API shows them: the only place their JSON shape is decided
// (docs/API.md and docs/openapi.yaml describe the same shapes). Its own library because two
// front ends print them: the HTTP edge, and rosterctl with --json.

#include <nlohmann/json.hpp>

#include "roster/access.hpp"
#include "roster/model.hpp"
#include "roster/onboarding_plan.hpp"

namespace rosterd::views {

using json = nlohmann::json;

json to_json(const roster::account_record& a);
json to_json(const roster::person& p);
json to_json(const roster::creator_record& c);
json to_json(const roster::member_record& m);
json to_json(const roster::invitation_record& i);
json to_json(const roster::audit_record& a);
json to_json(const roster::api_token_record& t);
json to_json(const roster::issue& i);
/// The dry-run / apply report: summary, per-row issues and actions, invitations, notices, and
/// creators missing from the file.
json to_json(const roster::onboarding_plan& plan);

}  // namespace rosterd::views
