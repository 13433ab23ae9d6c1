#include <charconv>
#include <optional>

#include "setup/config.hpp"

namespace rosterd::setup {
namespace {

struct unit {
  std::string_view suffix;
  std::chrono::milliseconds size;
};
// Longest suffix first so "ms" is not read as "m".
constexpr unit units[] = {
    {"ms", std::chrono::milliseconds(1)}, {"s", std::chrono::seconds(1)},
    {"m", std::chrono::minutes(1)},       {"h", std::chrono::hours(1)},
    {"d", std::chrono::hours(24)},
};

}  // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  if (text.empty()) {
    return std::nullopt;
  }
  std::chrono::milliseconds total{0};
  while (!text.empty()) {
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || end == text.data() || n < 0) {
      return std::nullopt;
    }
    text.remove_prefix(static_cast<std::size_t>(end - text.data()));
    const unit* matched = nullptr;
    for (const auto& u : units) {
      if (text.substr(0, u.suffix.size()) == u.suffix) {
        matched = &u;
        break;
      }
    }
    if (matched == nullptr) {
      return std::nullopt;  // a bare number is ambiguous: the unit is required
    }
    text.remove_prefix(matched->suffix.size());
    constexpr std::int64_t limit = std::int64_t{100} * 365 * 24 * 3600 * 1000;  // 100 years
    if (n > limit / matched->size.count()) {
      return std::nullopt;
    }
    total += matched->size * n;
    if (total.count() > limit) {
      return std::nullopt;
    }
  }
  return total;
}

std::string format_duration(std::chrono::milliseconds d) {
  if (d.count() == 0) {
    return "0s";
  }
  for (auto it = std::rbegin(units); it != std::rend(units); ++it) {
    if (d.count() % it->size.count() == 0) {
      return std::to_string(d.count() / it->size.count()) + std::string(it->suffix);
    }
  }
  return std::to_string(d.count()) + "ms";
}

}  // namespace rosterd::setup
