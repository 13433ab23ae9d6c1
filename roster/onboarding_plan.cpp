#include "roster/onboarding_plan.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

#include "roster/error.hpp"
#include "roster/invitations.hpp"
#include "roster/people.hpp"
#include "roster/sql.hpp"
#include "store/transaction.hpp"

namespace rosterd::roster {
namespace {

/// What the database knows about one address, looked up once per file.
struct known_person {
  std::optional<user_row> user;
  std::optional<creator_row> creator;  // in this account, active or removed
  bool has_invitation = false;         // any invitation row in this account
  bool member = false;                 // any membership in this account
};

class directory {
 public:
  directory(store::database& db, std::string_view account_id) : db_(db), account_(account_id) {}

  /// Reads everyone already in the account, and every team, in two queries: a 10,000-row file
  /// would otherwise cost five queries per address. People not found here are looked up one
  /// by one (they may have a user from another agency).
  base::result<void> preload() {
    auto people = sql::each(
        db_,
        "SELECT u.id, u.email, u.display_name, u.status, u.password_hash IS NOT NULL, "
        "c.id, c.display_name, c.status, g.id, c.existing_account, "
        "EXISTS (SELECT 1 FROM invitations i WHERE i.account_id = ?1 AND i.user_id = u.id) "
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
          known_.emplace(p.user->email, std::move(p));
        },
        account_);
    if (!people) {
      return people;
    }
    return sql::each(
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

  base::result<const known_person*> lookup(const std::string& email) {
    if (auto it = known_.find(email); it != known_.end()) {
      return &it->second;
    }
    known_person p;
    auto user = find_user_by_email(db_, email);
    if (!user) {
      return user.error();
    }
    p.user = std::move(*user);
    if (p.user) {
      auto creator = find_creator_by_user(db_, account_, p.user->id);
      if (!creator) {
        return creator.error();
      }
      p.creator = std::move(*creator);
      auto invited =
          sql::integer(db_, "SELECT COUNT(*) FROM invitations WHERE account_id = ? AND user_id = ?",
                       account_, p.user->id);
      if (!invited) {
        return invited.error();
      }
      p.has_invitation = *invited > 0;
      auto member = find_membership(db_, account_, p.user->id);
      if (!member) {
        return member.error();
      }
      p.member = member->has_value();
    }
    return &known_.emplace(email, std::move(p)).first->second;
  }

 private:
  store::database& db_;
  std::string account_;
  std::unordered_map<std::string, known_person> known_;
  std::unordered_map<std::string, std::set<std::string>> teams_;
};

std::string column_of(const onboarding_file& file, onboarding_column c) {
  return file.headers[static_cast<std::size_t>(c)];
}

/// Everything about the plan, plus what apply needs that the report does not show.
struct planner_output {
  onboarding_plan plan;
  std::vector<const onboarding_row*> rows;  // parallel to plan.creators
};

base::result<planner_output> make_plan(store::database& db, std::string_view account_id,
                                       const onboarding_file& file,
                                       const onboarding_options& options) {
  auto account = sql::integer(db, "SELECT COUNT(*) FROM accounts WHERE id = ?", account_id);
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
    auto person = people.lookup(row.email);
    if (!person) {
      return person.error();
    }
    const known_person& p = **person;
    const bool signs_in = p.user && p.user->has_password && p.user->status == "active";
    bool row_error = false;
    if (row.has_account.value_or(false) && !signs_in) {
      plan.issues.push_back(
          {row.line, column_of(file, onboarding_column::has_account), issue_severity::error,
           std::string(issue_code::account_not_found),
           "the row says " + row.email +
               " already has an account, but nobody signs in with that address here: "
               "answer No to send an invitation, or correct the address"});
      row_error = true;
    } else if (!row.has_account.value_or(true) && signs_in) {
      plan.issues.push_back(
          {row.line, column_of(file, onboarding_column::has_account), issue_severity::warning,
           std::string(issue_code::account_exists),
           row.email + " already has an account: it will be linked, not duplicated, and the person "
                       "gets a notice instead of an invitation"});
    }
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

    pc.links_existing_user = p.user.has_value();
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
    auto person = people.lookup(email);
    if (!person) {
      return person.error();
    }
    const known_person& p = **person;
    if (p.has_invitation) {
      continue;  // invited or notified before: never twice
    }
    std::sort(m.creators.begin(), m.creators.end());
    m.creators.erase(std::unique(m.creators.begin(), m.creators.end()), m.creators.end());
    if (p.user && p.user->has_password) {
      m.notice = true;
      plan.notices.push_back(m);
    } else {
      plan.invitations.push_back(m);
    }
  }

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
