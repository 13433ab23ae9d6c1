#include "setup/config.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "base/ip_network.hpp"
#include "oauth/profile.hpp"
#include "setup/config_reader.hpp"

namespace rosterd::setup {
namespace {

using namespace std::chrono_literals;
using detail::config_errors;
using detail::table_reader;

struct config_category : std::error_category {
  const char* name() const noexcept override { return "config"; }
  std::string message(int ev) const override {
    switch (static_cast<config_errc>(ev)) {
      case config_errc::unreadable:
        return "the configuration file cannot be read";
      case config_errc::invalid:
        return "the configuration is invalid";
      case config_errc::secret_unreadable:
        return "a secret file cannot be read";
    }
    return "unknown config error";
  }
};

constexpr std::initializer_list<log_level> all_log_levels{
    log_level::trace, log_level::debug,    log_level::info, log_level::warn,
    log_level::error, log_level::critical, log_level::off};

void read_server(table_reader& r, server_config& s, const std::filesystem::path& base_dir) {
  r.string_list("listen", s.listen);
  r.string("public_url", s.public_url);
  r.integer("workers", s.workers, 0, 64);
  r.integer("max_connections", s.max_connections, 1, 100'000);
  r.integer("max_connections_per_peer", s.max_connections_per_peer, 1, 100'000);
  r.byte_size("max_body_bytes", s.max_body_bytes, 1024, 64ULL * 1024 * 1024);
  r.byte_size("max_header_bytes", s.max_header_bytes, 1024, 1024ULL * 1024);
  r.integer("max_header_count", s.max_header_count, 8, 1000);
  r.duration("idle_timeout", s.idle_timeout, 100ms, 1h);
  r.duration("header_timeout", s.header_timeout, 100ms, 10min);
  r.duration("body_timeout", s.body_timeout, 100ms, 1h);
  r.duration("write_timeout", s.write_timeout, 100ms, 1h);
  r.duration("handshake_timeout", s.handshake_timeout, 100ms, 10min);
  r.duration("shutdown_grace", s.shutdown_grace, 0ms, 10min);
  std::vector<std::string> trusted_proxies;
  r.string_list("trusted_proxies", trusted_proxies);
  r.choice("forwarded_header", s.forwarded_header,
           {forwarding_header::x_forwarded_for, forwarding_header::forwarded});
  if (const auto* t = r.table("tls")) {
    table_reader tr(*t, r.full_key("tls"), r.errors(), base_dir);
    tr.boolean("enabled", s.tls.enabled);
    tr.path("cert_file", s.tls.cert_file);
    tr.secret("key_file", s.tls.key_file);
    tr.finish();
    if (s.tls.enabled && (s.tls.cert_file.empty() || s.tls.key_file.empty())) {
      r.errors().add(t->source(), r.full_key("tls"),
                     "enabled = true needs both cert_file and key_file");
    }
  }
  r.finish();
  for (const auto& address : s.listen) {
    if (!parse_listen_address(address)) {
      r.errors().add(r.raw().source(), r.full_key("listen"),
                     "\"" + address +
                         "\" is not host:port with a numeric IP address, e.g. \"127.0.0.1:8080\" "
                         "or \"[::1]:8080\"");
    }
  }
  if (s.max_connections_per_peer > s.max_connections) {
    r.errors().add(r.raw().source(), r.full_key("max_connections_per_peer"),
                   std::to_string(s.max_connections_per_peer) + " is more than max_connections (" +
                       std::to_string(s.max_connections) + "); lower it, or raise max_connections");
  }
  if (s.listen.empty()) {
    r.errors().add(r.raw().source(), r.full_key("listen"),
                   "needs at least one address such as \"127.0.0.1:8080\"");
  }
  if (s.public_url.rfind("http://", 0) != 0 && s.public_url.rfind("https://", 0) != 0) {
    r.errors().add(r.raw().source(), r.full_key("public_url"),
                   "\"" + s.public_url + "\" must start with http:// or https://");
  }
  std::vector<boost::asio::ip::tcp::endpoint> listeners;
  for (const auto& address : s.listen) {
    if (auto ep = parse_listen_address(address)) {
      listeners.push_back(*ep);
    }
  }
  if (auto exposed = check_plain_http_listeners(s.public_url, listeners); !exposed) {
    const auto* node = r.raw().get("public_url");
    r.errors().add(node != nullptr ? node->source() : r.raw().source(), r.full_key("public_url"),
                   exposed.error().detail);
  }
  const auto* proxies_node = r.raw().get("trusted_proxies");
  for (const auto& entry : trusted_proxies) {
    if (auto network = base::parse_ip_network(entry)) {
      s.trusted_proxies.push_back(*network);
    } else {
      r.errors().add(proxies_node != nullptr ? proxies_node->source() : r.raw().source(),
                     r.full_key("trusted_proxies"), network.error().detail);
    }
  }
}

void read_store(table_reader& r, store_config& s) {
  r.path("path", s.path);
  r.duration("busy_timeout", s.busy_timeout, 0ms, 10min);
  r.integer("read_connections", s.read_connections, 1, 64);
  r.finish();
}

void read_roster(table_reader& r, roster_config& c) {
  r.duration("invitation_ttl", c.invitation_ttl, 1h, std::chrono::hours(24 * 90));
  r.duration("password_reset_ttl", c.password_reset_ttl, 5min, 24h);
  r.boolean("allow_creator_as_team_member", c.allow_creator_as_team_member);
  r.finish();
}

void read_sessions(table_reader& r, sessions_config& c) {
  r.duration("idle_timeout", c.idle_timeout, 1min, std::chrono::hours(24 * 30));
  r.duration("absolute_timeout", c.absolute_timeout, 5min, std::chrono::hours(24 * 90));
  r.finish();
  if (c.idle_timeout > c.absolute_timeout) {
    r.errors().add(r.raw().source(), r.full_key("idle_timeout"),
                   "must not be longer than absolute_timeout");
  }
}

void read_passwords(table_reader& r, passwords_config& c) {
  // The floor is OWASP's Argon2id minimum, below which a stolen hash is cheap to crack; the
  // ceiling keeps a typo from making every login allocate gigabytes.
  r.integer("memory_kib", c.memory_kib, 19456, 4 * 1024 * 1024);
  r.integer("iterations", c.iterations, 2, 64);
  r.integer("parallelism", c.parallelism, 1, 16);
  r.integer("hashing_threads", c.hashing_threads, 0, 64);
  r.integer("hash_queue_limit", c.hash_queue_limit, 0, 100'000);
  r.finish();
}

void read_mail(table_reader& r, mail_config& c) {
  r.string("smtp_url", c.smtp_url);
  r.choice("tls", c.tls, {mail_tls::starttls, mail_tls::implicit, mail_tls::none});
  r.string("username", c.username);
  r.secret("password_file", c.password_file);
  r.string("from_address", c.from_address);
  r.string("from_name", c.from_name);
  r.path("ca_file", c.ca_file);
  r.path("templates_dir", c.templates_dir);
  r.duration("connect_timeout", c.connect_timeout, 1s, 10min);
  r.duration("total_timeout", c.total_timeout, 1s, 1h);
  r.duration("retry_initial", c.retry_initial, 1s, 24h);
  r.duration("retry_max", c.retry_max, 1s, std::chrono::hours(24 * 7));
  r.duration("give_up_after", c.give_up_after, 1min, std::chrono::hours(24 * 30));
  r.finish();
  if (c.smtp_url.rfind("smtp://", 0) != 0 && c.smtp_url.rfind("smtps://", 0) != 0) {
    r.errors().add(r.raw().source(), r.full_key("smtp_url"),
                   "\"" + c.smtp_url + "\" must start with smtp:// or smtps://");
  }
  if (!c.username.empty() && c.password_file.empty()) {
    r.errors().add(r.raw().source(), r.full_key("password_file"),
                   "username is set, so name the file holding the SMTP password");
  }
  if (c.tls == mail_tls::none && !c.username.empty()) {
    r.errors().add(r.raw().source(), r.full_key("tls"),
                   "\"none\" would send the SMTP password in clear; use starttls or implicit");
  }
}

// "instagram_facebook and facebook": the built-in providers that can keep Page tokens.
std::string providers_with_pages() {
  std::string out;
  for (const auto& profile : oauth::builtin_profiles()) {
    if (profile.pages_url) {
      out += (out.empty() ? "" : " and ") + profile.id;
    }
  }
  return out;
}

bool is_provider_id(std::string_view id) {
  if (id.empty() || id.size() > 32) {
    return false;
  }
  for (const char ch : id) {
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-')) {
      return false;
    }
  }
  return true;
}

void read_provider(table_reader& r, oauth_provider_config& p, const std::string& public_url) {
  const bool builtin = oauth::is_builtin_provider(p.id);
  p.kind = builtin ? provider_kind::builtin : provider_kind::generic;
  r.boolean("enabled", p.enabled);
  std::optional<provider_kind> kind;  // stays empty when the key is absent or not a kind
  if (provider_kind written{};
      r.choice("kind", written, {provider_kind::builtin, provider_kind::generic})) {
    kind = written;
  }
  r.string("client_id", p.client_id);
  r.secret("client_secret_file", p.client_secret_file);
  r.string("redirect_uri", p.redirect_uri);
  if (r.raw().get("scopes") != nullptr) {
    std::vector<std::string> scopes;
    r.string_list("scopes", scopes);
    p.scopes = scopes;
  }
  for (const auto& [key, field] : provider_url_keys) {
    if (r.raw().get(key) != nullptr) {
      std::string url;
      r.string(key, url);
      p.urls.*field = url;
    } else {
      r.mark_known(key);
    }
  }
  if (r.raw().get("continuous_refresh") != nullptr) {
    bool on = true;
    r.boolean("continuous_refresh", on);
    p.continuous_refresh = on;
  }
  r.string("config_id", p.config_id);
  r.boolean("page_tokens", p.page_tokens);
  r.string("display_name", p.display_name);
  r.string("scope_separator", p.scope_separator);
  r.choice("client_auth", p.client_auth, {token_endpoint_auth::basic, token_endpoint_auth::form});
  r.boolean("pkce", p.pkce);
  r.string("id_field", p.id_field);
  r.string("username_field", p.username_field);
  r.string("issuer", p.issuer);
  if (r.raw().get("reauth_after") != nullptr) {
    std::chrono::milliseconds after{0};
    r.duration("reauth_after", after, std::chrono::hours(24), std::chrono::hours(24 * 730));
    if (after.count() > 0) {
      p.reauth_after = after;
    }
  }
  r.finish();
  const auto where = r.raw().source();
  if (builtin ? kind == provider_kind::generic : kind != provider_kind::generic) {
    r.errors().add(where, r.full_key("kind"),
                   builtin ? "\"" + p.id + "\" is a built-in provider; remove kind"
                           : "\"" + p.id + "\" is not a built-in provider (" +
                                 oauth::builtin_provider_list() +
                                 "), so it must be kind = \"generic\"");
  }
  // The built-in platforms send no iss: an issuer there would refuse every callback.
  if (builtin && !p.issuer.empty()) {
    r.errors().add(where, r.full_key("issuer"),
                   "is only for generic providers (the built-in platforms send no iss)");
  }
  // Only Facebook Login grants manage Pages (the profiles with a Pages URL); elsewhere the
  // switch would silently do nothing.
  if (const auto profile = oauth::find_builtin_profile(p.id);
      p.page_tokens && !(profile && profile->pages_url)) {
    r.errors().add(
        where, r.full_key("page_tokens"),
        "is only for " + providers_with_pages() + " (Facebook Login grants Page tokens)");
  }
  if (!p.enabled) {
    return;
  }
  if (p.client_id.empty()) {
    r.errors().add(where, r.full_key("client_id"), "is required for an enabled provider");
  }
  if (p.client_secret_file.empty()) {
    r.errors().add(where, r.full_key("client_secret_file"),
                   "is required for an enabled provider: a file path or credential:NAME");
  }
  if (p.redirect_uri.empty()) {
    p.redirect_uri = public_url + "/oauth/" + p.id + "/callback";
  }
  if (p.kind == provider_kind::generic) {
    for (const auto& [key, url] :
         {std::pair{"authorize_url", &p.urls.authorize}, std::pair{"token_url", &p.urls.token},
          std::pair{"identity_url", &p.urls.identity}}) {
      if (!*url) {
        r.errors().add(where, r.full_key(key), "is required for a generic provider");
      }
    }
    if (p.display_name.empty()) {
      p.display_name = p.id;
    }
  }
}

void read_oauth(table_reader& r, oauth_config& c, const std::filesystem::path& base_dir,
                const std::string& public_url) {
  r.duration("link_ttl", c.link_ttl, 10min, std::chrono::hours(24 * 30));
  r.path("ca_file", c.ca_file);
  r.duration("connect_timeout", c.connect_timeout, 100ms, 2min);
  r.duration("total_timeout", c.total_timeout, 100ms, 10min);
  r.byte_size("max_response_bytes", c.max_response_bytes, 4096, 64ULL * 1024 * 1024);
  r.duration("broker_refresh_margin", c.broker_refresh_margin, 0ms, 24h);
  if (const auto* t = r.table("providers")) {
    for (const auto& [key, node] : *t) {
      const std::string id(key.str());
      const auto* provider_table = node.as_table();
      if (provider_table == nullptr) {
        r.errors().add(node.source(), r.full_key("providers." + id),
                       "must be a table such as [oauth.providers." + id + "]");
        continue;
      }
      if (!is_provider_id(id)) {
        r.errors().add(node.source(), r.full_key("providers." + id),
                       "provider ids are 1-32 characters of a-z, 0-9, _ and -");
        continue;
      }
      oauth_provider_config p;
      p.id = id;
      table_reader one(*provider_table, r.full_key("providers." + id), r.errors(), base_dir);
      read_provider(one, p, public_url);
      c.providers.push_back(std::move(p));
    }
  }
  r.finish();
}

void read_reminder_stages(table_reader& r, reminder_config& c) {
  constexpr auto year = std::chrono::hours(24 * 365);
  r.duration_list("creator_stages", c.creator_before, 0ms, year);
  r.duration("creator_after_every", c.creator_after_every, 0ms, year);
  r.integer("creator_after_count", c.creator_after_count, 0, 30);
  r.duration_list("team_stages", c.team_before, 0ms, year);
  r.boolean("team_on_expiry", c.team_on_expiry);
  if (c.creator_after_count > 0 && c.creator_after_every.count() == 0 &&
      c.creator_after_count != 1) {
    r.errors().add(r.raw().source(), r.full_key("creator_after_count"),
                   "reminders every 0 days after the deadline would all fall at one moment; set "
                   "creator_after_every or use creator_after_count = 1");
  }
}

void read_reminders(table_reader& r, reminders_config& c, const oauth_config& oauth) {
  read_reminder_stages(r, c.defaults);
  std::vector<std::string> tables;
  for (const auto& [key, node] : r.raw()) {
    if (node.is_table()) {
      tables.emplace_back(key.str());
    }
  }
  for (const auto& id : tables) {
    const auto* t = r.table(id);
    const bool known = std::any_of(oauth.providers.begin(), oauth.providers.end(),
                                   [&](const oauth_provider_config& p) { return p.id == id; });
    if (!known) {
      r.errors().add(t->source(), r.full_key(id),
                     "names no provider in [oauth.providers]; a [reminders.ID] table replaces "
                     "the stages for that provider only");
      continue;
    }
    reminder_config one = c.defaults;  // unset keys keep the [reminders] values
    table_reader pr(*t, r.full_key(id), r.errors(), {});
    read_reminder_stages(pr, one);
    pr.finish();
    c.by_provider.emplace(id, std::move(one));
  }
  r.finish();
}

void read_lifecycle(table_reader& r, lifecycle_config& c) {
  r.duration("identity_check_interval", c.identity_check_interval, 0ms,
             std::chrono::hours(24 * 89));
  if (c.identity_check_interval.count() > 0 && c.identity_check_interval < std::chrono::hours(1)) {
    r.errors().add(r.raw().source(), r.full_key("identity_check_interval"),
                   "checking every connection more than hourly spends the platforms' rate "
                   "limits; use 1h or more (0 turns the check off)");
  }
  r.integer("max_concurrent_jobs", c.max_concurrent_jobs, 1, 64);
  r.finish();
}

void read_vault(table_reader& r, vault_config& v) {
  r.secret("key_file", v.key_file);
  r.finish();
}

void read_webhooks(table_reader& r, webhooks_config& w) {
  r.integer("concurrency", w.concurrency, 1, 64);
  r.duration("timeout", w.timeout, 1s, 60s);
  r.duration("give_up_after", w.give_up_after, 1min, std::chrono::hours(24 * 30));
  r.path("ca_file", w.ca_file);
  r.boolean("allow_private_targets", w.allow_private_targets);
  r.finish();
}

void read_metrics(table_reader& r, metrics_config& m) {
  r.secret("token_file", m.token_file);
  r.finish();
}

void read_log(table_reader& r, log_config& l, const std::filesystem::path& base_dir) {
  r.choice("level", l.level, all_log_levels);
  if (const auto* t = r.table("modules")) {
    table_reader mr(*t, r.full_key("modules"), r.errors(), base_dir);
    for (const auto module : log_modules) {
      if (log_level level{}; mr.choice(module, level, all_log_levels)) {
        l.modules.emplace(module, level);
      } else {
        mr.mark_known(module);
      }
    }
    mr.finish();
  }
  r.finish();
}

}  // namespace

std::optional<boost::asio::ip::tcp::endpoint> parse_listen_address(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon + 1 == text.size()) {
    return std::nullopt;
  }
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return std::nullopt;  // IPv6 needs brackets
  }
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
    return std::nullopt;
  }
  boost::system::error_code bad;
  const auto address = boost::asio::ip::make_address(std::string(host), bad);
  if (bad) {
    return std::nullopt;
  }
  return boost::asio::ip::tcp::endpoint(address, static_cast<unsigned short>(port));
}

