#pragma once
// The roster's vocabulary: roles, who is asking (the caller), and the records the queries
// return. Plain structs: the HTTP edge turns them into JSON, the CLI into text.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rosterd::roster {

/// A person's role in one account. Owners and admins see the whole account; agents see the
/// creators whose group they are in; creators see themselves. Visibility never comes from the
/// role alone for agents and creators: it is computed from group membership on every query.
enum class role { owner, admin, agent, creator };

std::string_view to_string(role r) noexcept;
std::optional<role> parse_role(std::string_view text) noexcept;

/// Who is making a request, resolved afresh for every request from the session or token (no
/// cached grants: an unassignment or a disabled account counts on the next request).
struct caller {
  enum class kind { user, service_token };
  kind who = kind::user;
  std::string account_id;
  std::string user_id;   // empty for a service token
  std::string token_id;  // the API token used, if any
  role member_role = role::creator;
  std::string label;  // the user's email or the token's name, for the audit log
  /// When the API token used ends (ISO-8601 UTC), if it was a token with an end.
  std::optional<std::string> token_expires_at;

  [[nodiscard]] bool is_service() const noexcept { return who == kind::service_token; }
  /// Owners and admins: the whole account, for reading and changing.
  [[nodiscard]] bool is_admin() const noexcept {
    return who == kind::user && (member_role == role::owner || member_role == role::admin);
  }
  /// Admins and service tokens read every creator of the account.
  [[nodiscard]] bool reads_whole_account() const noexcept { return is_admin() || is_service(); }
};

struct account_record {
  std::string id;
  std::string name;
  std::string status;
  bool agents_use_tokens = false;
  std::string created_at;
  std::optional<role> my_role;  // filled when listed for a user
};

struct person {
  std::string user_id;
  std::string email;
  std::string display_name;
};

struct creator_record {
  std::string id;
  std::string account_id;
  std::string user_id;
  std::string email;
  std::string display_name;
  bool existing_account = false;
  std::string status;
  std::string group_id;
  std::string group_name;
  std::string created_at;
  std::vector<person> team;  // filled by get_creator, empty in lists
};

struct member_record {
  std::string user_id;
  std::string email;
  std::string display_name;
  role member_role = role::agent;
  std::string status;  // active | disabled
  /// The person has joined this account (accepted its invitation). Says nothing about other
  /// accounts: whether they sign in elsewhere is not this account's to know.
  bool joined = false;
  std::string created_at;
};

/// How an invitation stands. `expired` is never stored: a pending invitation past its expiry
/// reads as expired.
enum class invitation_status { pending, accepted, expired, revoked, bounced };

std::string_view to_string(invitation_status s) noexcept;
std::optional<invitation_status> parse_invitation_status(std::string_view text) noexcept;

struct invitation_record {
  std::string id;
  std::string account_id;
  std::string user_id;
  std::string email;
  role kind = role::creator;
  invitation_status status = invitation_status::pending;
  int sends = 0;
  std::string created_at;
  std::string last_sent_at;
  std::string expires_at;
  std::optional<std::string> accepted_at;
  std::optional<std::string> revoked_at;
  /// Creators this person is invited for (their own profile, or the teams they join).
  std::vector<std::string> creator_names;
};

struct audit_record {
  std::int64_t seq = 0;
  std::string at;
  std::string actor_kind;
  std::string actor_id;
  std::string actor_label;
  std::string action;
  std::string target_kind;
  std::string target_id;
  std::string creator_id;
  std::string detail;
};

/// A page of a list, ordered; `next` is an opaque cursor for the following page.
template <class T>
struct page {
  std::vector<T> items;
  std::optional<std::string> next;
};

}  // namespace rosterd::roster
