// Agencies are competitors sharing one server. What an agency learns about a person outside its
// account (a dry run, the member list, the invitations board, what a revoke does) must be the
// same whether or not that person has an account with another agency; and nobody joins an
// agency's account, or sees anything in it, before accepting its invitation.

#include <set>
#include <sstream>

#include <catch2/catch.hpp>

#include "roster/error.hpp"
#include "roster/roster_changes.hpp"
#include "roster/roster_view.hpp"
#include "roster_fixture.hpp"

using namespace rosterd;
using namespace rosterd::testing;

namespace {

// The fixture's agency, and, when `with_rival`, a rival agency on the same server where its
// owner Boss, Ana (a creator) and Amy (a team member) already signed up. The two worlds differ in
// nothing else, so any difference in what the fixture's agency is told comes from the rival's data.
struct world : roster_fixture {
  explicit world(bool with_rival) {
    if (!with_rival) {
      return;
    }
    auto made = db->write_now([&](store::database& d) {
                    return roster::bootstrap_account(d, settings, "Rival Agency", "boss@rival.test",
                                                     roster::actor::cli(), now);
                  }).value();
    rival = made.account_id;
    accept(std::string(made.setup->token.reveal()), "Boss (signed up with Rival)");
    auto file = parse(header + "Ana Lima,ana@creators.test,No,amy@talentco.test\n");
    db->write_now([&](store::database& d) {
        return roster::apply_onboarding(d, mail, settings, rival, file, options,
                                        roster::actor::cli(), now);
      }).value();
    accept(mail.token_for("ana@creators.test"), "Ana (signed up with Rival)");
    accept(mail.token_for("amy@talentco.test"), "Amy (signed up with Rival)");
    mail.sent.clear();
  }

  void accept(const std::string& token, const std::string& name) {
    db->write_now([&](store::database& d) {
        return roster::accept_invitation(d, token, "$argon2id$fake", name, now);
      }).value();
  }

  std::error_code access_error(const std::string& email) {
    const auto id = user_id(email);
    auto c = db->read_now(
        [&](store::database& d) { return roster::caller_for_user(d, id, account_id); });
    return c ? std::error_code() : c.error().code;
  }

  // The creator id in the fixture's account (the rival has its own for the same person).
  std::string our_creator(const std::string& email) {
    return db
        ->read_now([&](store::database& d) {
          return store::sql::first(
              d,
              "SELECT c.id FROM creators c JOIN users u ON u.id = c.user_id "
              "WHERE u.email = ? AND c.account_id = ?",
              [](store::statement& s) { return s.column_text(0); }, email, account_id);
        })
        .value()
        .value();
  }

  std::vector<std::string> accounts_of(const std::string& email) {
    const auto id = user_id(email);
    std::vector<std::string> names;
    for (const auto& a : db->read_now([&](store::database& d) {
                             return roster::accounts_of_user(d, id);
                           }).value()) {
      names.push_back(a.name);
    }
    return names;
  }

  // The member list, the invitations board, the creators' teams and the mail sent, as the
  // fixture's agency sees them (ids and times left out: they differ between any two worlds).
  std::string agency_view() {
    const auto owner = caller_for("owner@agency.test");
    std::ostringstream out;
    for (const auto& m :
         db->read_now([&](store::database& d) { return roster::list_members(d, owner); }).value()) {
      out << "member " << m.email << " name=" << m.display_name
          << " role=" << roster::to_string(m.member_role) << " status=" << m.status
          << " joined=" << m.joined << '\n';
    }
    // The board is newest first, and every row here has the same time: sort by address.
    std::set<std::string> board;
    for (const auto& i : db->read_now([&](store::database& d) {
                             return roster::list_invitations(d, account_id, {}, now);
                           }).value()) {
      board.insert("invitation " + i.email + " kind=" + std::string(roster::to_string(i.kind)) +
                   " status=" + std::string(roster::to_string(i.status)) +
                   " sends=" + std::to_string(i.sends) + "\n");
    }
    for (const auto& line : board) {
      out << line;
    }
    const auto creators = db->read_now([&](store::database& d) {
                              return roster::list_creators(d, owner, std::nullopt, 100);
                            }).value();
    for (const auto& c : creators.items) {
      const auto full = db->read_now([&](store::database& d) {
                            return roster::get_creator(d, owner, c.id);
                          }).value();
      out << "creator " << full.email << " name=" << full.display_name << '\n';
      for (const auto& p : full.team) {
        out << "  team " << p.email << " name=" << p.display_name << '\n';
      }
    }
    for (const auto& m : mail.sent) {
      out << "mail " << m.template_name << " to " << m.recipient << '\n';
    }
    return out.str();
  }