base::result<void> check_plain_http_listeners(
    std::string_view public_url, const std::vector<boost::asio::ip::tcp::endpoint>& listeners) {
  if (public_url.rfind("http://", 0) != 0) {
    return {};
  }
  for (const auto& ep : listeners) {
    auto address = ep.address();
    if (address.is_v6() && address.to_v6().is_v4_mapped()) {
      address = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6());
    }
    if (address.is_loopback()) {
      continue;
    }
    const auto shown = address.is_v6()
                           ? "[" + address.to_string() + "]:" + std::to_string(ep.port())
                           : address.to_string() + ":" + std::to_string(ep.port());
    return base::fail(
        config_errc::invalid,
        "\"" + std::string(public_url) + "\" is plain http, but rosterd listens on " + shown +
            ", which is not a loopback address: people would sign in over plain HTTP and the "
            "session cookie could not be Secure. Set public_url to the https:// address people "
            "use (TLS in [server.tls], or at a reverse proxy in front of rosterd), or listen "
            "on 127.0.0.1 or [::1] only (plain http is for a local development setup)");
  }
  return {};
}

std::error_code make_error_code(config_errc e) {
  static const config_category category;
  return {static_cast<int>(e), category};
}

base::result<config> parse_config(std::string_view text, const std::string& source_name,
                                  const std::filesystem::path& base_dir) {
  toml::table root;
  try {
    root = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    return base::fail(config_errc::invalid, source_name + ":" + std::to_string(where.line) + ":" +
                                                std::to_string(where.column) + ": " +
                                                std::string(e.description()));
  }
  config c;
  c.source = source_name;
  config_errors errors{source_name, {}};
  table_reader top(root, "", errors, base_dir);
  if (const auto* t = top.table("server")) {
    table_reader r(*t, "server", errors, base_dir);
    read_server(r, c.server, base_dir);
  }
  if (const auto* t = top.table("store")) {
    table_reader r(*t, "store", errors, base_dir);
    read_store(r, c.store);
  }
  if (const auto* t = top.table("roster")) {
    table_reader r(*t, "roster", errors, base_dir);
    read_roster(r, c.roster);
  }
  if (const auto* t = top.table("sessions")) {
    table_reader r(*t, "sessions", errors, base_dir);
    read_sessions(r, c.sessions);
  }
  if (const auto* t = top.table("passwords")) {
    table_reader r(*t, "passwords", errors, base_dir);
    read_passwords(r, c.passwords);
  }
  if (const auto* t = top.table("mail")) {
    table_reader r(*t, "mail", errors, base_dir);
    read_mail(r, c.mail);
  }
  if (const auto* t = top.table("vault")) {
    table_reader r(*t, "vault", errors, base_dir);
    read_vault(r, c.vault);
  }
  if (const auto* t = top.table("oauth")) {
    table_reader r(*t, "oauth", errors, base_dir);
    read_oauth(r, c.oauth, base_dir, c.server.public_url);
  }
  if (std::any_of(c.oauth.providers.begin(), c.oauth.providers.end(),
                  [](const oauth_provider_config& p) { return p.enabled; }) &&
      c.vault.key_file.empty()) {
    errors.lines.push_back(source_name +
                           ": vault.key_file: an OAuth provider is enabled, so the tokens it "
                           "hands over need the vault: set key_file to a key file or "
                           "credential:NAME (generate one with `rosterctl keys generate`)");
  }
  if (const auto* t = top.table("reminders")) {
    table_reader r(*t, "reminders", errors, base_dir);
    read_reminders(r, c.reminders, c.oauth);
  }
  if (const auto* t = top.table("lifecycle")) {
    table_reader r(*t, "lifecycle", errors, base_dir);
    read_lifecycle(r, c.lifecycle);
  }
  if (const auto* t = top.table("webhooks")) {
    table_reader r(*t, "webhooks", errors, base_dir);
    read_webhooks(r, c.webhooks);
  }
  if (const auto* t = top.table("metrics")) {
    table_reader r(*t, "metrics", errors, base_dir);
    read_metrics(r, c.metrics);
  }
  if (const auto* t = top.table("log")) {
    table_reader r(*t, "log", errors, base_dir);
    read_log(r, c.log, base_dir);
  }
  top.finish();
  if (!errors.lines.empty()) {
    std::string detail;
    for (const auto& line : errors.lines) {
      detail += (detail.empty() ? "" : "\n") + line;
    }
    return base::fail(config_errc::invalid, std::move(detail));
  }
  return c;
}

