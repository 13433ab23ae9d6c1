#include "roster/people.hpp"

#include "store/sql.hpp"

namespace rosterd::roster {
namespace {

user_row read_user(store::statement& s) {
  return user_row{s.column_text(0), s.column_text(1), s.column_text(2), s.column_text(3),
                  s.column_int64(4) != 0};
}

creator_row read_creator(store::statement& s) {
  return creator_row{s.column_text(0), s.column_text(1), s.column_text(2),
                     s.column_text(3), s.column_text(4), s.column_int64(5) != 0};
}

int role_rank(role r) {
  return r == role::owner ? 3 : r == role::admin ? 2 : 1;
}

}  // namespace

base::result<std::optional<user_row>> find_user_by_email(store::database& db,
                                                         std::string_view email) {
  return store::sql::first(db,
                           "SELECT id, email, display_name, status, password_hash IS NOT NULL "
                           "FROM users WHERE email = ?",
                           read_user, email);
}

base::result<std::optional<user_row>> find_user(store::database& db, std::string_view user_id) {
  return store::sql::first(db,
                           "SELECT id, email, display_name, status, password_hash IS NOT NULL "
                           "FROM users WHERE id = ?",
                           read_user, user_id);
}

base::result<user_row> create_user(store::database& db, std::string_view email,
                                   std::string_view display_name, time_point now) {
  user_row row{new_id("usr"), std::string(email), std::string(display_name), "active", false};
  auto done = store::sql::run(db,
                              "INSERT INTO users (id, email, display_name, status, created_at) "
                              "VALUES (?, ?, ?, 'active', ?)",
                              row.id, row.email, row.display_name, stamp(now));
  if (!done) {
    return done.error();
  }
  return row;
}

base::result<std::optional<membership_row>> find_membership(store::database& db,
                                                            std::string_view account_id,
                                                            std::string_view user_id) {
  return store::sql::first(
      db,
      "SELECT role, status, joined_at IS NOT NULL FROM account_members "
      "WHERE account_id = ? AND user_id = ?",
      [](store::statement& s) {
        return membership_row{parse_role(s.column_text(0)).value_or(role::agent), s.column_text(1),
                              s.column_int64(2) != 0};
      },
      account_id, user_id);
}

base::result<void> ensure_membership(store::database& db, std::string_view account_id,
                                     std::string_view user_id, role r, time_point now) {
  auto existing = find_membership(db, account_id, user_id);
  if (!existing) {
    return existing.error();
  }
  if (!*existing) {
    return store::sql::run(
        db,
        "INSERT INTO account_members (account_id, user_id, role, status, created_at) "
        "VALUES (?, ?, ?, 'active', ?)",
        account_id, user_id, to_string(r), stamp(now));
  }
  const auto& m = **existing;
  if (role_rank(r) <= role_rank(m.member_role)) {
    return {};
  }
  return store::sql::run(db,
                         "UPDATE account_members SET role = ? WHERE account_id = ? AND user_id = ?",
                         to_string(r), account_id, user_id);
}

base::result<void> join_membership(store::database& db, std::string_view account_id,
                                   std::string_view user_id, time_point now) {
  return store::sql::run(db,
                         "UPDATE account_members SET joined_at = ? "
                         "WHERE account_id = ? AND user_id = ? AND joined_at IS NULL",
                         stamp(now), account_id, user_id);
}

base::result<std::optional<creator_row>> find_creator_by_user(store::database& db,
                                                              std::string_view account_id,
                                                              std::string_view user_id) {
  return store::sql::first(
      db,
      "SELECT c.id, c.user_id, c.display_name, c.status, g.id, c.existing_account "
      "FROM creators c JOIN access_groups g ON g.creator_id = c.id "
      "WHERE c.account_id = ? AND c.user_id = ?",
      read_creator, account_id, user_id);
}

base::result<creator_row> create_creator(store::database& db, std::string_view account_id,
                                         std::string_view user_id, std::string_view name,
                                         bool existing_account, time_point now) {
  creator_row row{new_id("cre"), std::string(user_id), std::string(name),
                  "active",      new_id("grp"),        existing_account};
  const auto at = stamp(now);
  auto creator =
      store::sql::run(db,
                      "INSERT INTO creators (id, account_id, user_id, display_name, "
                      "existing_account, status, created_at) VALUES (?, ?, ?, ?, ?, 'active', ?)",
                      row.id, account_id, user_id, row.display_name, existing_account, at);
  if (!creator) {
    return creator.error();
  }
  auto group =
      store::sql::run(db,
                      "INSERT INTO access_groups (id, account_id, creator_id, name, created_at) "
                      "VALUES (?, ?, ?, ?, ?)",
                      row.group_id, account_id, row.id, row.display_name, at);
  if (!group) {
    return group.error();
  }
  return row;
}

base::result<void> rename_creator(store::database& db, const creator_row& creator,
                                  std::string_view name) {
  auto c =
      store::sql::run(db, "UPDATE creators SET display_name = ? WHERE id = ?", name, creator.id);
  if (!c) {
    return c;
  }
  return store::sql::run(db, "UPDATE access_groups SET name = ? WHERE id = ?", name,
                         creator.group_id);
}

base::result<void> set_creator_status(store::database& db, const creator_row& creator,
                                      std::string_view status) {
  auto c = store::sql::run(db, "UPDATE creators SET status = ? WHERE id = ?", status, creator.id);
  if (!c || status == "active") {
    return c;
  }
  return store::sql::run(db, "DELETE FROM group_members WHERE group_id = ?", creator.group_id);
}

base::result<std::vector<person>> team_of(store::database& db, std::string_view group_id) {
  std::vector<person> team;
  auto done = store::sql::each(
      db,
      // A team member's own name shows once they have joined the account (see list_members).
      "SELECT u.id, u.email, CASE WHEN m.joined_at IS NOT NULL THEN u.display_name ELSE '' END "
      "FROM group_members gm JOIN access_groups g ON g.id = gm.group_id "
      "JOIN users u ON u.id = gm.user_id "
      "LEFT JOIN account_members m ON m.account_id = g.account_id AND m.user_id = gm.user_id "
      "WHERE gm.group_id = ? ORDER BY u.email",
      [&](store::statement& s) {
        team.push_back(person{s.column_text(0), s.column_text(1), s.column_text(2)});
      },
      group_id);
  if (!done) {
    return done.error();
  }
  return team;
}

base::result<bool> add_to_team(store::database& db, std::string_view group_id,
                               std::string_view user_id, time_point now) {
  auto done =
      store::sql::run(db,
                      "INSERT INTO group_members (group_id, user_id, role, added_at) "
                      "VALUES (?, ?, 'agent', ?) ON CONFLICT (group_id, user_id) DO NOTHING",
                      group_id, user_id, stamp(now));
  if (!done) {
    return done.error();
  }
  return db.changes() > 0;
}

base::result<bool> remove_from_team(store::database& db, std::string_view group_id,
                                    std::string_view user_id) {
  auto done = store::sql::run(db, "DELETE FROM group_members WHERE group_id = ? AND user_id = ?",
                              group_id, user_id);
  if (!done) {
    return done.error();
  }
  return db.changes() > 0;
}

base::result<std::vector<creator_with_email>> creators_of_account(store::database& db,
                                                                  std::string_view account_id) {
  std::vector<creator_with_email> out;
  auto done = store::sql::each(
      db,
      "SELECT c.id, c.user_id, c.display_name, c.status, g.id, c.existing_account, u.email "
      "FROM creators c JOIN access_groups g ON g.creator_id = c.id "
      "JOIN users u ON u.id = c.user_id WHERE c.account_id = ? AND c.status = 'active' "
      "ORDER BY u.email",
      [&](store::statement& s) {
        out.push_back({read_creator(s), s.column_text(6)});
      },
      account_id);
  if (!done) {
    return done.error();
  }
  return out;
}

}  // namespace rosterd::roster
