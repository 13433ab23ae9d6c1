#include "views/api_views.hpp"

namespace rosterd::views {
namespace {

json optional_text(const std::optional<std::string>& s) {
  return s ? json(*s) : json(nullptr);
}

}  // namespace

json to_json(const roster::account_record& a) {
  json j{{"id", a.id},
         {"name", a.name},
         {"status", a.status},
         {"agents_use_tokens", a.agents_use_tokens},
         {"created_at", a.created_at}};
  if (a.my_role) {
    j["role"] = roster::to_string(*a.my_role);
  }
  return j;
}

json to_json(const roster::person& p) {
  return {{"user_id", p.user_id}, {"email", p.email}, {"display_name", p.display_name}};
}

json to_json(const roster::creator_record& c) {
  json team = json::array();
  for (const auto& p : c.team) {
    team.push_back(to_json(p));
  }
  return {{"id", c.id},
          {"account_id", c.account_id},
          {"user_id", c.user_id},
          {"email", c.email},
          {"display_name", c.display_name},
          {"existing_account", c.existing_account},
          {"status", c.status},
          {"group", {{"id", c.group_id}, {"name", c.group_name}}},
          {"created_at", c.created_at},
          {"team", team}};
}

json to_json(const roster::member_record& m) {
  return {{"user_id", m.user_id},
          {"email", m.email},
          {"display_name", m.display_name},
          {"role", roster::to_string(m.member_role)},
          {"status", m.status},
          {"signed_up", m.joined},
          {"created_at", m.created_at}};
}

json to_json(const roster::invitation_record& i) {
  return {{"id", i.id},
          {"user_id", i.user_id},
          {"email", i.email},
          {"kind", roster::to_string(i.kind)},
          {"status", roster::to_string(i.status)},
          {"sends", i.sends},
          {"created_at", i.created_at},
          {"last_sent_at", i.last_sent_at},
          {"expires_at", i.expires_at},
          {"accepted_at", optional_text(i.accepted_at)},
          {"revoked_at", optional_text(i.revoked_at)},
          {"creators", i.creator_names}};
}

json to_json(const roster::audit_record& a) {
  return {{"seq", a.seq},
          {"at", a.at},
          {"actor", {{"kind", a.actor_kind}, {"id", a.actor_id}, {"label", a.actor_label}}},
          {"action", a.action},
          {"target", {{"kind", a.target_kind}, {"id", a.target_id}}},
          {"creator_id", a.creator_id.empty() ? json(nullptr) : json(a.creator_id)},
          {"detail", a.detail}};
}

json to_json(const roster::api_token_record& t) {
  return {{"id", t.id},
          {"kind", t.kind},
          {"name", t.name},
          {"created_at", t.created_at},
          {"last_used_at", optional_text(t.last_used_at)},
          {"expires_at", optional_text(t.expires_at)},
          {"revoked_at", optional_text(t.revoked_at)}};
}

json to_json(const roster::issue& i) {
  return {{"line", i.line},
          {"column", i.column},
          {"severity", roster::to_string(i.severity)},
          {"code", i.code},
          {"message", i.message}};
}

json to_json(const roster::onboarding_plan& plan) {
  json rows = json::array();
  for (const auto& c : plan.creators) {
    json issues = json::array();
    for (const auto& i : plan.issues) {
      if (i.line == c.line) {
        issues.push_back(to_json(i));
      }
    }
    rows.push_back(
        {{"line", c.line},
         {"name", c.name},
         {"email", c.email},
         {"action", roster::to_string(c.action)},
         {"creator_id", c.creator_id.empty() ? json(nullptr) : json(c.creator_id)},
         {"previous_name", c.previous_name.empty() ? json(nullptr) : json(c.previous_name)},
         {"links_existing_user", c.links_existing_user},
         {"team_add", c.team_add},
         {"team_remove", c.team_remove},
         {"issues", issues}});
  }
  auto messages = [](const std::vector<roster::planned_message>& list) {
    json out = json::array();
    for (const auto& m : list) {
      out.push_back(
          {{"email", m.email}, {"kind", roster::to_string(m.kind)}, {"creators", m.creators}});
    }
    return out;
  };
  json absent = json::array();
  for (const auto& a : plan.not_in_file) {
    absent.push_back({{"creator_id", a.creator_id}, {"name", a.name}, {"email", a.email}});
  }
  json columns = json::array();
  for (const auto& c : plan.columns) {
    columns.push_back({{"field", roster::column_id(c.column)},
                       {"template_heading", roster::template_header(c.column)},
                       {"heading", c.heading},
                       {"position", c.position}});
  }
  json file_warnings = json::array();
  for (const auto& w : plan.file_warnings) {
    file_warnings.push_back(to_json(w));
  }
  int errors = 0;
  int warnings = 0;
  for (const auto& i : plan.issues) {
    (i.severity == roster::issue_severity::error ? errors : warnings) += 1;
  }
  return {{"applied", plan.applied},
          {"summary",
           {{"rows", plan.rows()},
            {"rows_with_errors", plan.rows_with_errors()},
            {"errors", errors},
            {"warnings", warnings + static_cast<int>(plan.file_warnings.size())},
            {"creators_to_add", plan.count(roster::creator_action::add)},
            {"creators_to_reactivate", plan.count(roster::creator_action::reactivate)},
            {"creators_to_update", plan.count(roster::creator_action::update)},
            {"creators_unchanged", plan.count(roster::creator_action::unchanged)},
            {"team_members_to_add", plan.team_additions()},
            {"team_members_to_remove", plan.team_removals()},
            {"invitations_to_send", plan.invitations.size()},
            {"notices_to_send", plan.notices.size()},
            {"creators_not_in_file", plan.not_in_file.size()}}},
          {"columns", columns},
          {"file_warnings", file_warnings},
          {"rows", rows},
          {"invitations", messages(plan.invitations)},
          {"notices", messages(plan.notices)},
          {"creators_not_in_file", absent}};
}

}  // namespace rosterd::views