base::result<config> load_config(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return base::fail(config_errc::unreadable, "cannot read configuration file " + path.string() +
                                                   ": it does not exist or is not readable");
  }
  std::ostringstream text;
  text << in.rdbuf();
  const auto absolute = std::filesystem::absolute(path);
  return parse_config(text.str(), path.string(), absolute.parent_path());
}

base::result<base::secret> read_secret(const secret_file& ref) {
  std::filesystem::path file = ref.resolved;
  constexpr std::string_view credential_prefix = "credential:";
  if (ref.reference.rfind(credential_prefix, 0) == 0) {
    const std::string name = ref.reference.substr(credential_prefix.size());
    const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
    if (dir == nullptr || *dir == '\0') {
      return base::fail(config_errc::secret_unreadable,
                        "\"" + ref.reference +
                            "\" needs $CREDENTIALS_DIRECTORY, which systemd sets when the unit has "
                            "LoadCredential=" +
                            name + ":...; outside systemd name a file instead");
    }
    file = std::filesystem::path(dir) / name;
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return base::fail(config_errc::secret_unreadable,
                      "cannot read secret " + ref.reference + " (" + file.string() + ")");
  }
  std::ostringstream content;
  content << in.rdbuf();
  std::string value = content.str();
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) {
    value.pop_back();
  }
  if (value.empty()) {
    return base::fail(config_errc::secret_unreadable, "secret " + ref.reference + " is empty");
  }
  return base::secret(std::move(value));
}

