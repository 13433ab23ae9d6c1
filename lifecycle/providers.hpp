#pragma once
// The OAuth providers this deployment has enabled, resolved (profile + client credentials +
// redirect URI), by id. Built once at start from the configuration.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "oauth/profile.hpp"

namespace rosterd::lifecycle {

class provider_registry {
 public:
  void add(oauth::provider p);
  /// The provider `id`, or null when it is not enabled here.
  [[nodiscard]] const oauth::provider* find(std::string_view id) const;
  /// The enabled ids, sorted.
  [[nodiscard]] std::vector<std::string> ids() const;
  [[nodiscard]] bool empty() const noexcept { return providers_.empty(); }

 private:
  std::map<std::string, oauth::provider, std::less<>> providers_;
};

}  // namespace rosterd::lifecycle
