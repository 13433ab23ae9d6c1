#pragma once
// A creator's connected social profiles: one row per (creator, provider) with the platform
// account it reaches, its scopes and clocks, and its tokens as vault ciphertext bound to the row
// and column. Reads are scoped like every roster read: a connection of a creator the caller
// may not see answers not_found. Tokens never leave this file except through read_tokens(),
// which the refresh and broker code use.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/failure.hpp"
#include "base/secret.hpp"
#include "lifecycle/connection_pages.hpp"
#include "lifecycle/deadlines.hpp"
#include "lifecycle/status_reasons.hpp"
#include "oauth/token_responses.hpp"
#include "roster/clock.hpp"
#include "roster/model.hpp"
#include "store/database.hpp"
#include "vault/keyring.hpp"

namespace rosterd::lifecycle {

using roster::time_point;

enum class connection_status { connected, expiring, expired, revoked, error, disconnected };
std::string_view to_string(connection_status s) noexcept;
std::optional<connection_status> parse_connection_status(std::string_view text) noexcept;

struct connection_record {
  std::string id;
  std::string account_id;
  std::string creator_id;
  std::string provider;
  connection_status status = connection_status::connected;
  std::string status_changed_at;
  std::string external_id;
  std::string username;
  std::optional<std::string> previous_external_id;
  std::optional<std::string> account_changed_at;
  std::vector<std::string> requested_scopes;
  std::vector<std::string> granted_scopes;
  std::optional<std::string> access_expires_at;
  std::optional<std::string> refresh_expires_at;
  std::optional<std::string> data_access_expires_at;
  std::optional<std::string> reauth_due_at;
  std::string connected_at;
  std::optional<std::string> refreshed_at;
  std::optional<std::string> last_error;
  std::optional<std::string> last_error_at;
  bool has_refresh_token = false;
  std::vector<page_record> pages;  ///< Facebook Pages kept with page_tokens (no tokens here)
};

/// What a completed OAuth flow hands over to be stored.
struct new_grant {
  std::string provider;
  std::string external_id;
  std::vector<std::string> other_ids;  ///< more ids of the same account, for platform signals
  std::string username;
  std::vector<std::string> requested_scopes;
  std::vector<std::string> granted_scopes;
  base::secret access_token;
  std::optional<base::secret> refresh_token;
  std::optional<time_point> access_expires_at;
  std::optional<time_point> refresh_expires_at;
  std::optional<time_point> data_access_expires_at;
  std::optional<deadline> reconsent;  ///< reconsent_deadline() of the grant's clocks
  std::optional<time_point> next_refresh_at;
  std::vector<oauth::managed_page> pages;  ///< replaces the stored Pages (empty: none kept)
};

struct saved_connection {
  connection_record record;
  bool first_time = false;                  ///< no connection for this creator and provider before
  bool account_changed = false;             ///< a different platform account than the one before
  std::vector<std::string> missing_scopes;  ///< requested but not granted
};

/// Creates or replaces the creator's connection for `grant.provider`: tokens sealed, status
/// connected, errors cleared, the previous platform account remembered when it differs, its
/// other ids and its Pages (tokens sealed) replaced by the grant's, its re-consent deadline
/// and cause from `grant.reconsent`; the remaining reminder stages of the old deadline are
/// cancelled and a lifecycle check is asked for. Writes
/// the events the team sees (connected / reconnected, account_changed, scopes_missing) and an
/// audit entry, in the caller's transaction.
base::result<saved_connection> save_connection(store::database& db, const vault::keyring& keys,
                                               std::string_view account_id,
                                               std::string_view creator_id, const new_grant& grant,
                                               time_point now);

/// The connections of a creator the caller sees (not_found otherwise), by provider.
base::result<std::vector<connection_record>> list_connections(store::database& db,
                                                              const roster::caller& who,
                                                              std::string_view creator_id);

/// The connections of `creator_id` in `account_id`, by provider, without any visibility check:
/// for what already proved its right to them (a reconnect link names its creator).
base::result<std::vector<connection_record>> creator_connections(store::database& db,
                                                                 std::string_view account_id,
                                                                 std::string_view creator_id);

/// One connection of a creator the caller sees (not_found otherwise).
base::result<connection_record> get_connection(store::database& db, const roster::caller& who,
                                               std::string_view connection_id);

/// One connection by id, without any visibility check: for platform callbacks and jobs.
base::result<std::optional<connection_record>> find_connection(store::database& db,
                                                               std::string_view connection_id);

/// The decrypted tokens of a connection. not_connected when it holds none (disconnected,
/// deleted); the vault's errors when a ciphertext does not open (tampered, moved, wrong key).
struct token_pair {
  base::secret access_token;
  std::optional<base::secret> refresh_token;
};
base::result<token_pair> read_tokens(store::database& db, const vault::keyring& keys,
                                     std::string_view connection_id);

/// Who may disconnect: the creator themself, owners and admins (forbidden for agents and
/// service tokens; not_found when the caller does not see the creator).
base::result<connection_record> check_may_disconnect(store::database& db, const roster::caller& who,
                                                     std::string_view connection_id);

/// Deletes the tokens (the Pages' tokens too) and marks the connection disconnected (or revoked
/// when `status` says the platform revoked it) with `code` as its status reason, with an event
/// and, when `who` is set, an audit entry. The lifecycle is asked to look at it: the planned
/// reminder stages are cancelled, and a revoked connection's creator and team hear of it.
base::result<void> drop_tokens(store::database& db, const connection_record& connection,
                               connection_status status, status_reason code,
                               std::string_view reason, const std::optional<roster::caller>& who,
                               time_point now);

/// Appends an event about a creator's connection for their team to see.
base::result<void> add_event(store::database& db, std::string_view account_id,
                             std::string_view creator_id, std::string_view provider,
                             const std::optional<std::string>& connection_id, std::string_view kind,
                             std::string_view detail, time_point now);

struct connection_event {
  std::int64_t seq = 0;
  std::string at;
  std::string creator_id;
  std::string provider;
  std::optional<std::string> connection_id;
  std::string kind;
  std::string detail;
};

/// The events of a creator the caller sees, newest first, at most `limit`.
base::result<std::vector<connection_event>> list_events(store::database& db,
                                                        const roster::caller& who,
                                                        std::string_view creator_id, int limit);

}  // namespace rosterd::lifecycle
