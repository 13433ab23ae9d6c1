#include "roster/onboarding_plan.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

#include "roster/domain_typos.hpp"
#include "roster/email_address.hpp"
#include "roster/error.hpp"
#include "roster/invitations.hpp"
#include "roster/people.hpp"
#include "store/sql.hpp"
#include "store/transaction.hpp"

namespace rosterd::roster {
namespace {

/// What this account knows about one address. Only this account: agencies are competitors
/// on one server, so nothing the plan says about a person may depend on whether they have an
/// account with another agency. Everyone outside the account reads as a new person.
struct known_person {
  std::optional<user_row> user;        // set for members of this account only
  std::optional<creator_row> creator;  // in this account, active or removed
  bool has_invitation = false;         // any invitation row in this account
  bool member = false;                 // any membership in this account
  bool joined = false;                 // the membership is accepted (they use this account)
};

class directory {
 public:
  directory(store::database& db, std::string_view account_id) : db_(db), account_(account_id) {}

  /// Reads everyone in the account, and every team, in two queries: a 10,000-row file would
  /// otherwise cost five queries per address. Nobody outside the account is ever looked up.
  base::result<void> preload() {
    auto people = store::sql::each(
        db_,
        "SELECT u.id, u.email, u.display_name, u.status, u.password_hash IS NOT NULL, "
        "c.id, c.display_name, c.status, g.id, c.existing_account, "
        "EXISTS (SELECT 1 FROM invitations i WHERE i.account_id = ?1 AND i.user_id = u.id), "
        "m.joined_at IS NOT NULL, m.role "
        "FROM account_members m JOIN users u ON u.id = m.user_id "
        "LEFT JOIN creators c ON c.account_id = ?1 AND c.user_id = u.id "
        "LEFT JOIN access_groups g ON g.creator_id = c.id WHERE m.account_id = ?1",
        [&](store::statement& s) {
          known_person p;
          p.user = user_row{s.column_text(0), s.column_text(1), s.column_text(2), s.column_text(3),
                            s.column_int64(4) != 0};
          if (!s.column_is_null(5)) {
            p.creator = creator_row{s.column_text(5), p.user->id,       s.column_text(6),
                                    s.column_text(7), s.column_text(8), s.column_int64(9) != 0};
          }
          p.has_invitation = s.column_int64(10) != 0;
          p.member = true;
          p.joined = s.column_int64(11) != 0;
          if (s.column_text(12) != "creator") {
            ++agency_domains_[std::string(email_domain(p.user->email))];
          }
          known_.emplace(p.user->email, std::move(p));
        },
        account_);
    if (!people) {
      return people;
    }
    return store::sql::each(
        db_,
        "SELECT gm.group_id, u.email FROM access_groups g "
        "JOIN group_members gm ON gm.group_id = g.id JOIN users u ON u.id = gm.user_id "
        "WHERE g.account_id = ?1",
        [&](store::statement& s) { teams_[s.column_text(0)].insert(s.column_text(1)); }, account_);
  }

  /// The team emails of a group (after preload).
  const std::set<std::string>& team(const std::string& group_id) const {
    static const std::set<std::string> none;
    const auto it = teams_.find(group_id);
    return it == teams_.end() ? none : it->second;
  }

  /// The person in this account with `email`; a new person when there is none.
  const known_person& lookup(const std::string& email) const {
    static const known_person stranger;
    const auto it = known_.find(email);
    return it == known_.end() ? stranger : it->second;
  }

  /// The domains of the account's owners, admins and agents, with how many use each: the
  /// agency's own domains, to check new team addresses against.
  std::vector<domain_use> agency_domains() const {
    std::vector<domain_use> out;
    for (const auto& [domain, count] : agency_domains_) {
      out.push_back({domain, count});
    }
    return out;
  }

