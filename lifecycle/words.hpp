#pragma once
// Space-separated lists (providers, scopes) as the lifecycle tables store them.

#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace rosterd::lifecycle::detail {

inline std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> out;
  std::istringstream in{std::string(text)};
  for (std::string word; in >> word;) {
    out.push_back(word);
  }
  return out;
}

inline std::string join_words(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) {
    out += (out.empty() ? "" : " ") + w;
  }
  return out;
}

}  // namespace rosterd::lifecycle::detail
