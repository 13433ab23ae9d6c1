#pragma once
// rosterd's configuration: one typed struct per concern, parsed from TOML and validated once.
// config/rosterd.toml documents every key; defaults live here and nowhere else.

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

#include "base/failure.hpp"
#include "base/ip_network.hpp"
#include "base/secret.hpp"

namespace rosterd::setup {

// Every value that is one of a few words in the file is an enum here, read once; the
// libraries' own types are made from these where each library's settings are built.

/// mail.tls: how the connection to the SMTP server is protected.
enum class mail_tls {
  starttls,  ///< "starttls": smtp://, then STARTTLS
  implicit,  ///< "implicit": smtps://, TLS from the first byte
  none,      ///< "none": in clear, for a relay on the same host only
};

/// server.forwarded_header: the header in which a trusted proxy names the client.
enum class forwarding_header {
  x_forwarded_for,  ///< "x-forwarded-for"
  forwarded,        ///< "forwarded" (RFC 7239)
};

/// An OAuth provider's kind.
enum class provider_kind {
  builtin,  ///< "builtin": a platform whose profile rosterd ships
  generic,  ///< "generic": any standards-compliant OAuth 2.0 provider, described by the config
};

/// client_auth: how a generic provider's client authenticates at the token endpoint.
enum class token_endpoint_auth {
  basic,  ///< "basic": Authorization: Basic
  form,   ///< "form": client id and secret as form fields
};

/// log.level and the log.modules values.
enum class log_level { trace, debug, info, warn, error, critical, off };

/// The word the config file uses for a value (what --print-config writes back).
std::string_view config_word(mail_tls v) noexcept;
std::string_view config_word(forwarding_header v) noexcept;
std::string_view config_word(provider_kind v) noexcept;
std::string_view config_word(token_endpoint_auth v) noexcept;
std::string_view config_word(log_level v) noexcept;

/// The loggers whose level log.modules may set, one per library that logs.
inline constexpr std::array<std::string_view, 6> log_modules{"main", "config",    "store",
                                                             "http", "lifecycle", "notify"};

// The config structs compare equal field by field (defaulted), so whether a reload changed
// anything follows from them, including fields added later. Secrets compare by reference
// (their content is never read into the config).

/// Where a secret lives: a file path, or "credential:NAME" for $CREDENTIALS_DIRECTORY/NAME
/// (systemd LoadCredential=). Secrets are never written inline in the config.
struct secret_file {
  std::string reference;           ///< as written in the config, safe to print
  std::filesystem::path resolved;  ///< the file for a path reference; credentials resolve on read
  [[nodiscard]] bool empty() const { return reference.empty(); }
  bool operator==(const secret_file&) const = default;
};

struct tls_config {
  bool enabled = false;
  std::filesystem::path cert_file;  ///< PEM chain, leaf first
  secret_file key_file;             ///< PEM private key
  bool operator==(const tls_config&) const = default;
};

struct server_config {
  std::vector<std::string> listen{"127.0.0.1:8080"};  ///< host:port, "[v6]:port"
  std::string public_url = "http://127.0.0.1:8080";   ///< how browsers reach us (links, cookies)
  unsigned workers = 0;                               ///< I/O threads; 0 = number of cores
  std::size_t max_connections = 1024;
  std::size_t max_connections_per_peer = 128;    ///< per client address (IPv6: per /64)
  std::size_t max_body_bytes = 6 * 1024 * 1024;  ///< the CSV import allows 5 MiB
  std::uint32_t max_header_bytes = 16 * 1024;
  std::size_t max_header_count = 100;
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(60)};
  std::chrono::milliseconds header_timeout{std::chrono::seconds(10)};
  std::chrono::milliseconds body_timeout{std::chrono::seconds(30)};
  std::chrono::milliseconds write_timeout{std::chrono::seconds(30)};
  std::chrono::milliseconds handshake_timeout{std::chrono::seconds(10)};
  std::chrono::milliseconds shutdown_grace{std::chrono::seconds(10)};
  /// Reverse proxies whose forwarding header names the client (addresses or CIDR blocks).
  /// Empty: the TCP peer is the client, and forwarding headers are ignored.
  std::vector<base::ip_network> trusted_proxies;
  forwarding_header forwarded_header = forwarding_header::x_forwarded_for;
  tls_config tls;
  bool operator==(const server_config&) const = default;
};

