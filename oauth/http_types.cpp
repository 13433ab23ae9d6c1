#include "oauth/http_types.hpp"

#include <algorithm>
#include <cctype>

namespace rosterd::oauth {

std::optional<std::string> http_response::header(std::string_view name) const {
  const auto same = [&](const std::string& candidate) {
    return candidate.size() == name.size() &&
           std::equal(candidate.begin(), candidate.end(), name.begin(), [](char a, char b) {
             return std::tolower(static_cast<unsigned char>(a)) ==
                    std::tolower(static_cast<unsigned char>(b));
           });
  };
  for (const auto& [key, value] : headers) {
    if (same(key)) {
      return value;
    }
  }
  return std::nullopt;
}

std::string redact_url(std::string_view url) {
  const auto cut = url.find_first_of("?#");
  return std::string(url.substr(0, cut));
}

}  // namespace rosterd::oauth
