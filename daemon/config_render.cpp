#include <sstream>

#include <toml++/toml.h>

#include "daemon/config.hpp"

namespace rosterd::daemon {

std::string render_config(const config& c) {
  const auto& s = c.server;
  toml::array listen;
  for (const auto& a : s.listen) {
    listen.push_back(a);
  }
  toml::table tls{{"enabled", s.tls.enabled}};
  // Unset files have no default and are left out, so the output parses back as it is.
  if (!s.tls.cert_file.empty()) {
    tls.insert("cert_file", s.tls.cert_file.string());
  }
  if (!s.tls.key_file.empty()) {
    // Only the reference is shown; the key's bytes are never read for printing.
    tls.insert("key_file", s.tls.key_file.reference);
  }
  toml::table server{
      {"listen", listen},
      {"public_url", s.public_url},
      {"workers", static_cast<std::int64_t>(s.workers)},
      {"max_connections", static_cast<std::int64_t>(s.max_connections)},
      {"max_body_bytes", static_cast<std::int64_t>(s.max_body_bytes)},
      {"max_header_bytes", static_cast<std::int64_t>(s.max_header_bytes)},
      {"max_header_count", static_cast<std::int64_t>(s.max_header_count)},
      {"idle_timeout", format_duration(s.idle_timeout)},
      {"header_timeout", format_duration(s.header_timeout)},
      {"body_timeout", format_duration(s.body_timeout)},
      {"write_timeout", format_duration(s.write_timeout)},
      {"handshake_timeout", format_duration(s.handshake_timeout)},
      {"shutdown_grace", format_duration(s.shutdown_grace)},
      {"tls", tls},
  };
  toml::table store{
      {"path", c.store.path.string()},
      {"busy_timeout", format_duration(c.store.busy_timeout)},
      {"read_connections", static_cast<std::int64_t>(c.store.read_connections)},
  };
  toml::table modules;
  for (const auto& [module, level] : c.log.modules) {
    modules.insert(module, level);
  }
  toml::table log{{"level", c.log.level}, {"modules", modules}};
  toml::table root{{"server", server}, {"store", store}, {"log", log}};
  std::ostringstream out;
  out << "# Effective configuration from " << c.source.string()
      << " (defaults filled in; secrets shown by reference only)\n"
      << root << '\n';
  return out.str();
}

}  // namespace rosterd::daemon