base::result<base::secret> read_metrics_token(const metrics_config& m) {
  auto token = read_secret(m.token_file);
  if (!token) {
    return token;
  }
  // Anyone who reaches the listener may guess; a short token would make that practical.
  constexpr std::size_t shortest = 16;
  if (token->reveal().size() < shortest) {
    return base::fail(config_errc::secret_unreadable,
                      "the token in " + m.token_file.reference + " must be at least " +
                          std::to_string(shortest) +
                          " characters; generate one with `openssl rand -hex 32`");
  }
  return token;
}

base::result<void> check_referenced_files(const config& c) {
  std::string problems;
  auto add = [&](const std::string& line) { problems += (problems.empty() ? "" : "\n") + line; };
  const auto& tls = c.server.tls;
  if (!c.mail.password_file.empty()) {
    if (auto pw = read_secret(c.mail.password_file); !pw) {
      add(c.source.string() + ": mail.password_file: " + pw.error().detail);
    }
  }
  if (!c.mail.ca_file.empty() && !std::ifstream(c.mail.ca_file)) {
    add(c.source.string() + ": mail.ca_file: cannot read " + c.mail.ca_file.string());
  }
  if (!c.vault.key_file.empty() && c.vault.key_file.reference.rfind("credential:", 0) != 0 &&
      !std::ifstream(c.vault.key_file.resolved)) {
    add(c.source.string() + ": vault.key_file: cannot read " + c.vault.key_file.reference);
  }
  if (!c.oauth.ca_file.empty() && !std::ifstream(c.oauth.ca_file)) {
    add(c.source.string() + ": oauth.ca_file: cannot read " + c.oauth.ca_file.string());
  }
  for (const auto& p : c.oauth.providers) {
    if (!p.enabled || p.client_secret_file.empty()) {
      continue;
    }
    if (auto secret = read_secret(p.client_secret_file); !secret) {
      add(c.source.string() + ": oauth.providers." + p.id +
          ".client_secret_file: " + secret.error().detail);
    }
  }
  if (!c.metrics.token_file.empty()) {
    if (auto token = read_metrics_token(c.metrics); !token) {
      add(c.source.string() + ": metrics.token_file: " + token.error().detail);
    }
  }
  if (tls.enabled) {
    std::ifstream cert(tls.cert_file);
    if (!cert) {
      add(c.source.string() + ": server.tls.cert_file: cannot read " + tls.cert_file.string());
    }
    if (auto key = read_secret(tls.key_file); !key) {
      add(c.source.string() + ": server.tls.key_file: " + key.error().detail);
    }
  }
  if (!problems.empty()) {
    return base::fail(config_errc::secret_unreadable, std::move(problems));
  }
  return {};
}

}  // namespace rosterd::setup