struct store_config {
  std::filesystem::path path = "/var/lib/rosterd/rosterd.db";
  std::chrono::milliseconds busy_timeout{std::chrono::seconds(5)};
  unsigned read_connections = 2;
  bool operator==(const store_config&) const = default;
};

struct roster_config {
  std::chrono::milliseconds invitation_ttl{std::chrono::hours(24 * 7)};
  std::chrono::milliseconds password_reset_ttl{std::chrono::hours(1)};
  bool allow_creator_as_team_member = false;
  bool operator==(const roster_config&) const = default;
};

struct sessions_config {
  std::chrono::milliseconds idle_timeout{std::chrono::hours(1)};
  std::chrono::milliseconds absolute_timeout{std::chrono::hours(12)};
  bool operator==(const sessions_config&) const = default;
};

/// Argon2id cost; the floor is OWASP's (19 MiB, 2 iterations, 1 lane).
struct passwords_config {
  std::uint32_t memory_kib = 19456;
  std::uint32_t iterations = 2;
  std::uint32_t parallelism = 1;
  unsigned hashing_threads = 0;    ///< threads for Argon2id; 0 = one per core, at most 8
  unsigned hash_queue_limit = 32;  ///< password checks that may wait for a thread; then 503
  bool operator==(const passwords_config&) const = default;
};

struct mail_config {
  std::string smtp_url = "smtp://127.0.0.1:25";
  mail_tls tls = mail_tls::starttls;
  std::string username;  ///< AUTH only when set
  secret_file password_file;
  std::string from_address = "rosterd@localhost";
  std::string from_name = "rosterd";
  std::filesystem::path ca_file;        ///< PEM bundle instead of the system store
  std::filesystem::path templates_dir;  ///< files here replace the built-in templates
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(30)};
  std::chrono::milliseconds total_timeout{std::chrono::minutes(10)};
  std::chrono::milliseconds retry_initial{std::chrono::minutes(30)};
  std::chrono::milliseconds retry_max{std::chrono::hours(4)};
  std::chrono::milliseconds give_up_after{std::chrono::hours(96)};
  bool operator==(const mail_config&) const = default;
};

/// The token vault's key file (or credential:NAME). Empty: no vault, so no provider may be
/// enabled; a database that already holds ciphertext then refuses to start.
struct vault_config {
  secret_file key_file;
  bool operator==(const vault_config&) const = default;
};

/// A provider's endpoints. Every URL can point elsewhere (a test server, a regional host); an
/// unset one keeps the built-in profile's, and a generic provider needs authorize, token and
/// identity.
struct provider_urls {
  std::optional<std::string> authorize;
  std::optional<std::string> token;
  std::optional<std::string> long_lived;
  std::optional<std::string> refresh;
  std::optional<std::string> identity;
  std::optional<std::string> revoke;
  std::optional<std::string> debug_token;  ///< Meta
  std::optional<std::string> pages;        ///< Facebook Login: the user's Pages
  bool operator==(const provider_urls&) const = default;
};

/// A provider URL's key under [oauth.providers.ID] and its field: reading and rendering walk
/// this one list.
struct provider_url_key {
  std::string_view key;
  std::optional<std::string> provider_urls::*field;
};
inline constexpr std::array<provider_url_key, 8> provider_url_keys{{
    {"authorize_url", &provider_urls::authorize},
    {"token_url", &provider_urls::token},
    {"long_lived_url", &provider_urls::long_lived},
    {"refresh_url", &provider_urls::refresh},
    {"identity_url", &provider_urls::identity},
    {"revoke_url", &provider_urls::revoke},
    {"debug_token_url", &provider_urls::debug_token},
    {"pages_url", &provider_urls::pages},
}};
// A URL field without a key would be neither read nor shown.
static_assert(sizeof(provider_urls) ==
                  provider_url_keys.size() * sizeof(std::optional<std::string>),
              "every provider_urls field needs its entry in provider_url_keys");