  std::string rival;
};

std::string describe(const roster::onboarding_plan& plan) {
  std::ostringstream out;
  for (const auto& i : plan.issues) {
    out << "issue " << i.line << ' ' << i.column << ' ' << roster::to_string(i.severity) << ' '
        << i.code << ": " << i.message << '\n';
  }
  for (const auto& c : plan.creators) {
    out << "row " << c.line << ' ' << c.email << ' ' << roster::to_string(c.action)
        << " links_existing_user=" << c.links_existing_user << " existing=" << !c.creator_id.empty()
        << " previous_name=" << c.previous_name << " +" << c.team_add.size() << " -"
        << c.team_remove.size() << '\n';
  }
  for (const auto* list : {&plan.invitations, &plan.notices}) {
    for (const auto& m : *list) {
      out << (m.notice ? "notice " : "invitation ") << m.email << ' ' << roster::to_string(m.kind)
          << '\n';
    }
  }
  return out.str();
}

const std::string ana_with_amy_no = header + "Ana Lima,ana@creators.test,No,amy@talentco.test\n";
const std::string ana_with_amy_yes = header + "Ana Lima,ana@creators.test,Yes,amy@talentco.test\n";

}  // namespace

TEST_CASE("a dry run says the same about people whether or not they have an account elsewhere",
          "[privacy]") {
  world alone(false);
  world beside_rival(true);
  for (const auto& csv : {ana_with_amy_no, ana_with_amy_yes}) {
    const auto plan = alone.plan(csv);
    CHECK(describe(beside_rival.plan(csv)) == describe(plan));
    // Both are simply invited: a "Yes" is the agency's note, not checked against other agencies.
    CHECK(plan.rows_with_errors() == 0);
    CHECK(plan.invitations.size() == 2);
    CHECK(plan.notices.empty());
    CHECK_FALSE(plan.creators.front().links_existing_user);
  }
}

TEST_CASE("a person with an account elsewhere is invited and has no access until they accept",
          "[privacy]") {
  world w(true);
  const auto applied = w.apply(ana_with_amy_yes);
  CHECK(applied.invitations.size() == 2);
  CHECK(applied.notices.empty());
  REQUIRE(w.mail.sent.size() == 2);
  for (const auto& m : w.mail.sent) {
    CHECK(m.template_name ==
          (m.recipient == "ana@creators.test" ? "creator_invitation" : "team_invitation"));
  }
  // On the roster, but not in the account: no caller, and not among their accounts.
  CHECK(w.access_error("ana@creators.test") == roster::errc::not_found);
  CHECK(w.access_error("amy@talentco.test") == roster::errc::not_found);
  CHECK(w.accounts_of("ana@creators.test") == std::vector<std::string>{"Rival Agency"});

  // Accepting needs no new password (they have one) and joins them.
  const auto token = w.mail.token_for("ana@creators.test");
  const auto preview =
      w.db->read_now([&](store::database& d) { return roster::open_invitation(d, token, w.now); });
  REQUIRE(preview.has_value());
  CHECK_FALSE(preview->needs_password);
  REQUIRE(w.db->write_now([&](store::database& d) {
                return roster::accept_invitation(d, token, "", "", w.now);
              })
              .has_value());
  CHECK(w.access_error("ana@creators.test") == std::error_code());
  CHECK(w.accounts_of("ana@creators.test") ==
        std::vector<std::string>{"Rival Agency", "Talent Partnerships"});
  CHECK(w.access_error("amy@talentco.test") == roster::errc::not_found);
}

