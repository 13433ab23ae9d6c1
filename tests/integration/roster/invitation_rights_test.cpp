// Who may resend or revoke an invitation: decided by what the person is in the account now,
// not only by the role the invitation was sent for.

#include "roster/invitation_rights.hpp"

#include <catch2/catch.hpp>

#include "roster/error.hpp"
#include "roster/roster_changes.hpp"
#include "roster_fixture.hpp"

using namespace rosterd;
using namespace rosterd::testing;
using roster::invitation_change_verdict;

namespace {

struct promoted : roster_fixture {
  promoted() {
    activate("owner@agency.test");
    owner = caller_for("owner@agency.test");
    invite("ada@agency.test", roster::role::admin);
    activate("ada@agency.test");
    admin = caller_for("ada@agency.test");
    // Pat is invited as an agent, then (before accepting) made an admin by the owner: the
    // second invitation adds nothing to the board, the first one stays an agent's.
    invite("pat@agency.test", roster::role::agent);
    invite("pat@agency.test", roster::role::admin);
    invite("gus@agency.test", roster::role::agent);
  }
  void invite(const std::string& email, roster::role r) {
    db->write_now([&](store::database& d) {
        return roster::invite_member(d, mail, settings, owner, email, r, now);
      }).value();
  }
  roster::invitation_record invitation_of(const std::string& email) {
    auto board = db->read_now([&](store::database& d) {
                     return roster::list_invitations(d, account_id, {}, now);
                   }).value();
    for (auto& i : board) {
      if (i.email == email) {
        return i;
      }
    }
    FAIL("no invitation for " << email);
    return {};
  }
  invitation_change_verdict verdict(const roster::caller& who, const std::string& email) {
    const auto inv = invitation_of(email);
    return db
        ->read_now([&](store::database& d) { return roster::may_change_invitation(d, who, inv); })
        .value();
  }
  roster::caller owner;
  roster::caller admin;
};

}  // namespace

TEST_CASE("an admin may not resend or revoke the invitation of someone who is now an admin",
          "[invitations][access]") {
  promoted f;
  REQUIRE(f.invitation_of("pat@agency.test").kind == roster::role::agent);
  CHECK(f.verdict(f.admin, "pat@agency.test") == invitation_change_verdict::owners_only);
  CHECK(f.verdict(f.owner, "pat@agency.test") == invitation_change_verdict::allowed);
}

TEST_CASE("an admin manages agents' invitations; only owners manage admins' or owners'",
          "[invitations][access]") {
  promoted f;
  CHECK(f.verdict(f.admin, "gus@agency.test") == invitation_change_verdict::allowed);
  CHECK(f.verdict(f.admin, "ada@agency.test") == invitation_change_verdict::owners_only);
  CHECK(f.verdict(f.admin, "owner@agency.test") == invitation_change_verdict::owners_only);
  // An invitation sent for the admin role stays owners-only after a demotion: accepting it is
  // still accepting an admin's invitation.
  f.db->write_now([&](store::database& d) {
        return store::sql::run(d,
                               "UPDATE account_members SET role = 'agent' WHERE user_id = "
                               "(SELECT id FROM users WHERE email = 'ada@agency.test')");
      })
      .value();
  CHECK(f.verdict(f.admin, "ada@agency.test") == invitation_change_verdict::owners_only);
}

TEST_CASE("someone who is not an owner or admin manages no invitation", "[invitations][access]") {
  promoted f;
  auto agent = f.admin;
  agent.member_role = roster::role::agent;
  CHECK(f.verdict(agent, "gus@agency.test") == invitation_change_verdict::not_an_admin);
  CHECK_FALSE(roster::require_allowed(invitation_change_verdict::not_an_admin));
  CHECK(roster::require_allowed(invitation_change_verdict::owners_only).error().code ==
        roster::errc::forbidden);
  CHECK(roster::require_allowed(invitation_change_verdict::allowed));
}
