#pragma once
// Why a connection is in its state, as a stable code stored with it, and the same reason in
// plain words a creator can act on ("your Instagram password was changed"). The code is
// derived once, from the platform's error (kind, code, subcode) or the signal that changed the
// state, so the words never depend on parsing stored error text.

#include <optional>
#include <string>
#include <string_view>

#include "lifecycle/deadlines.hpp"
#include "oauth/provider_error.hpp"

namespace rosterd::lifecycle {

enum class status_reason {
  none,                 ///< nothing to say: connected and nothing due soon
  renewal_due,          ///< the re-consent deadline is near or passed (its cause says which clock)
  renewal_failing,      ///< automatic renewal keeps failing for reasons that may pass
  password_changed,     ///< Meta 190/460
  app_removed,          ///< Meta 190/458, TikTok authorization.removed, Meta deauthorize
  login_expired,        ///< the platform says the grant expired (Meta 190/463, invalid_grant)
  session_ended,        ///< the grant is gone for a reason the platform did not give
  page_role_lost,       ///< Meta 190/492: no longer a role on the Page
  action_at_platform,   ///< the creator must do something at the platform first (checkpoint)
  permissions_missing,  ///< scopes the agency needs were not granted
  data_deleted,         ///< the creator asked the platform to delete their data
  setup_problem,        ///< our registration or request is wrong: an operator must look
  disconnected,         ///< removed by the creator or an admin
};

std::string_view to_string(status_reason r) noexcept;
std::optional<status_reason> parse_status_reason(std::string_view text) noexcept;

/// The reason a platform's refusal gives, for a connection the refusal ends or sets to error.
status_reason reason_for(const oauth::provider_error& e) noexcept;

/// The reason in plain words for the creator and their team: one sentence, no jargon, saying
/// what happened and what fixes it. `provider_name` is the platform as people know it
/// ("Instagram"); `due` is the connection's deadline (for renewal_due).
std::string describe_reason(status_reason r, std::string_view provider_name,
                            const std::optional<deadline>& due);

}  // namespace rosterd::lifecycle
