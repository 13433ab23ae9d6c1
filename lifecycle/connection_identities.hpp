#pragma once
// The other ids a platform gives a connected account (Instagram's app-scoped id next to the
// professional user_id, TikTok's union_id), so that a platform signal naming any of them finds
// the connection. The main id stays connections.external_id; these live in
// connection_identities (migration 0004).

#include <string>
#include <string_view>
#include <vector>

#include "base/failure.hpp"
#include "store/database.hpp"

namespace rosterd::lifecycle {

/// Replaces the other ids of `connection_id` with `other_ids` (duplicates and ids equal to
/// `external_id` are skipped), in the caller's transaction.
base::result<void> replace_other_ids(store::database& db, std::string_view connection_id,
                                     std::string_view provider, std::string_view external_id,
                                     const std::vector<std::string>& other_ids);

/// The other ids stored for a connection, sorted.
base::result<std::vector<std::string>> other_ids_of(store::database& db,
                                                    std::string_view connection_id);

/// The connections of `provider` that still hold tokens and whose main or other id is `id`.
base::result<std::vector<std::string>> live_connections_known_as(store::database& db,
                                                                 std::string_view provider,
                                                                 std::string_view id);

/// Every connection of `provider` whose main or other id is `id`, with or without tokens (a
/// data-deletion request reaches connections already revoked or disconnected). An empty `id`
/// matches nothing: erased connections keep an empty external_id.
base::result<std::vector<std::string>> connections_known_as(store::database& db,
                                                            std::string_view provider,
                                                            std::string_view id);

}  // namespace rosterd::lifecycle
