#include "roster/notification_preferences.hpp"

#include <array>
#include <date/tz.h>

#include "roster/error.hpp"
#include "store/sql.hpp"

namespace rosterd::roster {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

/// The zone, or null when the tz database has no such name. The database is read from the
/// system's tzdata once, on first use.
const date::time_zone* find_zone(std::string_view name) {
  if (name.empty() || name.size() > 64) {
    return nullptr;
  }
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return nullptr;
  }
}

const date::time_zone& zone_or_utc(std::string_view name) {
  if (const auto* z = find_zone(name)) {
    return *z;
  }
  return *date::locate_zone("UTC");
}

/// The instant the wall clock in `zone` reads `local`: a time skipped by a jump forward maps to
/// the instant of the jump (the first one after the gap); a time that happens twice maps to
/// the first.
date::sys_seconds resolve(const date::time_zone& zone, date::local_seconds local) {
  const auto info = zone.get_info(local);
  switch (info.result) {
    case date::local_info::nonexistent:
      return info.second.begin;
    case date::local_info::ambiguous:
    case date::local_info::unique:
    default:
      return date::sys_seconds{local.time_since_epoch() - info.first.offset};
  }
}

}  // namespace

std::string_view to_string(alert_delivery d) noexcept {
  return d == alert_delivery::digest ? "digest" : "immediate";
}

std::optional<alert_delivery> parse_alert_delivery(std::string_view text) noexcept {
  if (text == "immediate") {
    return alert_delivery::immediate;
  }
  if (text == "digest") {
    return alert_delivery::digest;
  }
  return std::nullopt;
}

base::result<void> check_time_zone(std::string_view name) {
  if (find_zone(name) != nullptr) {
    return {};
  }
  const std::string shown = name.empty() ? "an empty name" : std::string(name);
  return base::reject(errc::invalid_argument,
                      "time_zone: " + shown +
                          " is not a time zone; use an IANA name such as Europe/Paris, "
                          "America/New_York or UTC");
}

base::result<notification_preferences> read_notification_preferences(store::database& db,
                                                                     std::string_view user_id) {
  auto row = store::sql::first(
      db,
      "SELECT delivery, digest_hour, time_zone, updated_at FROM notification_preferences "
      "WHERE user_id = ?",
      [](store::statement& s) {
        notification_preferences p;
        p.delivery = parse_alert_delivery(s.column_text(0)).value_or(alert_delivery::immediate);
        p.digest_hour = static_cast<int>(s.column_int64(1));
        p.time_zone = s.column_text(2);
        p.updated_at = s.column_text(3);
        return p;
      },
      user_id);
  if (!row) {
    return row.error();
  }
  return row->value_or(notification_preferences{});
}

base::result<notification_preferences> save_notification_preferences(
    store::database& db, std::string_view user_id, const preference_change& change,
    time_point now) {
  auto current = read_notification_preferences(db, user_id);
  if (!current) {
    return current.error();
  }
  auto next = *current;
  if (change.delivery) {
    auto d = parse_alert_delivery(*change.delivery);
    if (!d) {
      return base::reject(errc::invalid_argument,
                          "delivery: \"" + *change.delivery +
                              "\" is not a delivery; use \"immediate\" or \"digest\"");
    }
    next.delivery = *d;
  }
  if (change.digest_hour) {
    if (*change.digest_hour < 0 || *change.digest_hour > 23) {
      return base::reject(errc::invalid_argument,
                          "digest_hour: " + std::to_string(*change.digest_hour) +
                              " is not an hour; use a whole number from 0 to 23");
    }
    next.digest_hour = static_cast<int>(*change.digest_hour);
  }
  if (change.time_zone) {
    if (auto ok = check_time_zone(*change.time_zone); !ok) {
      return ok.error();
    }
    // The database's own spelling, so "utc" is not stored next to "UTC".
    next.time_zone = std::string(find_zone(*change.time_zone)->name());
  }
  next.updated_at = stamp(now);
  auto saved = store::sql::run(
      db,
      "INSERT INTO notification_preferences (user_id, delivery, digest_hour, time_zone, "
      "updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET "
      "delivery = excluded.delivery, digest_hour = excluded.digest_hour, "
      "time_zone = excluded.time_zone, updated_at = excluded.updated_at",
      user_id, to_string(next.delivery), next.digest_hour, next.time_zone, *next.updated_at);
  if (!saved) {
    return saved.error();
  }
  return next;
}

time_point next_digest_at(const notification_preferences& prefs, time_point now) {
  const auto& zone = zone_or_utc(prefs.time_zone);
  const auto now_s = date::floor<seconds>(now);
  const auto local_now = zone.to_local(now_s);
  const auto today = date::floor<date::days>(local_now);
  // Yesterday's hour can still lie ahead in UTC terms only around a jump; checking from the day
  // before to two days after covers every offset change the database has.
  for (int d = -1; d <= 2; ++d) {
    const auto local = date::local_seconds{today + date::days{d}} + hours{prefs.digest_hour};
    const auto at = resolve(zone, local);
    if (at > now) {
      return time_point{std::chrono::duration_cast<time_point::duration>(at.time_since_epoch())};
    }
  }
  // Never reached (two days ahead is always later); a day from now keeps the caller going.
  return now + hours{24};
}

std::string date_in_words(time_point t, std::string_view time_zone) {
  static constexpr std::array<const char*, 12> months{
      "January", "February", "March",     "April",   "May",      "June",
      "July",    "August",   "September", "October", "November", "December"};
  const auto& zone = zone_or_utc(time_zone);
  const auto local = zone.to_local(date::floor<seconds>(t));
  const date::year_month_day ymd{date::floor<date::days>(local)};
  return std::to_string(static_cast<unsigned>(ymd.day())) + " " +
         months[static_cast<unsigned>(ymd.month()) - 1] + " " +
         std::to_string(static_cast<int>(ymd.year()));
}

}  // namespace rosterd::roster