/// One OAuth provider: a built-in platform (oauth::builtin_provider_ids) or, with kind =
/// "generic", any standards-compliant OAuth 2.0 provider.
struct oauth_provider_config {
  std::string id;  ///< the table name under [oauth.providers]
  bool enabled = true;
  provider_kind kind = provider_kind::builtin;  ///< follows from the id
  std::string client_id;
  secret_file client_secret_file;
  std::string redirect_uri;  ///< default: <server.public_url>/oauth/<id>/callback
  std::optional<std::vector<std::string>> scopes;
  provider_urls urls;
  std::optional<bool> continuous_refresh;  ///< Pinterest: send continuous_refresh=true
  std::string config_id;                   ///< Meta: a Facebook Login for Business config
  bool page_tokens = false;  ///< facebook, instagram_facebook: keep the Pages' tokens too
  // Generic providers only.
  std::string display_name;
  std::string scope_separator = " ";
  token_endpoint_auth client_auth = token_endpoint_auth::basic;
  bool pkce = true;
  std::string id_field = "sub";
  std::string username_field = "preferred_username";
  std::string issuer;  ///< RFC 9207 issuer: when set, every callback must carry it as `iss`
  /// The agency's "log in again every N days" for this platform; unset: the platform's clocks.
  std::optional<std::chrono::milliseconds> reauth_after;
  bool operator==(const oauth_provider_config&) const = default;
};

struct oauth_config {
  std::chrono::milliseconds link_ttl{std::chrono::hours(24 * 7)};
  std::filesystem::path ca_file;  ///< PEM bundle for provider TLS instead of the system store
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(5)};
  std::chrono::milliseconds total_timeout{std::chrono::seconds(20)};
  std::size_t max_response_bytes = 1024 * 1024;
  /// The token broker refreshes first when the access token expires within this margin.
  std::chrono::milliseconds broker_refresh_margin{std::chrono::minutes(5)};
  std::vector<oauth_provider_config> providers;  ///< sorted by id
  bool operator==(const oauth_config&) const = default;
};

/// When a creator is reminded and their team alerted about a re-consent deadline.
struct reminder_config {
  std::vector<std::chrono::milliseconds> creator_before{
      std::chrono::hours(24 * 14), std::chrono::hours(24 * 7), std::chrono::hours(24 * 3),
      std::chrono::hours(24), std::chrono::milliseconds(0)};
  std::chrono::milliseconds creator_after_every{std::chrono::hours(24 * 3)};
  int creator_after_count = 4;
  std::vector<std::chrono::milliseconds> team_before{std::chrono::hours(24 * 7),
                                                     std::chrono::hours(24)};
  bool team_on_expiry = true;  ///< one more team alert when the deadline has passed
  bool operator==(const reminder_config&) const = default;
};

/// [reminders]: the stages for every provider, and per provider ([reminders.PROVIDER]) a
/// replacement. Applied by a reload.
struct reminders_config {
  reminder_config defaults;
  std::map<std::string, reminder_config, std::less<>> by_provider;
  bool operator==(const reminders_config&) const = default;
};

/// [lifecycle]: the durable job runner and the periodic identity check.
struct lifecycle_config {
  /// How often each connection's identity is checked at its platform (keeps Meta apps active
  /// and finds silent revocations); 0 turns the check off.
  std::chrono::milliseconds identity_check_interval{std::chrono::hours(24 * 7)};
  int max_concurrent_jobs = 4;
  bool operator==(const lifecycle_config&) const = default;
};

