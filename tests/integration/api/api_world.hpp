#pragma once
// A whole agency world over real HTTP: the rosterd binary with its SQLite file, a real SMTP
// server (STARTTLS + AUTH, test CA) that receives every invitation, two accounts made with
// rosterctl bootstrap, and every kind of caller signed in the way a person would be (accepting
// the invitation link that arrived by email).

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

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
  /// appended to the daemon's config.
  explicit api_world(const std::string& config_tail = {});
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
  std::unique_ptr<daemon_harness> daemon_;
  std::map<std::string, std::size_t> mail_seen_;
};

/// Quoted-printable soft breaks and escapes undone (mail bodies arrive encoded).
std::string decode_quoted_printable(const std::string& text);

}  // namespace rosterd::testing
