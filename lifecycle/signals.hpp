#pragma once
// What the platforms tell us on their own: a creator removed our app (Meta's deauthorize
// callback, TikTok's authorization.removed), or asked for their data to be deleted (Meta's
// data-deletion callback). The signature checks live in oauth/; this is what follows from a
// verified signal: the matching connections lose their tokens, the team sees an event.

#include <cstdint>
#include <string>
#include <string_view>

#include "base/failure.hpp"
#include "roster/clock.hpp"
#include "store/database.hpp"

namespace rosterd::lifecycle {

using roster::time_point;

/// Drops the tokens of every live connection of `provider` to platform account `external_id`
/// (its main id or one of its other ids, such as Instagram's app-scoped id), marking them
/// revoked with `reason`. Returns how many there were (0 is normal: a user we
/// never connected, or already handled).
base::result<std::int64_t> revoke_by_platform(store::database& db, std::string_view provider,
                                              std::string_view external_id, std::string_view reason,
                                              time_point now);

/// A data-deletion request: the tokens go (as revoke_by_platform) and the request is recorded
/// under `confirmation_code` for the status page the platform links to.
base::result<std::int64_t> record_data_deletion(store::database& db, std::string_view provider,
                                                std::string_view external_id,
                                                std::string_view confirmation_code, time_point now);

struct deletion_status {
  std::string confirmation_code;
  std::string provider;
  std::string received_at;
  std::int64_t connections_affected = 0;
};
/// The recorded request, or roster::errc::not_found.
base::result<deletion_status> find_data_deletion(store::database& db,
                                                 std::string_view confirmation_code);

/// Records an inbound event key; false when it was seen before (webhooks arrive at least once).
base::result<bool> first_delivery(store::database& db, std::string_view provider,
                                  std::string_view event_key, time_point now);

}  // namespace rosterd::lifecycle