/// Signed webhooks to the agencies' own systems (Standard Webhooks).
struct webhooks_config {
  unsigned concurrency = 4;  ///< requests in flight at once (at most one per endpoint)
  std::chrono::milliseconds timeout{std::chrono::seconds(10)};  ///< one attempt, end to end
  std::chrono::milliseconds give_up_after{std::chrono::hours(72)};
  std::filesystem::path ca_file;  ///< PEM bundle for receivers instead of the system store
  /// TEST ONLY: lets webhooks reach loopback and private addresses (a receiver on this machine).
  bool allow_private_targets = false;
  bool operator==(const webhooks_config&) const = default;
};

/// GET /metrics. With a token file, scrapes must send `Authorization: Bearer <token>`.
struct metrics_config {
  secret_file token_file;  ///< empty: /metrics answers anyone who reaches the listener
  bool operator==(const metrics_config&) const = default;
};

struct log_config {
  log_level level = log_level::info;
  std::map<std::string, log_level> modules;  ///< per-module override (log_modules), e.g. http
  bool operator==(const log_config&) const = default;
};

struct config {
  std::filesystem::path source;  ///< the file it came from
  server_config server;
  store_config store;
  roster_config roster;
  sessions_config sessions;
  passwords_config passwords;
  mail_config mail;
  vault_config vault;
  oauth_config oauth;
  reminders_config reminders;
  lifecycle_config lifecycle;
  webhooks_config webhooks;
  metrics_config metrics;
  log_config log;
  bool operator==(const config&) const = default;
};

/// Reads and validates `path`. On failure the detail lists every problem, one per line, each
/// as "file:line:column: key: what is wrong and what is accepted".
base::result<config> load_config(const std::filesystem::path& path);

/// Parses TOML text as if read from `source_name` (relative paths resolve against `base_dir`).
base::result<config> parse_config(std::string_view text, const std::string& source_name,
                                  const std::filesystem::path& base_dir);

/// The effective configuration as TOML, secrets shown only by reference.
std::string render_config(const config& c);

/// The dotted keys (e.g. "server.listen", "oauth.providers.tiktok.scopes") whose new value
/// only takes effect after a restart, for SIGHUP reload reports: every difference except the
/// [log] levels, which a reload applies. A provider added or removed is named as a whole.
std::vector<std::string> keys_needing_restart(const config& running, const config& reloaded);

/// Reads the secret a secret_file points to (trailing newline stripped). Fails with a detail
/// naming the key's reference, never the content.
base::result<base::secret> read_secret(const secret_file& ref);

/// Reads [metrics] token_file and checks the token is long enough not to be guessed. The
/// detail names the file's reference, never the content.
base::result<base::secret> read_metrics_token(const metrics_config& m);

/// Checks that every file the config names (TLS chain, secrets) exists and is readable, without
/// keeping any secret. The detail names each offending key.
base::result<void> check_referenced_files(const config& c);

/// Parses "90s", "12h", "60d", "500ms", "1h30m". Returns nullopt when malformed.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

/// The shortest exact spelling of `d` in the units parse_duration accepts.
std::string format_duration(std::chrono::milliseconds d);

/// Parses a listen address: "127.0.0.1:8080", "[::1]:8080", "0.0.0.0:0" (port 0 = any free).
std::optional<boost::asio::ip::tcp::endpoint> parse_listen_address(std::string_view text);

/// A plain http:// public_url is only for a daemon that nobody else can reach: on any other
/// listener, browsers would sign in over plain HTTP and the session cookie could be neither
/// Secure nor __Host- prefixed. Fails, with a detail naming the first non-loopback listener
/// and the fix, when `public_url` is http:// and a listener is not loopback. Used for
/// server.listen and for the sockets systemd passes (which the config cannot see).
base::result<void> check_plain_http_listeners(
    std::string_view public_url, const std::vector<boost::asio::ip::tcp::endpoint>& listeners);

enum class config_errc { unreadable = 1, invalid, secret_unreadable };
std::error_code make_error_code(config_errc e);

}  // namespace rosterd::setup

template <>
struct std::is_error_code_enum<rosterd::setup::config_errc> : std::true_type {};
