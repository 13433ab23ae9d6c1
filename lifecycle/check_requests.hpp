#pragma once
// Asking the lifecycle to look at a connection now. Every place that changes what a
// connection's deadline or status is (a connect, a renewal, a failing renewal, a platform
// signal, a disconnect) calls this in its own transaction, so the check cannot be lost between
// the change and the reminder it calls for.

#include <string_view>

#include "base/failure.hpp"
#include "roster/clock.hpp"
#include "store/database.hpp"

namespace rosterd::lifecycle {

inline constexpr std::string_view connection_check_kind = "connection_check";

/// Schedules a check of the connection at `now`. With `cancel_planned`, the checks planned for
/// its old deadline are cancelled first: a reconnect cancels the remaining stages at once.
base::result<void> request_connection_check(store::database& db, std::string_view connection_id,
                                            roster::time_point now, bool cancel_planned = false);

}  // namespace rosterd::lifecycle
