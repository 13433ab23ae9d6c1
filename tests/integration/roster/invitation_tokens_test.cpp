// Invitation and sign-in tokens: single use, expiry, revocation and resends, each with its own
// clear answer and no access.

#include <catch2/catch.hpp>

#include "base/token.hpp"
#include "roster/access.hpp"
#include "roster/error.hpp"
#include "roster/sign_in.hpp"
#include "roster_fixture.hpp"

using namespace rosterd;
using namespace rosterd::testing;

namespace {

struct invited : roster_fixture {
  invited() {
    apply(header + "Ana Lima,ana@creators.test,No,\n");
    token = mail.token_for("ana@creators.test");
    auto board = db->read_now([&](store::database& d) {
                     return roster::list_invitations(d, account_id, {}, now);
                   }).value();
    for (auto& i : board) {
      if (i.email == "ana@creators.test") {
        invitation = i;
      }
    }
  }
  std::error_code accept(const std::string& t, roster::time_point at) {
    auto r = db->write_now([&](store::database& d) {
      return roster::accept_invitation(d, t, "$argon2id$fake", "Ana", at);
    });
    return r ? std::error_code() : r.error().code;
  }
  std::string token;
  roster::invitation_record invitation;
};

}  // namespace

TEST_CASE("an invitation token is stored only as its hash", "[invitations]") {
  invited f;
  REQUIRE_FALSE(f.token.empty());
  CHECK(f.count("SELECT COUNT(*) FROM invitation_tokens WHERE token_hash = '" + f.token + "'") ==
        0);
  CHECK(f.count("SELECT COUNT(*) FROM invitation_tokens WHERE token_hash = '" +
                base::hash_token(f.token) + "'") == 1);
}

TEST_CASE("an invitation is accepted once; the second use is refused", "[invitations]") {
  invited f;
  CHECK(f.accept(f.token, f.now) == std::error_code());
  CHECK(f.count("SELECT COUNT(*) FROM users WHERE email = 'ana@creators.test' AND "
                "password_hash IS NOT NULL") == 1);
  CHECK(f.accept(f.token, f.now) == roster::errc::token_used);
}

TEST_CASE("an expired invitation is refused and reads as expired", "[invitations]") {
  invited f;
  const auto later = f.now + f.settings.invitation_ttl + std::chrono::seconds(1);
  CHECK(f.accept(f.token, later) == roster::errc::token_expired);
  auto board = f.db->read_now([&](store::database& d) {
    return roster::list_invitations(d, f.account_id, {roster::invitation_status::expired, {}},
                                    later);
  });
  CHECK(board.value().size() == 2);  // the owner's setup link and Ana's
  CHECK(f.count("SELECT COUNT(*) FROM users WHERE password_hash IS NOT NULL") == 0);
}

TEST_CASE("a revoked invitation is refused", "[invitations]") {
  invited f;
  REQUIRE(f.db->write_now([&](store::database& d) {
                return roster::revoke_invitation(d, f.mail, f.invitation, roster::actor::cli(),
                                                 f.now);
              })
              .has_value());
  CHECK(f.accept(f.token, f.now) == roster::errc::token_revoked);
  // The queued email with the dead link is withdrawn.
  CHECK(f.mail.cancelled == std::vector<std::string>{"invitation:" + f.invitation.id});
  CHECK(f.count("SELECT COUNT(*) FROM account_members m JOIN users u ON u.id = m.user_id "
                "WHERE u.email = 'ana@creators.test' AND m.status = 'disabled'") == 1);
}

TEST_CASE("a resend kills the old link with its own message and the new one works",
          "[invitations]") {
  invited f;
  REQUIRE(f.db->write_now([&](store::database& d) {
                return roster::resend_invitation(d, f.mail, f.settings, f.invitation,
                                                 roster::actor::cli(), f.now);
              })
              .has_value());
  const auto fresh = f.mail.token_for("ana@creators.test");
  REQUIRE(fresh != f.token);
  CHECK(f.mail.sent.back().idempotency_key != f.mail.sent.front().idempotency_key);
  CHECK(f.accept(f.token, f.now) == roster::errc::token_superseded);
  CHECK(f.accept(fresh, f.now) == std::error_code());
}

TEST_CASE("a malformed or unknown invitation token is invalid", "[invitations]") {
  invited f;
  CHECK(f.accept("", f.now) == roster::errc::token_invalid);
  CHECK(f.accept("rdinv_short", f.now) == roster::errc::token_invalid);
  CHECK(f.accept(base::issue_token("rdinv").value.reveal().data(), f.now) ==
        roster::errc::token_invalid);
}

TEST_CASE("a session ends after its idle timeout and its absolute timeout", "[sign-in]") {
  invited f;
  roster::session_settings s;
  auto token = f.db->write_now(
      [&](store::database& d) { return roster::start_session(d, f.owner_id, s, f.now); });
  const std::string value(token.value().reveal());
  auto at = [&](roster::time_point t) {
    return f.db->read_now([&](store::database& d) { return roster::find_session(d, value, s, t); })
        .value()
        .has_value();
  };
  CHECK(at(f.now + std::chrono::minutes(59)));
  CHECK_FALSE(at(f.now + std::chrono::minutes(61)));
  // Kept alive by use, it still ends at the absolute timeout.
  for (int h = 1; h < 12; ++h) {
    auto hash = base::hash_token(value);
    f.db->write_now([&](store::database& d) {
          return roster::touch_session(d, hash, f.now + std::chrono::hours(h));
        })
        .value();
  }
  CHECK(at(f.now + std::chrono::hours(11) + std::chrono::minutes(30)));
  CHECK_FALSE(at(f.now + std::chrono::hours(12) + std::chrono::minutes(1)));
}

