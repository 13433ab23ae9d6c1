#pragma once
// Dates as people read them in a message: "14 December 2026".

#include <string>

#include "roster/clock.hpp"

namespace rosterd::lifecycle {

/// The UTC calendar date of `t` in words: "14 December 2026" (roster::date_in_words in UTC).
std::string date_in_words(roster::time_point t);

/// "in 7 days", "tomorrow", "today", "3 days ago": whole days from `now` to `t` (rounded down
/// toward the past, so "tomorrow" is 24-48 h ahead).
std::string days_in_words(roster::time_point t, roster::time_point now);

}  // namespace rosterd::lifecycle