TEST_CASE("after an apply, members, invitations and teams read the same with or without a rival",
          "[privacy]") {
  world alone(false);
  world beside_rival(true);
  alone.apply(ana_with_amy_yes);
  beside_rival.apply(ana_with_amy_yes);
  const auto view = alone.agency_view();
  CHECK(beside_rival.agency_view() == view);
  // Neither has joined; the creator shows the name this agency gave, the team member none.
  CHECK(view.find("member ana@creators.test name=Ana Lima role=creator status=active joined=0") !=
        std::string::npos);
  CHECK(view.find("member amy@talentco.test name= role=agent status=active joined=0") !=
        std::string::npos);
  CHECK(view.find("invitation amy@talentco.test kind=agent status=pending") != std::string::npos);
}

TEST_CASE("members and team members added one by one are invited alike with or without a rival",
          "[privacy]") {
  world alone(false);
  world beside_rival(true);
  for (world* w : {&alone, &beside_rival}) {
    w->apply(header + "Ana Lima,ana@creators.test,No,\n");
    const auto owner = w->caller_for("owner@agency.test");
    const auto ana = w->our_creator("ana@creators.test");
    auto added = w->db->write_now([&](store::database& d) {
      return roster::add_team_member(d, w->mail, w->settings, owner, ana, "amy@talentco.test",
                                     w->now);
    });
    INFO((added ? std::string() : added.error().detail));
    REQUIRE(added.has_value());
    auto invited = w->db->write_now([&](store::database& d) {
      return roster::invite_member(d, w->mail, w->settings, owner, "boss@rival.test",
                                   roster::role::agent, w->now);
    });
    INFO((invited ? std::string() : invited.error().detail));
    REQUIRE(invited.has_value());
    CHECK(w->access_error("boss@rival.test") == roster::errc::not_found);
  }
  CHECK(beside_rival.agency_view() == alone.agency_view());
}

TEST_CASE("revoking the invitation of a person with an account elsewhere works as for anyone",
          "[privacy]") {
  world alone(false);
  world beside_rival(true);
  for (world* w : {&alone, &beside_rival}) {
    w->apply(ana_with_amy_no);
    const auto board = w->db
                           ->read_now([&](store::database& d) {
                             return roster::list_invitations(d, w->account_id, {}, w->now);
                           })
                           .value();
    for (const auto& i : board) {
      if (i.email == "amy@talentco.test") {
        CHECK(w->db
                  ->write_now([&](store::database& d) {
                    return roster::revoke_invitation(d, w->mail, i, roster::actor::cli(), w->now);
                  })
                  .has_value());
      }
    }
  }
  const auto view = alone.agency_view();
  CHECK(beside_rival.agency_view() == view);
  CHECK(view.find("member amy@talentco.test name= role=agent status=disabled") !=
        std::string::npos);
}

TEST_CASE("signing up with another agency does not open an account whose invitation is pending",
          "[privacy]") {
  world w(false);
  w.apply(header + "Ana Lima,ana@creators.test,No,\n");
  const auto ours = w.mail.token_for("ana@creators.test");
  // Later a second agency invites Ana, and she accepts that one first (setting a password).
  const auto second =
      w.db->write_now([&](store::database& d) {
            return roster::bootstrap_account(d, w.settings, "Second Agency", "boss@second.test",
                                             roster::actor::cli(), w.now);
          })
          .value()
          .account_id;
  auto file = w.parse(header + "Ana Lima,ana@creators.test,No,\n");
  w.db->write_now([&](store::database& d) {
        return roster::apply_onboarding(d, w.mail, w.settings, second, file, w.options,
                                        roster::actor::cli(), w.now);
      })
      .value();
  w.accept(w.mail.token_for("ana@creators.test"), "Ana");
  CHECK(w.accounts_of("ana@creators.test") == std::vector<std::string>{"Second Agency"});
  CHECK(w.access_error("ana@creators.test") == roster::errc::not_found);
  // Our own invitation still works, without a password now, and then she is in.
  REQUIRE(w.db->write_now([&](store::database& d) {
                return roster::accept_invitation(d, ours, "", "", w.now);
              })
              .has_value());
  CHECK(w.access_error("ana@creators.test") == std::error_code());
}
