// CSV onboarding against a real database: the dry run's diff and checks, and the apply's
// all-or-nothing, idempotent behaviour.

#include <catch2/catch.hpp>

#include "roster/onboarding_issue.hpp"
#include "roster/roster_view.hpp"
#include "roster_fixture.hpp"

using namespace rosterd;
using namespace rosterd::testing;
using roster::creator_action;

namespace {

const std::string two_creators =
    header +
    "Ana Lima,ana@creators.test,No,\"amy@agency.test, bo@agency.test\"\n"
    "Ben Ode,ben@creators.test,No,amy@agency.test\n";

bool has_issue(const roster::onboarding_plan& plan, int line, std::string_view code) {
  for (const auto& i : plan.issues) {
    if (i.line == line && i.code == code) {
      return true;
    }
  }
  return false;
}

}  // namespace

TEST_CASE("a dry run reports the diff and writes nothing", "[onboarding]") {
  roster_fixture f;
  const auto users_before = f.count("SELECT COUNT(*) FROM users");
  auto plan = f.plan(two_creators);
  CHECK(plan.count(creator_action::add) == 2);
  CHECK(plan.team_additions() == 3);
  REQUIRE(plan.invitations.size() == 4);  // ana, ben, amy (once), bo
  CHECK(plan.notices.empty());
  CHECK_FALSE(plan.applied);
  CHECK(f.count("SELECT COUNT(*) FROM users") == users_before);
  CHECK(f.count("SELECT COUNT(*) FROM creators") == 0);
  CHECK(f.mail.sent.empty());
}

TEST_CASE("apply creates creators, private groups, teams and one invitation per person",
          "[onboarding]") {
  roster_fixture f;
  auto plan = f.apply(two_creators);
  CHECK(plan.applied);
  CHECK(f.count("SELECT COUNT(*) FROM creators") == 2);
  CHECK(f.count("SELECT COUNT(*) FROM access_groups WHERE name IN ('Ana Lima', 'Ben Ode')") == 2);
  CHECK(f.count("SELECT COUNT(*) FROM group_members") == 3);
  // amy is on two teams: one user, one invitation naming both creators.
  CHECK(f.count("SELECT COUNT(*) FROM users WHERE email = 'amy@agency.test'") == 1);
  CHECK(f.count("SELECT COUNT(*) FROM invitations i JOIN users u ON u.id = i.user_id "
                "WHERE u.email = 'amy@agency.test'") == 1);
  REQUIRE(f.mail.sent.size() == 4);
  for (const auto& m : f.mail.sent) {
    if (m.recipient == "amy@agency.test") {
      CHECK(m.template_name == "team_invitation");
      CHECK(m.creator_names == std::vector<std::string>{"Ana Lima", "Ben Ode"});
    }
    if (m.recipient == "ana@creators.test") {
      CHECK(m.template_name == "creator_invitation");
    }
  }
  CHECK(f.count("SELECT COUNT(*) FROM audit_log WHERE action = 'creator.added'") == 2);
}

TEST_CASE("re-applying the same file changes nothing and sends nothing", "[onboarding]") {
  roster_fixture f;
  f.apply(two_creators);
  const auto sent = f.mail.sent.size();
  const auto audit = f.count("SELECT COUNT(*) FROM audit_log");
  auto again = f.apply(two_creators);
  CHECK(again.no_changes());
  CHECK(again.count(creator_action::unchanged) == 2);
  CHECK(f.mail.sent.size() == sent);
  CHECK(f.count("SELECT COUNT(*) FROM audit_log") == audit);
  CHECK(f.count("SELECT COUNT(*) FROM group_members") == 3);
}

TEST_CASE("an edited file adds and removes team members and reports absent creators",
          "[onboarding]") {
  roster_fixture f;
  f.apply(two_creators);
  const std::string edited =
      header + "Ana Lima,ana@creators.test,No,\"bo@agency.test;cy@agency.test\"\n";
  auto plan = f.plan(edited);
  REQUIRE(plan.creators.size() == 1);
  CHECK(plan.creators[0].action == creator_action::update);
  CHECK(plan.creators[0].team_add == std::vector<std::string>{"cy@agency.test"});
  CHECK(plan.creators[0].team_remove == std::vector<std::string>{"amy@agency.test"});
  REQUIRE(plan.not_in_file.size() == 1);
  CHECK(plan.not_in_file[0].email == "ben@creators.test");
  REQUIRE(plan.invitations.size() == 1);
  CHECK(plan.invitations[0].email == "cy@agency.test");

  f.apply(edited);
  // Ben is reported, never deleted; Ana's team is exactly the file's.
  CHECK(f.count("SELECT COUNT(*) FROM creators WHERE status = 'active'") == 2);
  CHECK(f.count("SELECT COUNT(*) FROM group_members gm JOIN users u ON u.id = gm.user_id "
                "JOIN access_groups g ON g.id = gm.group_id WHERE g.name = 'Ana Lima'") == 2);
  CHECK(f.count("SELECT COUNT(*) FROM group_members gm JOIN users u ON u.id = gm.user_id "
                "WHERE u.email = 'amy@agency.test'") == 1);
}

TEST_CASE("a renamed creator renames their group", "[onboarding]") {
  roster_fixture f;
  f.apply(two_creators);
  auto plan =
      f.apply(header + "Ana Lima-Costa,ana@creators.test,No,\"amy@agency.test, bo@agency.test\"\n");
  REQUIRE(plan.creators[0].action == creator_action::update);
  CHECK(plan.creators[0].previous_name == "Ana Lima");
  CHECK(f.count("SELECT COUNT(*) FROM access_groups WHERE name = 'Ana Lima-Costa'") == 1);
}

