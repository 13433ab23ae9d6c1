#include "lifecycle/providers.hpp"

namespace rosterd::lifecycle {

void provider_registry::add(oauth::provider p) {
  auto id = p.profile.id;
  providers_.insert_or_assign(std::move(id), std::move(p));
}

const oauth::provider* provider_registry::find(std::string_view id) const {
  const auto it = providers_.find(id);
  return it == providers_.end() ? nullptr : &it->second;
}

std::vector<std::string> provider_registry::ids() const {
  std::vector<std::string> out;
  for (const auto& [id, p] : providers_) {
    out.push_back(id);
  }
  return out;
}

}  // namespace rosterd::lifecycle