 private:
  store::database& db_;
  std::string account_;
  std::unordered_map<std::string, known_person> known_;
  std::unordered_map<std::string, std::set<std::string>> teams_;
  std::map<std::string, std::size_t> agency_domains_;
};

std::string column_of(const onboarding_file& file, onboarding_column c) {
  return file.headers[static_cast<std::size_t>(c)];
}

/// Team addresses against the agency's own domains (those of the account's owners, admins and
/// agents): a new team member's address one or two edits from one of them is likely a slip
/// ("tallentco.com" for "talentco.com"). Domains the file checks already warned about, and
/// domains that several team addresses of the file use, are left alone.
void check_team_domains(const onboarding_file& file, const std::vector<domain_use>& agency,
                        std::vector<issue>& issues) {
  if (agency.empty()) {
    return;
  }
  std::map<std::string_view, std::size_t> team_uses;
  std::set<std::string_view> addresses;
  for (const auto& row : file.rows) {
    addresses.insert(row.team_emails.begin(), row.team_emails.end());
  }
  for (const auto address : addresses) {
    ++team_uses[email_domain(address)];
  }
  for (const auto& row : file.rows) {
    for (const auto& address : row.team_emails) {
      const auto domain = email_domain(address);
      if (file.suspect_domains.count(std::string(domain)) > 0 ||
          team_uses[domain] >= min_usual_domain_addresses) {
        continue;
      }
      const auto meant = likely_meant_domain(domain, agency, max_domain_typo_edits);
      if (!meant) {
        continue;
      }
      issues.push_back({row.line, column_of(file, onboarding_column::team_emails),
                        issue_severity::warning, std::string(issue_code::likely_domain_typo),
                        address + ": \"" + std::string(domain) + "\" is " +
                            (meant->edits == 1 ? "one edit" : "two edits") + " away from \"" +
                            meant->domain + "\", the domain of " +
                            std::to_string(meant->addresses) +
                            (meant->addresses == 1 ? " member" : " members") +
                            " of this account; did you mean " + meant->domain + "?"});
    }
  }
}

/// Everything about the plan, plus what apply needs that the report does not show.
struct planner_output {
  onboarding_plan plan;
  std::vector<const onboarding_row*> rows;  // parallel to plan.creators
};

base::result<planner_output> make_plan(store::database& db, std::string_view account_id,
                                       const onboarding_file& file,
                                       const onboarding_options& options) {
  auto account = store::sql::integer(db, "SELECT COUNT(*) FROM accounts WHERE id = ?", account_id);
  if (!account) {
    return account.error();
  }
  if (*account == 0) {
    return base::fail(errc::not_found, "no such account");
  }
  planner_output out;
  auto& plan = out.plan;
  plan.columns = file.columns;
  plan.file_warnings = file.warnings_file_level;
  plan.issues = file.issues;
  directory people(db, account_id);
  if (auto loaded = people.preload(); !loaded) {
    return loaded.error();
  }

  auto existing = creators_of_account(db, account_id);
  if (!existing) {
    return existing.error();
  }
  std::set<std::string> file_emails;
  for (const auto& row : file.rows) {
    file_emails.insert(row.email);
  }
  std::map<std::string, std::string> existing_creator_by_email;
  for (const auto& c : *existing) {
    existing_creator_by_email.emplace(c.email, c.creator.display_name);
  }

  // Who is invited or notified for which creators, in first-mention order.
  std::map<std::string, planned_message> messages;
  auto mention = [&](const std::string& email, role kind, const std::string& creator_name) {
    auto& m = messages[email];
    m.email = email;
    if (kind == role::creator) {
      m.kind = role::creator;
    }
    m.creators.push_back(creator_name);
  };

  for (const auto& row : file.rows) {
    planned_creator pc;
    pc.line = row.line;
    pc.name = row.name;
    pc.email = row.email;
    out.rows.push_back(&row);
    if (has_error(file, row.line)) {
      pc.action = creator_action::skipped;
      plan.creators.push_back(std::move(pc));
      continue;
    }
    const known_person& p = people.lookup(row.email);
    // "Yes" or "No" is the agency's own note (kept on the creator); whether the person has an
    // account with another agency is not this agency's business, so only this account's
    // members are checked against it.
    if (!row.has_account.value_or(true) && p.joined) {
      plan.issues.push_back(
          {row.line, column_of(file, onboarding_column::has_account), issue_severity::warning,
           std::string(issue_code::account_exists),
           row.email + " already signs in to this account: the creator is linked to them, not "
                       "duplicated, and no invitation is sent"});
    }
    bool row_error = false;
    if (!options.allow_creator_as_team_member) {
      for (const auto& t : row.team_emails) {
        if (file_emails.count(t) == 0 && existing_creator_by_email.count(t) > 0) {
          plan.issues.push_back(
              {row.line, column_of(file, onboarding_column::team_emails), issue_severity::error,
               std::string(issue_code::team_email_is_creator),
               t + " is a creator on this roster (" + existing_creator_by_email[t] +
                   "); a creator cannot be on another creator's team: remove the address"});
          row_error = true;
        }
      }
    }
    if (row_error) {
      pc.action = creator_action::skipped;
      plan.creators.push_back(std::move(pc));
      continue;
    }

    pc.links_existing_user = p.member;
    std::set<std::string> current_team;
    if (p.creator) {
      pc.creator_id = p.creator->id;
      if (p.creator->display_name != row.name) {
        pc.previous_name = p.creator->display_name;
      }
      current_team = people.team(p.creator->group_id);
    }
    const std::set<std::string> wanted(row.team_emails.begin(), row.team_emails.end());
    std::set_difference(wanted.begin(), wanted.end(), current_team.begin(), current_team.end(),
                        std::back_inserter(pc.team_add));
    std::set_difference(current_team.begin(), current_team.end(), wanted.begin(), wanted.end(),
                        std::back_inserter(pc.team_remove));
    if (!p.creator) {
      pc.action = creator_action::add;
    } else if (p.creator->status != "active") {
      pc.action = creator_action::reactivate;
    } else if (!pc.previous_name.empty() || !pc.team_add.empty() || !pc.team_remove.empty()) {
      pc.action = creator_action::update;
    } else {
      pc.action = creator_action::unchanged;
    }
    mention(row.email, role::creator, row.name);
    for (const auto& t : row.team_emails) {
      mention(t, role::agent, row.name);
    }
    plan.creators.push_back(std::move(pc));
  }

  for (auto& [email, m] : messages) {
    const known_person& p = people.lookup(email);
    if (p.has_invitation) {
      continue;  // invited or notified before: never twice
    }
    std::sort(m.creators.begin(), m.creators.end());
    m.creators.erase(std::unique(m.creators.begin(), m.creators.end()), m.creators.end());
    // A notice only for someone who already uses this account; everyone else, whatever other
    // agencies they belong to, gets an invitation they must accept (invite_or_notify).
    if (p.joined) {
      m.notice = true;
      plan.notices.push_back(m);
    } else {
      plan.invitations.push_back(m);
    }
  }

  check_team_domains(file, people.agency_domains(), plan.issues);

  for (const auto& c : *existing) {
    if (file_emails.count(c.email) == 0) {
      plan.not_in_file.push_back({c.creator.id, c.creator.display_name, c.email});
    }
  }
  std::stable_sort(plan.issues.begin(), plan.issues.end(),
                   [](const issue& a, const issue& b) { return a.line < b.line; });
  return out;
}

/// Finds or creates the user for an address, remembering ids for the rest of the apply.
class user_maker {
 public:
  user_maker(store::database& db, time_point now) : db_(db), now_(now) {}

