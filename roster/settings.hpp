#pragma once
// The roster's knobs, read from the daemon's config.

#include <chrono>
#include <string>

namespace rosterd::roster {

struct roster_settings {
  /// Base of the links in emails ("https://roster.example.com"), no trailing slash.
  std::string public_url = "http://127.0.0.1:8080";
  std::chrono::seconds invitation_ttl = std::chrono::hours(24 * 7);
  std::chrono::seconds password_reset_ttl = std::chrono::hours(1);
  /// Whether an address may be a creator and, on another creator's row, a team member.
  bool allow_creator_as_team_member = false;
};

}  // namespace rosterd::roster
