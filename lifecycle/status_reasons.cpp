#include "lifecycle/status_reasons.hpp"

#include <array>
#include <utility>

namespace rosterd::lifecycle {
namespace {

constexpr std::array<std::pair<status_reason, std::string_view>, 13> names{{
    {status_reason::none, "none"},
    {status_reason::renewal_due, "renewal_due"},
    {status_reason::renewal_failing, "renewal_failing"},
    {status_reason::password_changed, "password_changed"},
    {status_reason::app_removed, "app_removed"},
    {status_reason::login_expired, "login_expired"},
    {status_reason::session_ended, "session_ended"},
    {status_reason::page_role_lost, "page_role_lost"},
    {status_reason::action_at_platform, "action_at_platform"},
    {status_reason::permissions_missing, "permissions_missing"},
    {status_reason::data_deleted, "data_deleted"},
    {status_reason::setup_problem, "setup_problem"},
    {status_reason::disconnected, "disconnected"},
}};

std::string renewal_words(std::string_view p, const std::optional<deadline>& due) {
  const std::string name(p);
  if (!due) {
    return name + " asks you to log in again to keep it connected.";
  }
  switch (due->cause) {
    case deadline_cause::token_expiry:
      if (due->self_renewing) {
        return "We could not renew your " + name +
               " access automatically: log in again to keep it connected.";
      }
      return name + " asks you to log in again about every 60 days to keep it connected.";
    case deadline_cause::data_access_expiry:
      return name + " asks you to confirm access again every 90 days.";
    case deadline_cause::refresh_token_end:
      return "Your " + name + " sign-in reaches the end of its life: log in again to renew it.";
    case deadline_cause::reauth_horizon:
      return name + " asks you to log in again from time to time to keep it connected.";
  }
  return name + " asks you to log in again to keep it connected.";
}

}  // namespace

std::string_view to_string(status_reason r) noexcept {
  for (const auto& [reason, name] : names) {
    if (reason == r) {
      return name;
    }
  }
  return "none";
}

std::optional<status_reason> parse_status_reason(std::string_view text) noexcept {
  for (const auto& [reason, name] : names) {
    if (name == text) {
      return reason;
    }
  }
  return std::nullopt;
}

status_reason reason_for(const oauth::provider_error& e) noexcept {
  switch (e.kind) {
    case oauth::error_kind::reconnect:
      if (e.code == "190" && e.subcode) {
        switch (*e.subcode) {
          case 458:
            return status_reason::app_removed;
          case 460:
            return status_reason::password_changed;
          case 463:
            return status_reason::login_expired;
          case 492:
            return status_reason::page_role_lost;
          default:  // an int from the wire, not our enum: every other subcode
            return status_reason::session_ended;
        }
      }
      if (e.code == "invalid_grant") {
        return status_reason::login_expired;
      }
      return status_reason::session_ended;
    case oauth::error_kind::reconsent:
      return status_reason::permissions_missing;
    case oauth::error_kind::user_action:
      return status_reason::action_at_platform;
    case oauth::error_kind::refresh:
    case oauth::error_kind::transient:
      return status_reason::renewal_failing;
    case oauth::error_kind::rejected:
      return status_reason::setup_problem;
  }
  return status_reason::setup_problem;
}

std::string describe_reason(status_reason r, std::string_view provider_name,
                            const std::optional<deadline>& due) {
  const std::string p(provider_name);
  switch (r) {
    case status_reason::none:
      return "Connected.";
    case status_reason::renewal_due:
      return renewal_words(provider_name, due);
    case status_reason::renewal_failing:
      return "We cannot reach " + p + " right now and keep trying; nothing to do yet.";
    case status_reason::password_changed:
      return "Your " + p + " password was changed: log in again to reconnect.";
    case status_reason::app_removed:
      return "The app was removed in your " + p + " settings: reconnect to allow it again.";
    case status_reason::login_expired:
      return "Your " + p + " login expired: log in again to reconnect.";
    case status_reason::session_ended:
      return p + " ended our access: log in again to reconnect.";
    case status_reason::page_role_lost:
      return "You no longer have a role on the Facebook Page: ask its admin to add you back, "
             "then reconnect.";
    case status_reason::action_at_platform:
      return p + " needs you to confirm something in the app first: open " + p +
             ", follow its prompt, then reconnect.";
    case status_reason::permissions_missing:
      return "Some permissions your agency needs were not allowed: reconnect and allow them.";
    case status_reason::data_deleted:
      return "You asked " + p + " to delete your data, so this connection was removed.";
    case status_reason::setup_problem:
      return "A setup problem on our side stops " + p + " for now; your agency has been told.";
    case status_reason::disconnected:
      return "This connection was removed. Connect again at any time.";
  }
  return "Connected.";
}

}  // namespace rosterd::lifecycle
