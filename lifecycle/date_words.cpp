#include "lifecycle/date_words.hpp"

#include <chrono>

#include "roster/notification_preferences.hpp"

namespace rosterd::lifecycle {

std::string date_in_words(roster::time_point t) {
  return roster::date_in_words(t, "UTC");
}

std::string days_in_words(roster::time_point t, roster::time_point now) {
  const auto days = std::chrono::floor<std::chrono::days>(t - now).count();
  if (days == 0) {
    return t >= now ? "within a day" : "today";
  }
  if (days == 1) {
    return "tomorrow";
  }
  if (days > 1) {
    return "in " + std::to_string(days) + " days";
  }
  if (days == -1) {
    return "a day ago";
  }
  return std::to_string(-days) + " days ago";
}

}  // namespace rosterd::lifecycle
