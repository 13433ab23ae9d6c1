// What a SIGHUP reload cannot apply. Each section (and each provider) is compared as a whole,
// so a field added later needs a restart without being listed here; the rendered TOML then
// names the keys that differ.

#include <set>

#include "setup/config_table.hpp"

namespace rosterd::setup {
namespace {

// Appends the dotted keys whose values differ between two rendered tables. A table on one side
// only counts as empty on the other, so a key set for the first time is named itself.
void differing_keys(const toml::table& a, const toml::table& b, const std::string& prefix,
                    std::vector<std::string>& out) {
  static const toml::table empty;
  std::set<std::string_view> names;
  for (const auto& [key, node] : a) {
    names.insert(key.str());
  }
  for (const auto& [key, node] : b) {
    names.insert(key.str());
  }
  for (const auto name : names) {
    const auto key = prefix.empty() ? std::string(name) : prefix + "." + std::string(name);
    const auto* x = a.get(name);
    const auto* y = b.get(name);
    const auto* x_table = x == nullptr ? &empty : x->as_table();
    const auto* y_table = y == nullptr ? &empty : y->as_table();
    if (x_table != nullptr && y_table != nullptr) {
      differing_keys(*x_table, *y_table, key, out);
    } else if (x == nullptr || y == nullptr ||
               toml::node_view<const toml::node>(x) != toml::node_view<const toml::node>(y)) {
      out.push_back(key);
    }
  }
}

// Moves the keys that are `prefix` or under it from `from` to the end of `to`; how many.
std::size_t take(std::vector<std::string>& from, const std::string& prefix,
                 std::vector<std::string>& to) {
  std::size_t moved = 0;
  std::erase_if(from, [&](const std::string& key) {
    if (key != prefix && key.rfind(prefix + ".", 0) != 0) {
      return false;
    }
    to.push_back(key);
    ++moved;
    return true;
  });
  return moved;
}

const oauth_provider_config* find_provider(const oauth_config& o, const std::string& id) {
  for (const auto& p : o.providers) {
    if (p.id == id) {
      return &p;
    }
  }
  return nullptr;
}

// [oauth] without its providers, which are compared one by one.
oauth_config without_providers(oauth_config o) {
  o.providers.clear();
  return o;
}

}  // namespace

std::vector<std::string> keys_needing_restart(const config& running, const config& reloaded) {
  std::vector<std::string> rendered;
  differing_keys(detail::config_table(running), detail::config_table(reloaded), "", rendered);
  std::vector<std::string> keys;
  std::vector<std::string> ignored;
  // A part that differs in a way the rendering does not show is named as a whole.
  const auto part = [&rendered](const std::string& name, bool same, std::vector<std::string>& to) {
    if (take(rendered, name, to) == 0 && !same) {
      to.push_back(name);
    }
  };
  part("server", running.server == reloaded.server, keys);
  part("store", running.store == reloaded.store, keys);
  part("roster", running.roster == reloaded.roster, keys);
  part("sessions", running.sessions == reloaded.sessions, keys);
  part("passwords", running.passwords == reloaded.passwords, keys);
  part("mail", running.mail == reloaded.mail, keys);
  part("vault", running.vault == reloaded.vault, keys);
  std::set<std::string> ids;
  for (const auto* o : {&running.oauth, &reloaded.oauth}) {
    for (const auto& p : o->providers) {
      ids.insert(p.id);
    }
  }
  std::vector<std::string> provider_keys;
  for (const auto& id : ids) {
    const auto* before = find_provider(running.oauth, id);
    const auto* after = find_provider(reloaded.oauth, id);
    const auto name = "oauth.providers." + id;
    if (before == nullptr || after == nullptr) {
      take(rendered, name, ignored);
      provider_keys.push_back(name);  // added or removed: named as a whole
      continue;
    }
    part(name, *before == *after, provider_keys);
  }
  part("oauth", without_providers(running.oauth) == without_providers(reloaded.oauth), keys);
  keys.insert(keys.end(), provider_keys.begin(), provider_keys.end());
  part("lifecycle", running.lifecycle == reloaded.lifecycle, keys);
  part("webhooks", running.webhooks == reloaded.webhooks, keys);
  part("metrics", running.metrics == reloaded.metrics, keys);
  // The reload applies the reminder stages itself.
  take(rendered, "reminders", ignored);
  // The reload applies the log levels itself.
  take(rendered, "log", ignored);
  // A section not listed above is still reported, by its rendered keys.
  keys.insert(keys.end(), rendered.begin(), rendered.end());
  return keys;
}

}  // namespace rosterd::setup