TEST_CASE("\"Yes\" for an address new to the account is the agency's note; the person is invited",
          "[onboarding]") {
  roster_fixture f;
  auto plan = f.apply(header + "Ana Lima,ana@creators.test,Yes,\nBen Ode,ben@creators.test,No,\n");
  CHECK(plan.rows_with_errors() == 0);
  CHECK(plan.count(creator_action::add) == 2);
  CHECK(plan.invitations.size() == 2);
  CHECK(f.count("SELECT COUNT(*) FROM creators WHERE existing_account = 1") == 1);
}

TEST_CASE("\"No\" for someone who already uses the account links them and sends no invitation",
          "[onboarding]") {
  roster_fixture f;
  // The owner signs in already (as if they accepted their setup link).
  f.activate("owner@agency.test");
  auto plan = f.apply(header + "Olive Owner,owner@agency.test,No,\n");
  CHECK(has_issue(plan, 2, roster::issue_code::account_exists));
  CHECK(plan.creators[0].action == creator_action::add);
  CHECK(plan.creators[0].links_existing_user);
  // The owner already had an invitation (bootstrap): nothing new to say.
  CHECK(f.mail.sent.empty());
  CHECK(f.count("SELECT COUNT(*) FROM users WHERE email = 'owner@agency.test'") == 1);
}

TEST_CASE("someone who joined the account without an invitation gets a notice, not an invitation",
          "[onboarding]") {
  roster_fixture f;
  f.activate("owner@agency.test");
  // An account the operator creates for an owner who already signs in: joined, never invited.
  auto other = f.db->write_now([&](store::database& d) {
    return roster::bootstrap_account(d, f.settings, "Second Agency", "owner@agency.test",
                                     roster::actor::cli(), f.now);
  });
  REQUIRE_FALSE(other.value().setup);
  auto file = f.parse(header + "Ana Lima,ana@creators.test,No,owner@agency.test\n");
  auto applied = f.db->write_now([&](store::database& d) {
    return roster::apply_onboarding(d, f.mail, f.settings, other.value().account_id, file,
                                    f.options, roster::actor::cli(), f.now);
  });
  REQUIRE(applied.has_value());
  REQUIRE(applied->notices.size() == 1);
  CHECK(applied->notices[0].email == "owner@agency.test");
  CHECK(applied->invitations.size() == 1);  // Ana
  bool noticed = false;
  for (const auto& m : f.mail.sent) {
    noticed =
        noticed || (m.recipient == "owner@agency.test" && m.template_name == "roster_added_notice");
  }
  CHECK(noticed);
}

TEST_CASE("a team address near the domain of the account's own members is a warning",
          "[onboarding]") {
  roster_fixture f;  // the owner is owner@agency.test
  auto plan =
      f.plan(header + "Ana Lima,ana@creators.test,No,\"amy@agnecy.test, bo@agency.test\"\n");
  REQUIRE(plan.issues.size() == 1);
  const auto& typo = plan.issues[0];
  CHECK(typo.code == roster::issue_code::likely_domain_typo);
  CHECK(typo.severity == roster::issue_severity::warning);
  CHECK(typo.line == 2);
  CHECK(typo.column == "Emails of agency team members who require access");
  CHECK(typo.message ==
        "amy@agnecy.test: \"agnecy.test\" is one edit away from \"agency.test\", the domain of "
        "1 member of this account; did you mean agency.test?");
  CHECK_FALSE(has_issue(f.plan(header + "Ana Lima,ana@creators.test,No,bo@agency.test\n"), 2,
                        roster::issue_code::likely_domain_typo));
}

TEST_CASE("a team address that is an existing creator of the roster is an error", "[onboarding]") {
  roster_fixture f;
  f.apply(header + "Ana Lima,ana@creators.test,No,\n");
  auto plan = f.plan(header + "Ben Ode,ben@creators.test,No,ana@creators.test\n");
  CHECK(has_issue(plan, 2, roster::issue_code::team_email_is_creator));
  CHECK(plan.creators[0].action == creator_action::skipped);
}

TEST_CASE("apply is all or nothing: a failure midway leaves nothing stored or queued",
          "[onboarding]") {
  roster_fixture f;
  f.mail.fail_after = 2;
  auto failed = f.try_apply(two_creators);
  CHECK_FALSE(failed.has_value());
  CHECK(f.count("SELECT COUNT(*) FROM creators") == 0);
  CHECK(f.count("SELECT COUNT(*) FROM users") == 1);  // the owner only
  CHECK(f.count("SELECT COUNT(*) FROM invitations") == 1);
  f.mail.fail_after.reset();
  f.mail.sent.clear();
  CHECK(f.apply(two_creators).count(creator_action::add) == 2);
  CHECK(f.mail.sent.size() == 4);
}

TEST_CASE("rows with file errors are reported and left out of the apply", "[onboarding]") {
  roster_fixture f;
  auto plan = f.apply(header + ",nobody@creators.test,No,\nBen Ode,ben@creators.test,No,\n");
  CHECK(has_issue(plan, 2, roster::issue_code::missing_name));
  CHECK(plan.rows_with_errors() == 1);
  CHECK(f.count("SELECT COUNT(*) FROM creators") == 1);
}

TEST_CASE("a removed creator listed again is reactivated", "[onboarding]") {
  roster_fixture f;
  f.apply(header + "Ana Lima,ana@creators.test,No,amy@agency.test\n");
  f.db->write_now([&](store::database& d) {
        return store::sql::run(d, "UPDATE creators SET status = 'removed'");
      })
      .value();
  auto plan = f.apply(header + "Ana Lima,ana@creators.test,No,amy@agency.test\n");
  CHECK(plan.creators[0].action == creator_action::reactivate);
  CHECK(f.count("SELECT COUNT(*) FROM creators WHERE status = 'active'") == 1);
}