TEST_CASE("logging in again rotates the session", "[sign-in]") {
  invited f;
  roster::session_settings s;
  auto first = f.db->write_now(
      [&](store::database& d) { return roster::start_session(d, f.owner_id, s, f.now); });
  const std::string old_value(first.value().reveal());
  auto second = f.db->write_now([&](store::database& d) {
    return roster::start_session(d, f.owner_id, s, f.now, std::string_view(old_value));
  });
  REQUIRE(second.has_value());
  CHECK(second->reveal() != old_value);
  auto old = f.db->read_now(
      [&](store::database& d) { return roster::find_session(d, old_value, s, f.now); });
  CHECK_FALSE(old.value().has_value());
}

TEST_CASE("a password reset link works once, and ends every session", "[sign-in]") {
  invited f;
  REQUIRE(f.accept(f.token, f.now) == std::error_code());
  roster::session_settings s;
  const auto ana = f.user_id("ana@creators.test");
  auto session =
      f.db->write_now([&](store::database& d) { return roster::start_session(d, ana, s, f.now); });
  REQUIRE(session.has_value());
  REQUIRE(f.db->write_now([&](store::database& d) {
                return roster::request_password_reset(d, f.mail, f.settings, "ana@creators.test",
                                                      f.now);
              })
              .has_value());
  const auto reset = f.mail.token_for("ana@creators.test");
  REQUIRE(reset.rfind("rdrst_", 0) == 0);
  auto done = f.db->write_now([&](store::database& d) {
    return roster::complete_password_reset(d, reset, "$argon2id$new", f.now);
  });
  REQUIRE(done.has_value());
  CHECK(f.count("SELECT COUNT(*) FROM sessions WHERE user_id = '" + ana + "'") == 0);
  auto again = f.db->write_now([&](store::database& d) {
    return roster::complete_password_reset(d, reset, "$argon2id$again", f.now);
  });
  REQUIRE_FALSE(again.has_value());
  CHECK(again.error().code == roster::errc::token_used);
}

TEST_CASE("a password reset revokes the person's personal tokens, audited, and no service token",
          "[sign-in][tokens]") {
  invited f;
  f.activate("owner@agency.test");
  const auto owner = f.caller_for("owner@agency.test");
  const auto make = [&](const char* kind, const char* name) {
    return f.db
        ->write_now([&](store::database& d) {
          return roster::create_api_token(d, owner, kind, name, std::nullopt, f.now);
        })
        .value();
  };
  const auto laptop = make("personal", "laptop");
  const auto script = make("personal", "script");
  const auto broker = make("service", "broker");
  REQUIRE(f.db->write_now([&](store::database& d) {
                return roster::request_password_reset(d, f.mail, f.settings, "owner@agency.test",
                                                      f.now);
              })
              .has_value());
  const auto reset = f.mail.token_for("owner@agency.test");
  REQUIRE(f.db->write_now([&](store::database& d) {
                return roster::complete_password_reset(d, reset, "$argon2id$new", f.now);
              })
              .has_value());
  const auto works = [&](const roster::created_api_token& t) {
    return f.db
        ->read_now([&](store::database& d) {
          return roster::caller_for_api_token(d, t.token.reveal(), f.now);
        })
        .value()
        .has_value();
  };
  CHECK_FALSE(works(laptop));
  CHECK_FALSE(works(script));
  CHECK(works(broker));
  CHECK(f.count("SELECT COUNT(*) FROM audit_log WHERE action = 'token.revoked' AND account_id = '" +
                f.account_id + "' AND target_id IN ('" + laptop.record.id + "', '" +
                script.record.id + "')") == 2);
}

TEST_CASE("a reset for an unknown address queues nothing", "[sign-in]") {
  invited f;
  f.mail.sent.clear();
  REQUIRE(f.db->write_now([&](store::database& d) {
                return roster::request_password_reset(d, f.mail, f.settings, "nobody@x.test",
                                                      f.now);
              })
              .has_value());
  CHECK(f.mail.sent.empty());
}

TEST_CASE("API tokens are shown once, stored hashed, and stop working when revoked", "[tokens]") {
  invited f;
  auto owner = f.caller_for("owner@agency.test");
  auto made = f.db->write_now([&](store::database& d) {
    return roster::create_api_token(d, owner, "service", "broker", std::nullopt, f.now);
  });
  REQUIRE(made.has_value());
  const std::string value(made->token.reveal());
  CHECK(f.count("SELECT COUNT(*) FROM api_tokens WHERE token_hash = '" + base::hash_token(value) +
                "'") == 1);
  auto who = f.db->read_now(
      [&](store::database& d) { return roster::caller_for_api_token(d, value, f.now); });
  REQUIRE(who.value().has_value());
  CHECK((*who)->is_service());
  REQUIRE(f.db->write_now([&](store::database& d) {
                return roster::revoke_api_token(d, owner, "service", made->record.id, f.now);
              })
              .has_value());
  auto after = f.db->read_now(
      [&](store::database& d) { return roster::caller_for_api_token(d, value, f.now); });
  CHECK_FALSE(after.value().has_value());
  // A personal-token prefix on a service token's value is refused before any lookup.
  auto swapped = "rdpat" + value.substr(5);
  auto none = f.db->read_now(
      [&](store::database& d) { return roster::caller_for_api_token(d, swapped, f.now); });
  CHECK_FALSE(none.value().has_value());
}
