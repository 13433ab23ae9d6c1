#pragma once
// The token broker: other services of the agency (its service tokens, and the agents on a
// creator's team where the account allows it) fetch a creator's current access token instead
// of holding their own copy. The token is refreshed first when it expires within a margin;
// every token handed out is in the audit log under the creator, so the creator reads who used
// their connection and when.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/failure.hpp"
#include "base/secret.hpp"
#include "lifecycle/connections.hpp"
#include "lifecycle/refresh.hpp"
#include "roster/model.hpp"
#include "store/database.hpp"
#include "vault/keyring.hpp"

namespace rosterd::lifecycle {

/// The connection, if `who` may take its access token: a service token of the account, or an
/// agent on the creator's team when the account has agents_use_tokens. not_found when the
/// caller does not see the connection, forbidden for everyone else (owners and admins use a
/// service token: tokens never go to a browser session by default).
base::result<connection_record> check_may_use_token(store::database& db, const roster::caller& who,
                                                    std::string_view connection_id);

struct issued_token {
  connection_record connection;
  std::optional<base::secret> access_token;  ///< absent when refused
  std::optional<base::failure> refused;      ///< needs_reconnect or refresh_unavailable
};

/// After the refresh step: hands out the stored access token, or says why not, and records
/// either in the audit log (in the caller's write transaction, so commit even when refused).
/// Refused with needs_reconnect when the connection holds no usable token (revoked, or its
/// access token has expired and cannot be renewed), with refresh_unavailable when it expired
/// and the refresh failed only for now (`refresh.retry_at` says when to try again).
base::result<issued_token> issue_token(store::database& db, const vault::keyring& keys,
                                       const roster::caller& who, std::string_view connection_id,
                                       const refresh_report& refresh, time_point now);

/// Who took the connection's access token and when, newest first (anyone who sees the
/// connection: the creator, their team, admins).
base::result<std::vector<roster::audit_record>> list_token_uses(store::database& db,
                                                                const roster::caller& who,
                                                                std::string_view connection_id,
                                                                int limit);

}  // namespace rosterd::lifecycle
