#pragma once
// tests/fakes/provider_server.py as a child process: one fake for Instagram, Facebook, TikTok,
// Pinterest and a generic RFC 6749 provider, over TLS on 127.0.0.1 with a certificate from the
// throwaway CA (tests/support/test_pki.hpp), plus its plain-HTTP JSON control API on loopback.
//
// The real URL https://HOST/PATH is served at https://localhost:PORT/HOST/PATH (url() maps it).
// tests/fakes/README.md documents every endpoint, switch and counter name.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/process.hpp"
#include "tests/support/test_pki.hpp"

namespace rosterd::testing {

class fake_provider {
 public:
  struct client_credentials {
    std::string id;
    std::string secret;
  };

  struct options {
    /// Per provider ("instagram", "facebook", "tiktok", "pinterest", "generic"); providers not
    /// listed keep client "test-<provider>" with secret "secret-<provider>".
    std::map<std::string, client_credentials> clients;
    /// What the authorize endpoints do: "allow" (302 with a code), "deny" (302 with
    /// error=access_denied) or "page" (an HTML consent page, for a human).
    std::string consent = "allow";
    /// When not empty: written to a file and passed as --config
    /// ({"global": {...}, "providers": {"tiktok": {...}}}).
    std::string config_json;
    /// Serve this certificate instead of the pki's localhost one (e.g. pki.self_signed(...) or
    /// pki.issue("wrong", "DNS:wrong.example") to prove that verification refuses it).
    std::optional<certificate_files> certificate;
    /// false: plain HTTP instead of TLS (to prove the daemon refuses it).
    bool tls = true;
  };

  /// Starts the server with the defaults and waits (up to 10 s) for both ports.
  explicit fake_provider(const test_pki& pki);
  fake_provider(const test_pki& pki, const options& opts);
  ~fake_provider();
  fake_provider(const fake_provider&) = delete;
  fake_provider& operator=(const fake_provider&) = delete;

  [[nodiscard]] std::uint16_t port() const { return port_; }
  [[nodiscard]] std::uint16_t control_port() const { return control_port_; }
  /// "https://localhost:PORT" ("http://..." without TLS).
  [[nodiscard]] std::string base_url() const;
  /// Maps a real provider URL to this server: "https://api.pinterest.com/v5/oauth/token" ->
  /// "https://localhost:PORT/api.pinterest.com/v5/oauth/token". Query and fragment are kept; a
  /// port in the real URL is dropped; a URL without scheme is taken as "host/path".
  [[nodiscard]] std::string url(std::string_view real_url) const;

  /// One control request ("GET", "/calls"; "POST", "/config", R"({"provider":"tiktok",...})")
  /// and its JSON response body. Throws std::runtime_error on a non-200 answer.
  std::string control(std::string_view method, std::string_view path,
                      std::string_view json_body = {}) const;
  /// How many requests reached (provider, endpoint), e.g. ("tiktok", "refresh"), scripted
  /// failures included.
  [[nodiscard]] int calls(std::string_view provider, std::string_view endpoint) const;

  /// POST /config with "provider" set: configure("tiktok", R"({"access_ttl": 60})").
  void configure(std::string_view provider, std::string_view settings_json) const;
  /// POST /fail_next: fail_next(R"({"provider":"tiktok","endpoint":"refresh","kind":"reset"})").
  void fail_next(std::string_view rule_json) const;
  /// Moves the server clock forward (expiries, the Instagram 24 h rule, refresh horizons).
  void advance_clock(std::chrono::seconds by) const;
  /// Stops the server clock at `at` (every expiry is judged against it) until the next call;
  /// a test on a simulated clock keeps the two in step with this.
  void freeze_clock(std::chrono::system_clock::time_point at) const;
  /// POST /reset: back to the start configuration, no grants, counters at 0.
  void reset() const;

  /// A grant as if the server had issued it earlier (POST /grants): the test chose the tokens
  /// and stores the same ones on rosterd's side. Expiries are server-clock moments.
  struct seeded_grant {
    std::string provider;  ///< the fake's provider name ("facebook" also for Instagram via FB)
    std::string user_id;
    std::string username;
    std::vector<std::string> scopes;
    std::string access_token;
    std::optional<std::chrono::system_clock::time_point> access_expires_at;  ///< none: never
    std::string kind = "access";  ///< "long" for a long-lived Meta user token
    std::optional<std::string> refresh_token;
    std::optional<std::chrono::system_clock::time_point> refresh_expires_at;
  };
  /// The fake's grant id.
  std::string seed_grant(const seeded_grant& g) const;

  /// API calls (identity and resource requests) by the state of the bearer token when it
  /// arrived, judged by the expiry this server issued: "ok", "expired", "revoked", "invalid";
  /// `refreshable`: whether the grant still had a live refresh token then (none: unknown
  /// token).
  struct token_use {
    std::string provider;
    std::string endpoint;
    std::string token;
    std::optional<bool> refreshable;
    int count = 0;
  };
  [[nodiscard]] std::vector<token_use> token_uses() const;

  /// What the server printed so far ("port N", "control-port M", "tls handshake failed: ...");
  /// it never prints secrets or tokens.
  [[nodiscard]] std::string output() const;

 private:
  temp_directory dir_;
  bool tls_ = true;
  std::unique_ptr<child_process> child_;
  std::uint16_t port_ = 0;
  std::uint16_t control_port_ = 0;
};

}  // namespace rosterd::testing
