#pragma once
// A whole agency world over real HTTP: the rosterd binary with its SQLite file, a real SMTP
// server (STARTTLS + AUTH, test CA) that receives every invitation, two accounts made with
// rosterctl bootstrap, and every kind of caller signed in the way a person would be (accepting
// the invitation link that arrived by email).

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "oauth/http_types.hpp"
#include "tests/fakes/fake_provider.hpp"
#include "tests/fakes/fake_smtp.hpp"
#include "tests/support/daemon_harness.hpp"
#include "tests/support/http_client.hpp"

namespace rosterd::testing {

using json = nlohmann::json;

/// How a caller authenticates: a session cookie (+ CSRF token), a bearer token, or nothing.
struct credentials {
  std::string cookie;  // "rosterd_session=..."
  std::string csrf;
  std::string bearer;
  std::string user_id;
};

/// The planted name that must never reach anyone outside the rival account.
inline constexpr std::string_view canary = "CANARY-Q7X";

class api_world {
 public:
  /// Starts everything and builds the world (about 10 people, 2 accounts). `config_tail` is
  /// appended to the daemon's config, then what `provider_tail` makes once the provider test
  /// server runs (for more providers pointing at it).
  explicit api_world(const std::string& config_tail = {},
                     const std::function<std::string(const fake_provider&)>& provider_tail = {});
  ~api_world();

  http_reply call(const credentials& who, const std::string& method, const std::string& target,
                  const std::string& body = {},
                  const std::string& content_type = "application/json");
  /// Like call(), failing the test unless the status is `expected`; returns the JSON body.
  json call_ok(const credentials& who, const std::string& method, const std::string& target,
               const json& body = nullptr, int expected = 200);

  /// Signs in with email and password; fails the test on any other answer than 200.
  credentials login(const std::string& email, const std::string& password);
  /// Waits for an email to `recipient` (the n-th, 1-based) and returns its decoded body.
  std::string wait_for_mail(const std::string& recipient, std::size_t nth = 1);
  /// The token of the last link (`token=`) in the n-th mail to `recipient`.
  std::string token_in_mail(const std::string& recipient, std::size_t nth = 1);
  /// Accepts an invitation token with the shared password; returns the signed-in credentials.
  credentials accept(const std::string& token, const std::string& display_name = "");
  /// Runs rosterctl with the daemon's config; returns exit code and output.
  run_result rosterctl(const std::vector<std::string>& args);
  /// The daemon's log so far.
  std::string daemon_log() const;

  std::uint16_t port() const { return daemon_->port(); }

  // Connections. Every built-in platform and a generic provider ("acme") point at the provider
  // test server; facebook keeps its Pages' tokens (page_tokens); the vault key is a file in
  // the daemon's directory.
  static const std::vector<std::string> provider_ids;
  fake_provider& provider_fake() { return *provider_; }
  const test_pki& pki() const { return *pki_; }
  std::filesystem::path vault_key_file() const;
  /// A browser: the cookies rosterd gave it (the OAuth binding cookie).
  struct browser {
    std::string cookie;
  };
  /// Makes a reconnect link as `who` (201 expected); returns its token.
  std::string make_link(const credentials& who, const std::string& account_id,
                        const std::string& creator, const std::vector<std::string>& providers = {});
  /// One connect as a creator's browser does it: open the link, press Connect, let the platform
  /// answer (the provider test server approves or denies as configured), follow its redirect
  /// back to rosterd's callback, then open the result page.
  struct connect_trace {
    http_reply page;
    http_reply start;
    oauth::http_response authorize;
    std::string callback_target;  // path and query rosterd's callback was called with
    http_reply callback;
    http_reply result;
  };
  connect_trace connect(browser& b, const std::string& link_token, const std::string& provider);
  /// Calls rosterd as `b` (its cookie), no other credentials.
  http_reply browse(browser& b, const std::string& method, const std::string& target,
                    const std::string& body = {});
  /// A GET over TLS trusting the test CA (the provider test server).
  oauth::http_response https_get(const std::string& url);
  std::string connection_a;  // tiktok connections of Ana, Ben and the rival's creator
  std::string connection_b;
  std::string connection_c;
  std::string link_a;  // usable reconnect links (ids) of the same three
  std::string link_b;
  std::string link_c;
  daemon_harness& daemon() { return *daemon_; }

  static constexpr const char* password = "correct horse battery staple";
  static const std::string roster_csv;  // the agency's file: Ana (team: on, disabled, helper), Ben

  // The cast.
  std::map<std::string, credentials> actors;  // anonymous, owner, admin, agent_on, ...
  std::string account;                        // Talent Partnerships
  std::string rival_account;                  // the canary's agency
  std::string creator_a;                      // Ana: agent_on and disabled are on her team
  std::string creator_b;                      // Ben: agent_off is on his team
  std::string creator_c;                      // the rival's creator (the canary)
  std::string helper_user;                    // on both teams; the target of team removals
  std::string pending_invitation;             // never accepted, in account
  std::string rival_pending_invitation;       // never accepted, in rival_account
  std::string owner_personal_token;           // id
  std::string spare_service_token;            // id, in account
  std::string agent_on_user;
  std::string agent_off_user;
  std::string rival_member_user;

 private:
  std::unique_ptr<notify::testing::test_pki> pki_;
  std::unique_ptr<notify::testing::fake_smtp_server> smtp_;
  std::unique_ptr<fake_provider> provider_;
  temp_directory key_dir_;  // the vault key and the client secrets
  std::unique_ptr<daemon_harness> daemon_;
  std::map<std::string, std::size_t> mail_seen_;
};

/// Quoted-printable soft breaks and escapes undone (mail bodies arrive encoded).
std::string decode_quoted_printable(const std::string& text);

}  // namespace rosterd::testing