  base::result<std::string> id_for(const std::string& email, std::string_view display_name) {
    if (auto it = ids_.find(email); it != ids_.end()) {
      return it->second;
    }
    auto user = find_user_by_email(db_, email);
    if (!user) {
      return user.error();
    }
    std::string id;
    if (*user) {
      id = (*user)->id;
    } else {
      auto made = create_user(db_, email, display_name, now_);
      if (!made) {
        return made.error();
      }
      id = made->id;
    }
    return ids_.emplace(email, id).first->second;
  }

 private:
  store::database& db_;
  time_point now_;
  std::unordered_map<std::string, std::string> ids_;
};

base::result<void> apply_row(store::database& db, std::string_view account_id,
                             const onboarding_row& row, planned_creator& pc, user_maker& users,
                             const actor& who, time_point now) {
  auto creator_user = users.id_for(row.email, row.name);
  if (!creator_user) {
    return creator_user.error();
  }
  if (auto m = ensure_membership(db, account_id, *creator_user, role::creator, now); !m) {
    return m;
  }
  auto creator = find_creator_by_user(db, account_id, *creator_user);
  if (!creator) {
    return creator.error();
  }
  const std::string account(account_id);
  std::string group_id;
  if (!*creator) {
    auto made = create_creator(db, account_id, *creator_user, row.name,
                               row.has_account.value_or(false), now);
    if (!made) {
      return made.error();
    }
    pc.creator_id = made->id;
    group_id = made->group_id;
    if (auto a = record(db, who,
                        {account, "creator.added", "creator", made->id, made->id, row.name}, now);
        !a) {
      return a;
    }
  } else {
    const auto& c = **creator;
    group_id = c.group_id;
    if (c.status != "active") {
      if (auto s = set_creator_status(db, c, "active"); !s) {
        return s;
      }
      if (auto a =
              record(db, who, {account, "creator.reactivated", "creator", c.id, c.id, ""}, now);
          !a) {
        return a;
      }
    }
    if (c.display_name != row.name) {
      if (auto r = rename_creator(db, c, row.name); !r) {
        return r;
      }
      if (auto a = record(db, who,
                          {account, "creator.renamed", "creator", c.id, c.id,
                           c.display_name + " -> " + row.name},
                          now);
          !a) {
        return a;
      }
    }
  }
  for (const auto& email : pc.team_add) {
    auto member = users.id_for(email, "");
    if (!member) {
      return member.error();
    }
    if (auto m = ensure_membership(db, account_id, *member, role::agent, now); !m) {
      return m;
    }
    auto added = add_to_team(db, group_id, *member, now);
    if (!added) {
      return added.error();
    }
    if (auto a = record(db, who,
                        {account, "team.member_added", "user", *member, pc.creator_id, email}, now);
        !a) {
      return a;
    }
  }
  for (const auto& email : pc.team_remove) {
    auto member = users.id_for(email, "");
    if (!member) {
      return member.error();
    }
    auto removed = remove_from_team(db, group_id, *member);
    if (!removed) {
      return removed.error();
    }
    if (auto a = record(
            db, who, {account, "team.member_removed", "user", *member, pc.creator_id, email}, now);
        !a) {
      return a;
    }
  }
  return {};
}

}  // namespace

std::string_view to_string(creator_action a) noexcept {
  switch (a) {
    case creator_action::add:
      return "add";
    case creator_action::reactivate:
      return "reactivate";
    case creator_action::update:
      return "update";
    case creator_action::unchanged:
      return "unchanged";
    case creator_action::skipped:
      return "skipped";
  }
  return "skipped";
}

int onboarding_plan::rows_with_errors() const noexcept {
  return count(creator_action::skipped);
}

int onboarding_plan::count(creator_action a) const noexcept {
  return static_cast<int>(std::count_if(creators.begin(), creators.end(),
                                        [a](const planned_creator& c) { return c.action == a; }));
}

int onboarding_plan::team_additions() const noexcept {
  int n = 0;
  for (const auto& c : creators) {
    n += static_cast<int>(c.team_add.size());
  }
  return n;
}

int onboarding_plan::team_removals() const noexcept {
  int n = 0;
  for (const auto& c : creators) {
    n += static_cast<int>(c.team_remove.size());
  }
  return n;
}

bool onboarding_plan::no_changes() const noexcept {
  return invitations.empty() && notices.empty() &&
         std::all_of(creators.begin(), creators.end(), [](const planned_creator& c) {
           return c.action == creator_action::unchanged || c.action == creator_action::skipped;
         });
}

base::result<onboarding_plan> plan_onboarding(store::database& db, std::string_view account_id,
                                              const onboarding_file& file,
                                              const onboarding_options& options) {
  // One read transaction, so every lookup sees the same snapshot.
  auto snapshot = store::transaction::begin(db, store::transaction::kind::deferred);
  if (!snapshot) {
    return snapshot.error();
  }
  auto out = make_plan(db, account_id, file, options);
  if (!out) {
    return out.error();
  }
  return std::move(out->plan);
}

base::result<onboarding_plan> apply_onboarding(store::database& db, mailer& mail,
                                               const roster_settings& settings,
                                               std::string_view account_id,
                                               const onboarding_file& file,
                                               const onboarding_options& options, const actor& who,
                                               time_point now) {
  auto tx = store::transaction::begin(db);
  if (!tx) {
    return tx.error();
  }
  auto out = make_plan(db, account_id, file, options);
  if (!out) {
    return out.error();
  }
  auto& plan = out->plan;
  user_maker users(db, now);
  for (std::size_t i = 0; i < plan.creators.size(); ++i) {
    auto& pc = plan.creators[i];
    if (pc.action == creator_action::skipped || pc.action == creator_action::unchanged) {
      continue;
    }
    if (auto applied = apply_row(db, account_id, *out->rows[i], pc, users, who, now); !applied) {
      return applied.error();
    }
  }
  for (const auto* list : {&plan.invitations, &plan.notices}) {
    for (const auto& m : *list) {
      auto user = users.id_for(m.email, "");
      if (!user) {
        return user.error();
      }
      auto sent = invite_or_notify(db, mail, settings, account_id, *user, m.kind, who, now);
      if (!sent) {
        return sent.error();
      }
    }
  }
  if (!plan.no_changes()) {
    auto a = record(
        db, who,
        {std::string(account_id), "onboarding.applied", "account", std::string(account_id), "",
         std::to_string(plan.count(creator_action::add)) + " added, " +
             std::to_string(plan.count(creator_action::update)) + " updated, " +
             std::to_string(plan.invitations.size()) + " invited"},
        now);
    if (!a) {
      return a.error();
    }
  }
  if (auto committed = tx->commit(); !committed) {
    return committed.error();
  }
  plan.applied = true;
  return std::move(plan);
}

}  // namespace rosterd::roster
