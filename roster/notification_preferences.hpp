#pragma once
// How a person wants their alerts about creators' connections: at once, or gathered into one
// daily digest at a local hour of their own time zone (an IANA name such as Europe/Paris, so
// the hour stays right across daylight-saving changes). No stored row means the defaults:
// immediate, 09:00, UTC.

#include <optional>
#include <string>
#include <string_view>

#include "base/failure.hpp"
#include "roster/clock.hpp"
#include "store/database.hpp"

namespace rosterd::roster {

enum class alert_delivery { immediate, digest };
std::string_view to_string(alert_delivery d) noexcept;
std::optional<alert_delivery> parse_alert_delivery(std::string_view text) noexcept;

struct notification_preferences {
  alert_delivery delivery = alert_delivery::immediate;
  int digest_hour = 9;  ///< 0-23, local wall-clock hour in time_zone
  std::string time_zone = "UTC";
  std::optional<std::string> updated_at;  ///< absent while the defaults apply
};

/// What a person asks to change; fields left empty keep their current value.
struct preference_change {
  std::optional<std::string> delivery;  ///< "immediate" or "digest"
  std::optional<long long> digest_hour;
  std::optional<std::string> time_zone;
};

/// The person's preferences, or the defaults when they never set any.
base::result<notification_preferences> read_notification_preferences(store::database& db,
                                                                     std::string_view user_id);

/// Applies `change` over the stored (or default) preferences and stores the result, inside the
/// caller's transaction. Fails with invalid_argument and a message naming the field
/// ("time_zone: Europe/Pariss is not a time zone; ...") when a value is not allowed; nothing
/// is written then.
base::result<notification_preferences> save_notification_preferences(
    store::database& db, std::string_view user_id, const preference_change& change, time_point now);

/// Succeeds when `name` is a zone in the system's tz database; otherwise invalid_argument with
/// a message for the person ("time_zone: ... is not a time zone; use an IANA name such as
/// Europe/Paris").
base::result<void> check_time_zone(std::string_view name);

/// The next moment strictly after `now` when the wall clock in prefs.time_zone reads
/// digest_hour:00. A local hour that does not exist that day (clocks jump forward over it)
/// moves to the first instant after the jump; an hour that happens twice (clocks go back) is
/// taken at its first occurrence. An unknown zone counts as UTC (stored zones were checked).
time_point next_digest_at(const notification_preferences& prefs, time_point now);

/// The calendar date of `t` in `time_zone` as people write it: "14 December 2026" (UTC when
/// the zone is unknown).
std::string date_in_words(time_point t, std::string_view time_zone);

}  // namespace rosterd::roster
