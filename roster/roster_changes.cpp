#include "roster/roster_changes.hpp"

#include "roster/email_address.hpp"
#include "roster/error.hpp"
#include "roster/invitations.hpp"
#include "roster/people.hpp"
#include "roster/roster_view.hpp"
#include "roster/text.hpp"
#include "store/sql.hpp"

namespace rosterd::roster {
namespace {

base::result<void> require_admin(const caller& who, std::string_view what) {
  if (!who.is_admin()) {
    return base::reject(errc::forbidden, "only owners and admins " + std::string(what));
  }
  return {};
}

base::result<creator_row> visible_creator(store::database& db, const caller& who,
                                          std::string_view creator_id) {
  auto seen = get_creator(db, who, creator_id);  // not_found when invisible
  if (!seen) {
    return seen.error();
  }
  auto row = find_creator_by_user(db, who.account_id, seen->user_id);
  if (!row) {
    return row.error();
  }
  if (!*row) {
    return base::fail(errc::not_found, "no such creator");
  }
  return std::move(**row);
}

base::result<std::string> user_for_email(store::database& db, std::string_view email,
                                         time_point now) {
  auto user = find_user_by_email(db, email);
  if (!user) {
    return user.error();
  }
  if (*user) {
    return (*user)->id;
  }
  auto made = create_user(db, email, "", now);
  if (!made) {
    return made.error();
  }
  return made->id;
}

}  // namespace

base::result<std::string> add_team_member(store::database& db, mailer& mail,
                                          const roster_settings& settings, const caller& who,
                                          std::string_view creator_id, std::string_view email,
                                          time_point now) {
  auto creator = visible_creator(db, who, creator_id);
  if (!creator) {
    return creator.error();
  }
  if (auto ok = require_admin(who, "assign team members"); !ok) {
    return ok.error();
  }
  if (creator->status != "active") {
    return base::reject(errc::conflict, "the creator was removed from the roster");
  }
  auto address = normalize_email(email);
  if (!address) {
    return base::reject(errc::invalid_argument, "email: " + address.error().client_message);
  }
  auto user_id = user_for_email(db, *address, now);
  if (!user_id) {
    return user_id.error();
  }
  if (*user_id == creator->user_id) {
    return base::reject(errc::conflict, "email: a creator cannot be on their own team");
  }
  if (!settings.allow_creator_as_team_member) {
    auto other = find_creator_by_user(db, who.account_id, *user_id);
    if (!other) {
      return other.error();
    }
    if (*other && (*other)->status == "active") {
      return base::reject(errc::conflict,
                          "email: " + *address +
                              " is a creator on this roster; a creator cannot be on another "
                              "creator's team");
    }
  }
  if (auto m = ensure_membership(db, who.account_id, *user_id, role::agent, now); !m) {
    return m.error();
  }
  auto added = add_to_team(db, creator->group_id, *user_id, now);
  if (!added) {
    return added.error();
  }
  if (*added) {
    if (auto a = record(
            db, actor::of(who),
            {who.account_id, "team.member_added", "user", *user_id, creator->id, *address}, now);
        !a) {
      return a.error();
    }
  }
  auto told = invite_or_notify(db, mail, settings, who.account_id, *user_id, role::agent,
                               actor::of(who), now);
  if (!told) {
    return told.error();
  }
  return *user_id;
}

base::result<void> remove_team_member(store::database& db, const caller& who,
                                      std::string_view creator_id, std::string_view user_id,
                                      time_point now) {
  auto creator = visible_creator(db, who, creator_id);
  if (!creator) {
    return creator.error();
  }
  if (auto ok = require_admin(who, "remove team members"); !ok) {
    return ok;
  }
  auto removed = remove_from_team(db, creator->group_id, user_id);
  if (!removed) {
    return removed.error();
  }
  if (!*removed) {
    return base::fail(errc::not_found, "no such team member");
  }
  return record(
      db, actor::of(who),
      {who.account_id, "team.member_removed", "user", std::string(user_id), creator->id, ""}, now);
}

base::result<void> rename_creator(store::database& db, const caller& who,
                                  std::string_view creator_id, std::string_view name,
                                  time_point now) {
  auto creator = visible_creator(db, who, creator_id);
  if (!creator) {
    return creator.error();
  }
  if (auto ok = require_admin(who, "rename creators"); !ok) {
    return ok;
  }
  const auto trimmed = trim(name);
  if (trimmed.empty() || trimmed.size() > 200 || has_control_character(trimmed)) {
    return base::reject(errc::invalid_argument,
                        "display_name: give 1 to 200 characters without line breaks");
  }
  if (trimmed == creator->display_name) {
    return {};
  }
  if (auto r = rename_creator(db, *creator, trimmed); !r) {
    return r;
  }
  return record(db, actor::of(who),
                {who.account_id, "creator.renamed", "creator", creator->id, creator->id,
                 creator->display_name + " -> " + std::string(trimmed)},
                now);
}

base::result<void> remove_creator(store::database& db, const caller& who,
                                  std::string_view creator_id, time_point now) {
  auto creator = visible_creator(db, who, creator_id);
  if (!creator) {
    return creator.error();
  }
  if (auto ok = require_admin(who, "remove creators"); !ok) {
    return ok;
  }
  if (creator->status == "removed") {
    return {};
  }
  if (auto s = set_creator_status(db, *creator, "removed"); !s) {
    return s;
  }
  return record(db, actor::of(who),
                {who.account_id, "creator.removed", "creator", creator->id, creator->id,
                 creator->display_name},
                now);
}

base::result<std::string> invite_member(store::database& db, mailer& mail,
                                        const roster_settings& settings, const caller& who,
                                        std::string_view email, role r, time_point now) {
  if (auto ok = require_admin(who, "invite members"); !ok) {
    return ok.error();
  }
  if (r != role::admin && r != role::agent) {
    return base::reject(errc::invalid_argument, "role: invite as admin or agent");
  }
  if (r == role::admin && who.member_role != role::owner) {
    return base::reject(errc::forbidden, "only owners invite admins");
  }
  auto address = normalize_email(email);
  if (!address) {
    return base::reject(errc::invalid_argument, "email: " + address.error().client_message);
  }
  auto user_id = user_for_email(db, *address, now);
  if (!user_id) {
    return user_id.error();
  }
  if (auto m = ensure_membership(db, who.account_id, *user_id, r, now); !m) {
    return m.error();
  }
  if (auto a = record(
          db, actor::of(who),
          {who.account_id, "member.invited", "user", *user_id, "", std::string(to_string(r))}, now);
      !a) {
    return a.error();
  }
  auto told =
      invite_or_notify(db, mail, settings, who.account_id, *user_id, r, actor::of(who), now);
  if (!told) {
    return told.error();
  }
  return *user_id;
}

base::result<void> set_agents_use_tokens(store::database& db, const caller& who, bool enabled,
                                         time_point now) {
  if (who.is_service() || who.member_role != role::owner) {
    return base::reject(errc::forbidden, "only owners decide whether agents may use access tokens");
  }
  auto up = store::sql::run(db,
                            "UPDATE accounts SET agents_use_tokens = ? WHERE id = ? AND "
                            "agents_use_tokens <> ?",
                            enabled ? 1 : 0, who.account_id, enabled ? 1 : 0);
  if (!up || db.changes() == 0) {
    return up;
  }
  return record(
      db, actor::of(who),
      {who.account_id, enabled ? "account.agents_use_tokens_on" : "account.agents_use_tokens_off",
       "account", who.account_id, "",
       enabled ? "agents on a creator's team may take their access tokens"
               : "only service tokens take access tokens"},
      now);
}

base::result<void> set_member_status(store::database& db, const caller& who,
                                     std::string_view user_id, bool active, time_point now) {
  if (auto ok = require_admin(who, "enable or disable members"); !ok) {
    return ok;
  }
  auto member = find_membership(db, who.account_id, user_id);
  if (!member) {
    return member.error();
  }
  if (!*member) {
    return base::fail(errc::not_found, "no such member");
  }
  if (user_id == who.user_id) {
    return base::reject(errc::conflict, "you cannot disable yourself");
  }
  const auto r = (*member)->member_role;
  if ((r == role::owner || r == role::admin) && who.member_role != role::owner) {
    return base::reject(errc::forbidden, "only owners disable or enable owners and admins");
  }
  const std::string status = active ? "active" : "disabled";
  if ((*member)->status == status) {
    return {};
  }
  auto up = store::sql::run(
      db, "UPDATE account_members SET status = ? WHERE account_id = ? AND user_id = ?", status,
      who.account_id, user_id);
  if (!up) {
    return up;
  }
  return record(db, actor::of(who),
                {who.account_id, active ? "member.enabled" : "member.disabled", "user",
                 std::string(user_id), "", ""},
                now);
}

}  // namespace rosterd::roster
