#pragma once
// Header field values as RFC 9110 writes them: optional whitespace (spaces and tabs) around
// list items, parameters and pairs.

#include <string_view>

namespace rosterd::http {

/// `s` without the optional whitespace (OWS: spaces and tabs) at either end.
[[nodiscard]] constexpr std::string_view trim_ows(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace rosterd::http
