#include "roster/model.hpp"

namespace rosterd::roster {

std::string_view to_string(role r) noexcept {
  switch (r) {
    case role::owner:
      return "owner";
    case role::admin:
      return "admin";
    case role::agent:
      return "agent";
    case role::creator:
      return "creator";
  }
  return "creator";
}

std::optional<role> parse_role(std::string_view text) noexcept {
  for (auto r : {role::owner, role::admin, role::agent, role::creator}) {
    if (text == to_string(r)) {
      return r;
    }
  }
  return std::nullopt;
}

std::string_view to_string(invitation_status s) noexcept {
  switch (s) {
    case invitation_status::pending:
      return "pending";
    case invitation_status::accepted:
      return "accepted";
    case invitation_status::expired:
      return "expired";
    case invitation_status::revoked:
      return "revoked";
    case invitation_status::bounced:
      return "bounced";
  }
  return "pending";
}

std::optional<invitation_status> parse_invitation_status(std::string_view text) noexcept {
  for (auto s :
       {invitation_status::pending, invitation_status::accepted, invitation_status::expired,
        invitation_status::revoked, invitation_status::bounced}) {
    if (text == to_string(s)) {
      return s;
    }
  }
  return std::nullopt;
}

}  // namespace rosterd::roster
