#pragma once
// What the platforms tell us on their own: a creator removed our app (Meta's deauthorize
// callback, TikTok's authorization.removed), or asked for their data to be deleted (Meta's
// data-deletion callback). The signature checks live in oauth/; this is what follows from a
// verified signal: the matching connections lose their tokens (and, for a deletion, everything
// that identifies the platform account), the team sees an event.
//
// A signal speaks about the grants that existed when the platform issued it: a connection made
// after that moment (the creator added the app again) is never touched by it, however late the
// signal arrives or however often it is delivered.

#include <cstdint>
#include <string>
#include <string_view>

#include "base/failure.hpp"
#include "roster/clock.hpp"
#include "store/database.hpp"

namespace rosterd::lifecycle {

using roster::time_point;

/// Drops the tokens of every live connection of `provider` to platform account `external_id`
/// (its main id or one of its other ids, such as Instagram's app-scoped id) that was connected
/// before `issued_at` (the signal's own time, to the second), marking them revoked with
/// `reason`. Returns how many it revoked (0 is normal: a user we never connected, one already
/// handled, or one who connected again since).
base::result<std::int64_t> revoke_by_platform(store::database& db, std::string_view provider,
                                              std::string_view external_id, std::string_view reason,
                                              time_point issued_at, time_point now);

/// A data-deletion request: every connection of `provider` known as `external_id` (with tokens
/// or not) that was connected before `issued_at` loses its tokens and everything naming the
/// platform account: its ids and username, its Pages, the details of its events (and of the
/// creator's connect events for that platform) and of its audit entries. The rows themselves
/// stay, so the team still sees that the creator's connection to that platform is gone, and an
/// event and audit entry say it was deleted. The request is recorded under
/// `confirmation_code` for the status page the platform links to, without the platform id.
/// Returns how many connections it erased.
base::result<std::int64_t> record_data_deletion(store::database& db, std::string_view provider,
                                                std::string_view external_id,
                                                std::string_view confirmation_code,
                                                time_point issued_at, time_point now);

struct deletion_status {
  std::string confirmation_code;
  std::string provider;
  std::string received_at;
  std::int64_t connections_affected = 0;
};
/// The recorded request, or roster::errc::not_found.
base::result<deletion_status> find_data_deletion(store::database& db,
                                                 std::string_view confirmation_code);

/// Records an inbound event key; false when it was seen before (webhooks arrive at least once,
/// and a captured signal may be sent again). Keys must not name the platform user.
base::result<bool> first_delivery(store::database& db, std::string_view provider,
                                  std::string_view event_key, time_point now);

}  // namespace rosterd::lifecycle
