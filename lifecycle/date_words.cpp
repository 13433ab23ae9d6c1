#include "lifecycle/date_words.hpp"

#include <array>
#include <chrono>

namespace rosterd::lifecycle {

std::string date_in_words(roster::time_point t) {
  static constexpr std::array<const char*, 12> months{
      "January", "February", "March",     "April",   "May",      "June",
      "July",    "August",   "September", "October", "November", "December"};
  const std::chrono::year_month_day day{std::chrono::floor<std::chrono::days>(t)};
  return std::to_string(static_cast<unsigned>(day.day())) + " " +
         months.at(static_cast<unsigned>(day.month()) - 1) + " " +
         std::to_string(static_cast<int>(day.year()));
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
