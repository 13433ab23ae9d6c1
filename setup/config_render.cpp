#include <sstream>

#include "setup/config_table.hpp"

namespace rosterd::setup {
namespace {

// The block as it is written: a single address without its full-length prefix.
std::string network_text(const base::ip_network& n) {
  const unsigned single = n.base.is_v4() ? 32 : 128;
  const auto address = n.base.to_string();
  return n.prefix_length == single ? address : address + "/" + std::to_string(n.prefix_length);
}

std::string word(auto value) {
  return std::string(config_word(value));
}

toml::array duration_array(const std::vector<std::chrono::milliseconds>& list) {
  toml::array out;
  for (const auto d : list) {
    out.push_back(format_duration(d));
  }
  return out;
}

toml::table reminder_table(const reminder_config& r) {
  return toml::table{{"creator_stages", duration_array(r.creator_before)},
                     {"creator_after_every", format_duration(r.creator_after_every)},
                     {"creator_after_count", r.creator_after_count},
                     {"team_stages", duration_array(r.team_before)},
                     {"team_on_expiry", r.team_on_expiry}};
}

}  // namespace

namespace detail {

toml::table config_table(const config& c) {
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
  toml::array trusted_proxies;
  for (const auto& p : s.trusted_proxies) {
    trusted_proxies.push_back(network_text(p));
  }
  toml::table server{
      {"listen", listen},
      {"public_url", s.public_url},
      {"workers", static_cast<std::int64_t>(s.workers)},
      {"max_connections", static_cast<std::int64_t>(s.max_connections)},
      {"max_connections_per_peer", static_cast<std::int64_t>(s.max_connections_per_peer)},
      {"max_body_bytes", static_cast<std::int64_t>(s.max_body_bytes)},
      {"max_header_bytes", static_cast<std::int64_t>(s.max_header_bytes)},
      {"max_header_count", static_cast<std::int64_t>(s.max_header_count)},
      {"idle_timeout", format_duration(s.idle_timeout)},
      {"header_timeout", format_duration(s.header_timeout)},
      {"body_timeout", format_duration(s.body_timeout)},
      {"write_timeout", format_duration(s.write_timeout)},
      {"handshake_timeout", format_duration(s.handshake_timeout)},
      {"shutdown_grace", format_duration(s.shutdown_grace)},
      {"trusted_proxies", trusted_proxies},
      {"forwarded_header", word(s.forwarded_header)},
      {"tls", tls},
  };
  toml::table store{
      {"path", c.store.path.string()},
      {"busy_timeout", format_duration(c.store.busy_timeout)},
      {"read_connections", static_cast<std::int64_t>(c.store.read_connections)},
  };
  toml::table roster{
      {"invitation_ttl", format_duration(c.roster.invitation_ttl)},
      {"password_reset_ttl", format_duration(c.roster.password_reset_ttl)},
      {"allow_creator_as_team_member", c.roster.allow_creator_as_team_member},
  };
  toml::table sessions{
      {"idle_timeout", format_duration(c.sessions.idle_timeout)},
      {"absolute_timeout", format_duration(c.sessions.absolute_timeout)},
  };
  toml::table passwords{
      {"memory_kib", static_cast<std::int64_t>(c.passwords.memory_kib)},
      {"iterations", static_cast<std::int64_t>(c.passwords.iterations)},
      {"parallelism", static_cast<std::int64_t>(c.passwords.parallelism)},
      {"hashing_threads", static_cast<std::int64_t>(c.passwords.hashing_threads)},
      {"hash_queue_limit", static_cast<std::int64_t>(c.passwords.hash_queue_limit)},
  };
  const auto& m = c.mail;
  toml::table mail{
      {"smtp_url", m.smtp_url},
      {"tls", word(m.tls)},
      {"from_address", m.from_address},
      {"from_name", m.from_name},
      {"connect_timeout", format_duration(m.connect_timeout)},
      {"total_timeout", format_duration(m.total_timeout)},
      {"retry_initial", format_duration(m.retry_initial)},
      {"retry_max", format_duration(m.retry_max)},
      {"give_up_after", format_duration(m.give_up_after)},
  };
  // Unset optional keys are left out: an empty path or name is not a valid value to read back.
  if (!m.username.empty()) {
    mail.insert("username", m.username);
  }
  if (!m.ca_file.empty()) {
    mail.insert("ca_file", m.ca_file.string());
  }
  if (!m.templates_dir.empty()) {
    mail.insert("templates_dir", m.templates_dir.string());
  }
  if (!m.password_file.empty()) {
    mail.insert("password_file", m.password_file.reference);  // the reference, never the secret
  }
  toml::table vault;
  if (!c.vault.key_file.empty()) {
    vault.insert("key_file", c.vault.key_file.reference);
  }
  const auto& o = c.oauth;
  toml::table oauth{
      {"link_ttl", format_duration(o.link_ttl)},
      {"connect_timeout", format_duration(o.connect_timeout)},
      {"total_timeout", format_duration(o.total_timeout)},
      {"max_response_bytes", static_cast<std::int64_t>(o.max_response_bytes)},
      {"broker_refresh_margin", format_duration(o.broker_refresh_margin)},
  };
  if (!o.ca_file.empty()) {
    oauth.insert("ca_file", o.ca_file.string());
  }
  toml::table providers;
  for (const auto& p : o.providers) {
    toml::table t{{"enabled", p.enabled}, {"redirect_uri", p.redirect_uri}};
    if (!p.client_id.empty()) {
      t.insert("client_id", p.client_id);
    }
    if (!p.client_secret_file.empty()) {
      t.insert("client_secret_file", p.client_secret_file.reference);
    }
    if (p.scopes) {
      toml::array scopes;
      for (const auto& scope : *p.scopes) {
        scopes.push_back(scope);
      }
      t.insert("scopes", scopes);
    }
    for (const auto& [key, field] : provider_url_keys) {
      if (const auto& url = p.urls.*field) {
        t.insert(key, *url);
      }
    }
    if (p.continuous_refresh) {
      t.insert("continuous_refresh", *p.continuous_refresh);
    }
    if (!p.config_id.empty()) {
      t.insert("config_id", p.config_id);
    }
    if (p.page_tokens) {
      t.insert("page_tokens", true);
    }
    if (p.kind == provider_kind::generic) {
      t.insert("kind", word(p.kind));
      t.insert("display_name", p.display_name);
      t.insert("scope_separator", p.scope_separator);
      t.insert("client_auth", word(p.client_auth));
      t.insert("pkce", p.pkce);
      t.insert("id_field", p.id_field);
      t.insert("username_field", p.username_field);
      if (!p.issuer.empty()) {
        t.insert("issuer", p.issuer);
      }
    } else if (!p.pkce) {
      t.insert("pkce", false);
    }
    if (p.reauth_after) {
      t.insert("reauth_after", format_duration(*p.reauth_after));
    }
    providers.insert(p.id, t);
  }
  if (!providers.empty()) {
    oauth.insert("providers", providers);
  }
  toml::table modules;
  for (const auto& [module, level] : c.log.modules) {
    modules.insert(module, word(level));
  }
  toml::table log{{"level", word(c.log.level)}, {"modules", modules}};
  toml::table root{
      {"server", server},       {"store", store}, {"roster", roster}, {"sessions", sessions},
      {"passwords", passwords}, {"mail", mail},   {"log", log}};
  if (!vault.empty()) {
    root.insert("vault", vault);
  }
  root.insert("oauth", oauth);
  auto reminders = reminder_table(c.reminders.defaults);
  for (const auto& [id, r] : c.reminders.by_provider) {
    reminders.insert(id, reminder_table(r));
  }
  root.insert("reminders", reminders);
  root.insert("lifecycle", toml::table{{"identity_check_interval",
                                        format_duration(c.lifecycle.identity_check_interval)},
                                       {"max_concurrent_jobs", c.lifecycle.max_concurrent_jobs}});
  toml::table webhooks{
      {"concurrency", static_cast<std::int64_t>(c.webhooks.concurrency)},
      {"timeout", format_duration(c.webhooks.timeout)},
      {"give_up_after", format_duration(c.webhooks.give_up_after)},
      {"allow_private_targets", c.webhooks.allow_private_targets},
  };
  if (!c.webhooks.ca_file.empty()) {
    webhooks.insert("ca_file", c.webhooks.ca_file.string());
  }
  root.insert("webhooks", webhooks);
  if (!c.metrics.token_file.empty()) {
    root.insert("metrics", toml::table{{"token_file", c.metrics.token_file.reference}});
  }
  return root;
}

}  // namespace detail

std::string render_config(const config& c) {
  std::ostringstream out;
  out << "# Effective configuration from " << c.source.string()
      << " (defaults filled in; secrets shown by reference only)\n"
      << detail::config_table(c) << '\n';
  return out.str();
}

}  // namespace rosterd::setup
