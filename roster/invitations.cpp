#include "roster/invitations.hpp"

#include "base/token.hpp"
#include "roster/error.hpp"
#include "roster/people.hpp"
#include "store/sql.hpp"

namespace rosterd::roster {
namespace {

constexpr std::string_view token_prefix = "rdinv";

constexpr std::string_view invitation_select =
    "SELECT i.id, i.account_id, i.user_id, u.email, i.kind, i.status, i.sends, i.created_at, "
    "i.last_sent_at, i.expires_at, i.accepted_at, i.revoked_at "
    "FROM invitations i JOIN users u ON u.id = i.user_id ";

invitation_record read_invitation(store::statement& s, const std::string& now_text) {
  invitation_record r;
  r.id = s.column_text(0);
  r.account_id = s.column_text(1);
  r.user_id = s.column_text(2);
  r.email = s.column_text(3);
  r.kind = parse_role(s.column_text(4)).value_or(role::creator);
  r.status = parse_invitation_status(s.column_text(5)).value_or(invitation_status::pending);
  r.sends = static_cast<int>(s.column_int64(6));
  r.created_at = s.column_text(7);
  r.last_sent_at = s.column_text(8);
  r.expires_at = s.column_text(9);
  if (!s.column_is_null(10)) {
    r.accepted_at = s.column_text(10);
  }
  if (!s.column_is_null(11)) {
    r.revoked_at = s.column_text(11);
  }
  if (r.status == invitation_status::pending && r.expires_at <= now_text) {
    r.status = invitation_status::expired;
  }
  return r;
}

std::string accept_url(const roster_settings& settings, const base::secret& token) {
  return settings.public_url + "/invitation?token=" + std::string(token.reveal());
}

base::result<std::vector<std::string>> creator_names_for(store::database& db,
                                                         std::string_view account_id,
                                                         std::string_view user_id) {
  std::vector<std::string> names;
  auto done = store::sql::each(
      db,
      // Two indexed lookups (their own creator row; the groups they are on) rather than an OR
      // that would scan every creator of the account once per invitation. CROSS JOIN fixes
      // SQLite's join order: without statistics it would start from the account's creators
      // (all 10,000 of them in a big import) instead of the person's few group rows.
      "SELECT c.display_name FROM creators c WHERE c.account_id = ?1 AND c.user_id = ?2 "
      "AND c.status = 'active' UNION ALL "
      "SELECT c.display_name FROM group_members gm CROSS JOIN access_groups g "
      "CROSS JOIN creators c WHERE g.id = gm.group_id AND c.id = g.creator_id "
      "AND gm.user_id = ?2 AND c.account_id = ?1 "
      "AND c.status = 'active' ORDER BY 1",
      [&](store::statement& s) { names.push_back(s.column_text(0)); }, account_id, user_id);
  if (!done) {
    return done.error();
  }
  return names;
}

base::result<std::string> account_name(store::database& db, std::string_view account_id) {
  auto name = store::sql::first(
      db, "SELECT name FROM accounts WHERE id = ?",
      [](store::statement& s) { return s.column_text(0); }, account_id);
  if (!name) {
    return name.error();
  }
  if (!*name) {
    return base::fail(errc::not_found, "no account " + std::string(account_id));
  }
  return std::move(**name);
}

/// The invitation email for a token just issued. `inv` comes from find_invitation, so its
/// creator names are current.
base::result<void> queue_invitation_mail(store::database& db, mailer& mail,
                                         const roster_settings& settings,
                                         const invitation_record& inv, const base::secret& token,
                                         int send_number) {
  auto agency = account_name(db, inv.account_id);
  if (!agency) {
    return agency.error();
  }
  auto user = find_user(db, inv.user_id);
  if (!user) {
    return user.error();
  }
  mail_intent m;
  m.template_name = inv.kind == role::creator ? "creator_invitation" : "team_invitation";
  m.idempotency_key = "invitation:" + inv.id + ":" + std::to_string(send_number);
  m.account_id = inv.account_id;
  m.recipient = inv.email;
  m.values = {{"agency", *agency},
              {"recipient_name", *user ? (*user)->display_name : std::string()},
              {"role", std::string(to_string(inv.kind))},
              {"accept_url", accept_url(settings, token)},
              {"expires_at", inv.expires_at},
              // Only the recipient reads this: someone who already signs in elsewhere on this
              // server is not asked to choose a password they have.
              {"has_password", *user && (*user)->has_password ? "yes" : "no"}};
  m.creator_names = inv.creator_names;
  m.ref_kind = "invitation";
  m.ref_id = inv.id;
  return mail.enqueue(db, m);
}

/// Whether the person's membership of the account is accepted (false without one).
base::result<bool> has_joined(store::database& db, std::string_view account_id,
                              std::string_view user_id) {
  auto member = find_membership(db, account_id, user_id);
  if (!member) {
    return member.error();
  }
  return *member && (*member)->joined;
}

base::result<void> insert_token(store::database& db, std::string_view invitation_id,
                                const base::issued_token& token, time_point now) {
  return store::sql::run(db,
                         "INSERT INTO invitation_tokens (token_hash, invitation_id, issued_at) "
                         "VALUES (?, ?, ?)",
                         token.hash, invitation_id, stamp(now));
}

/// The invitation a token belongs to, with the token's own state.
struct token_lookup {
  invitation_record invitation;
  bool superseded = false;
  bool past_expiry = false;  // whatever the status says
};

base::result<token_lookup> lookup_token(store::database& db, std::string_view token,
                                        time_point now) {
  if (!base::looks_like_token(token, token_prefix)) {
    return base::reject(errc::token_invalid,
                        "this invitation link is not valid; ask your agency to send a new one");
  }
  const auto now_text = stamp(now);
  auto found = store::sql::first(
      db,
      std::string(invitation_select) +
          ", invitation_tokens t WHERE t.invitation_id = i.id AND t.token_hash = ?",
      [&](store::statement& s) {
        auto inv = read_invitation(s, now_text);
        const bool past = inv.expires_at <= now_text;
        return token_lookup{std::move(inv), false, past};
      },
      base::hash_token(token));
  if (!found) {
    return found.error();
  }
  if (!*found) {
    return base::reject(errc::token_invalid,
                        "this invitation link is not valid; ask your agency to send a new one");
  }
  auto superseded = store::sql::integer(
      db, "SELECT superseded_at IS NOT NULL FROM invitation_tokens WHERE token_hash = ?",
      base::hash_token(token));
  if (!superseded) {
    return superseded.error();
  }
  (*found)->superseded = *superseded != 0;
  return std::move(**found);
}

base::result<void> check_usable(const token_lookup& t) {
  if (t.invitation.status == invitation_status::accepted) {
    return base::reject(errc::token_used,
                        "this invitation was already accepted; sign in with your email and "
                        "password, or reset your password if you forgot it");
  }
  if (t.invitation.status == invitation_status::revoked) {
    return base::reject(errc::token_revoked,
                        "this invitation was withdrawn by the agency; contact them if you "
                        "think this is a mistake");
  }
  if (t.superseded) {
    return base::reject(errc::token_superseded,
                        "this invitation link was replaced by a newer email; use the link in "
                        "the most recent invitation you received");
  }
  if (t.invitation.status == invitation_status::expired || t.past_expiry) {
    return base::reject(errc::token_expired,
                        "this invitation link has expired; ask your agency to send it again");
  }
  return {};
}

}  // namespace

base::result<new_invitation> create_invitation(store::database& db, const roster_settings& settings,
                                               std::string_view account_id,
                                               std::string_view user_id, role kind,
                                               const actor& who, time_point now) {
  auto pending = store::sql::integer(
      db,
      "SELECT COUNT(*) FROM invitations WHERE account_id = ? AND user_id = ? AND "
      "status = 'pending'",
      account_id, user_id);
  if (!pending) {
    return pending.error();
  }
  if (*pending > 0) {
    return base::reject(errc::conflict, "this person already has a pending invitation; resend it");
  }
  const auto id = new_id("inv");
  const auto at = stamp(now);
  auto inserted = store::sql::run(
      db,
      "INSERT INTO invitations (id, account_id, user_id, kind, status, sends, created_at, "
      "last_sent_at, expires_at, created_by) VALUES (?, ?, ?, ?, 'pending', 1, ?, ?, ?, ?)",
      id, account_id, user_id, to_string(kind), at, at, stamp(now + settings.invitation_ttl),
      who.kind == "user" ? std::optional<std::string_view>(who.id) : std::nullopt);
  if (!inserted) {
    return inserted.error();
  }
  auto token = base::issue_token(token_prefix);
  if (auto t = insert_token(db, id, token, now); !t) {
    return t.error();
  }
  auto logged = record(db, who,
                       {std::string(account_id), "invitation.created", "invitation", id, "",
                        std::string(to_string(kind))},
                       now);
  if (!logged) {
    return logged.error();
  }
  auto url = accept_url(settings, token.value);
  return new_invitation{id, std::move(token.value), std::move(url)};
}

base::result<invite_outcome> invite_or_notify(store::database& db, mailer& mail,
                                              const roster_settings& settings,
                                              std::string_view account_id, std::string_view user_id,
                                              role kind, const actor& who, time_point now) {
  auto user = find_user(db, user_id);
  if (!user) {
    return user.error();
  }
  if (!*user) {
    return base::fail(errc::not_found, "no user " + std::string(user_id));
  }
  auto existing = store::sql::first(
      db,
      "SELECT id, kind, status FROM invitations WHERE account_id = ? AND user_id = ? "
      "ORDER BY created_at DESC LIMIT 1",
      [](store::statement& s) {
        return std::tuple{s.column_text(0), s.column_text(1), s.column_text(2)};
      },
      account_id, user_id);
  if (!existing) {
    return existing.error();
  }
  auto joined = has_joined(db, account_id, user_id);
  if (!joined) {
    return joined.error();
  }
  if (*existing) {
    const auto& [id, old_kind, status] = **existing;
    // Someone invited as a team member who becomes a creator too: the invitation names the
    // stronger reason; nothing is re-sent.
    if (status == "pending" && kind == role::creator && old_kind != "creator") {
      if (auto up = store::sql::run(db, "UPDATE invitations SET kind = 'creator' WHERE id = ?", id);
          !up) {
        return up.error();
      }
    }
    return *joined ? invite_outcome::nothing : invite_outcome::already_invited;
  }
  const auto at = stamp(now);
  // Whether the person has a password (an account with another agency) decides nothing here:
  // everyone new to this account gets an invitation to accept, so the agency cannot tell, and
  // nobody joins an agency without agreeing to.
  if (*joined) {
    // They already use this account: no password to set, only a notice. The accepted row keeps
    // the status board complete and makes the notice a one-time thing.
    const auto id = new_id("inv");
    auto inserted = store::sql::run(
        db,
        "INSERT INTO invitations (id, account_id, user_id, kind, status, sends, created_at, "
        "last_sent_at, expires_at, accepted_at) VALUES (?, ?, ?, ?, 'accepted', 1, ?, ?, ?, ?)",
        id, account_id, user_id, to_string(kind), at, at, at, at);
    if (!inserted) {
      return inserted.error();
    }
    auto agency = account_name(db, account_id);
    if (!agency) {
      return agency.error();
    }
    auto names = creator_names_for(db, account_id, user_id);
    if (!names) {
      return names.error();
    }
    mail_intent m;
    m.template_name = "roster_added_notice";
    m.idempotency_key = "roster_notice:" + std::string(account_id) + ":" + std::string(user_id);
    m.account_id = std::string(account_id);
    m.recipient = (*user)->email;
    m.values = {{"agency", *agency},
                {"recipient_name", (*user)->display_name},
                {"role", std::string(to_string(kind))},
                {"sign_in_url", settings.public_url + "/login"}};
    m.creator_names = std::move(*names);
    m.ref_kind = "invitation";
    m.ref_id = id;
    if (auto queued = mail.enqueue(db, m); !queued) {
      return queued.error();
    }
    auto logged = record(db, who,
                         {std::string(account_id), "member.linked_existing_user", "user",
                          std::string(user_id), "", std::string(to_string(kind))},
                         now);
    if (!logged) {
      return logged.error();
    }
    return invite_outcome::notified;
  }
  auto created = create_invitation(db, settings, account_id, user_id, kind, who, now);
  if (!created) {
    return created.error();
  }
  auto inv = find_invitation(db, account_id, created->invitation_id, now);
  if (!inv) {
    return inv.error();
  }
  if (auto queued = queue_invitation_mail(db, mail, settings, **inv, created->token, 1); !queued) {
    return queued.error();
  }
  return invite_outcome::invited;
}

base::result<void> resend_invitation(store::database& db, mailer& mail,
                                     const roster_settings& settings,
                                     const invitation_record& invitation, const actor& who,
                                     time_point now) {
  if (invitation.status == invitation_status::accepted) {
    return base::reject(errc::conflict,
                        "the invitation was accepted; the person signs in (or resets their "
                        "password)");
  }
  const auto at = stamp(now);
  // The email with the old link must not go out after the new one.
  if (auto cancelled = mail.cancel(db, "invitation", invitation.id); !cancelled) {
    return cancelled;
  }
  if (auto old = store::sql::run(db,
                                 "UPDATE invitation_tokens SET superseded_at = ? "
                                 "WHERE invitation_id = ? AND superseded_at IS NULL",
                                 at, invitation.id);
      !old) {
    return old;
  }
  const int sends = invitation.sends + 1;
  if (auto up = store::sql::run(
          db,
          "UPDATE invitations SET status = 'pending', revoked_at = NULL, sends = ?, "
          "last_sent_at = ?, "
          "expires_at = ? WHERE id = ?",
          sends, at, stamp(now + settings.invitation_ttl), invitation.id);
      !up) {
    return up;
  }
  auto token = base::issue_token(token_prefix);
  if (auto t = insert_token(db, invitation.id, token, now); !t) {
    return t;
  }
  if (auto m = store::sql::run(db,
                               "UPDATE account_members SET status = 'active' "
                               "WHERE account_id = ? AND user_id = ?",
                               invitation.account_id, invitation.user_id);
      !m) {
    return m;
  }
  auto fresh = find_invitation(db, invitation.account_id, invitation.id, now);
  if (!fresh) {
    return fresh.error();
  }
  if (auto queued = queue_invitation_mail(db, mail, settings, **fresh, token.value, sends);
      !queued) {
    return queued;
  }
  return record(db, who,
                {invitation.account_id, "invitation.resent", "invitation", invitation.id, "",
                 "send " + std::to_string(sends)},
                now);
}

base::result<void> revoke_invitation(store::database& db, mailer& mail,
                                     const invitation_record& invitation, const actor& who,
                                     time_point now) {
  if (invitation.status == invitation_status::accepted) {
    return base::reject(errc::conflict,
                        "an accepted invitation cannot be revoked; disable the member instead");
  }
  if (invitation.status == invitation_status::revoked) {
    return {};
  }
  const auto at = stamp(now);
  // The queued email carries a link that is about to stop working: it must not go out.
  if (auto cancelled = mail.cancel(db, "invitation", invitation.id); !cancelled) {
    return cancelled;
  }
  if (auto up = store::sql::run(
          db, "UPDATE invitations SET status = 'revoked', revoked_at = ? WHERE id = ?", at,
          invitation.id);
      !up) {
    return up;
  }
  // Someone who never joined the account has nothing left in it (whatever other accounts they
  // use); a member who had joined keeps their membership (disable it to end that).
  if (auto m = store::sql::run(db,
                               "UPDATE account_members SET status = 'disabled' "
                               "WHERE account_id = ? AND user_id = ? AND joined_at IS NULL",
                               invitation.account_id, invitation.user_id);
      !m) {
    return m;
  }
  return record(db, who,
                {invitation.account_id, "invitation.revoked", "invitation", invitation.id, "", ""},
                now);
}

base::result<void> mark_invitation_bounced(store::database& db, std::string_view invitation_id) {
  return store::sql::run(
      db, "UPDATE invitations SET status = 'bounced' WHERE id = ? AND status = 'pending'",
      invitation_id);
}

base::result<std::optional<invitation_record>> find_invitation(store::database& db,
                                                               std::string_view account_id,
                                                               std::string_view invitation_id,
                                                               time_point now) {
  const auto now_text = stamp(now);
  auto found = store::sql::first(
      db, std::string(invitation_select) + "WHERE i.account_id = ? AND i.id = ?",
      [&](store::statement& s) { return read_invitation(s, now_text); }, account_id, invitation_id);
  if (!found || !*found) {
    return found;
  }
  auto names = creator_names_for(db, account_id, (*found)->user_id);
  if (!names) {
    return names.error();
  }
  (*found)->creator_names = std::move(*names);
  return found;
}

base::result<std::vector<invitation_record>> list_invitations(store::database& db,
                                                              std::string_view account_id,
                                                              const invitation_filter& filter,
                                                              time_point now) {
  const auto now_text = stamp(now);
  std::vector<invitation_record> out;
  auto done = store::sql::each(
      db,
      std::string(invitation_select) +
          "WHERE i.account_id = ?1 AND (?2 IS NULL OR i.user_id IN ("
          "SELECT c.user_id FROM creators c WHERE c.id = ?2 AND c.account_id = ?1 UNION "
          "SELECT gm.user_id FROM access_groups g JOIN group_members gm ON gm.group_id = g.id "
          "WHERE g.creator_id = ?2 AND g.account_id = ?1)) "
          "ORDER BY i.created_at DESC, i.id",
      [&](store::statement& s) {
        auto r = read_invitation(s, now_text);
        if (!filter.status || *filter.status == r.status) {
          out.push_back(std::move(r));
        }
      },
      account_id, filter.creator_id);
  if (!done) {
    return done.error();
  }
  for (auto& r : out) {
    auto names = creator_names_for(db, account_id, r.user_id);
    if (!names) {
      return names.error();
    }
    r.creator_names = std::move(*names);
  }
  return out;
}

base::result<invitation_preview> open_invitation(store::database& db, std::string_view token,
                                                 time_point now) {
  auto found = lookup_token(db, token, now);
  if (!found) {
    return found.error();
  }
  if (auto usable = check_usable(*found); !usable) {
    return usable.error();
  }
  auto agency = account_name(db, found->invitation.account_id);
  if (!agency) {
    return agency.error();
  }
  auto user = find_user(db, found->invitation.user_id);
  if (!user) {
    return user.error();
  }
  auto names = creator_names_for(db, found->invitation.account_id, found->invitation.user_id);
  if (!names) {
    return names.error();
  }
  found->invitation.creator_names = std::move(*names);
  return invitation_preview{std::move(found->invitation), std::move(*agency),
                            !(*user && (*user)->has_password)};
}

base::result<std::string> accept_invitation(store::database& db, std::string_view token,
                                            std::string_view password_phc,
                                            std::string_view display_name, time_point now) {
  auto preview = open_invitation(db, token, now);
  if (!preview) {
    return preview.error();
  }
  const auto& inv = preview->invitation;
  const auto at = stamp(now);
  if (preview->needs_password) {
    if (password_phc.empty()) {
      return base::reject(errc::invalid_argument, "password: choose a password to accept");
    }
    if (auto set = store::sql::run(db,
                                   "UPDATE users SET password_hash = ?, password_changed_at = ? "
                                   "WHERE id = ?",
                                   password_phc, at, inv.user_id);
        !set) {
      return set.error();
    }
  }
  if (!display_name.empty()) {
    if (auto set = store::sql::run(db, "UPDATE users SET display_name = ? WHERE id = ?",
                                   display_name, inv.user_id);
        !set) {
      return set.error();
    }
  }
  if (auto up = store::sql::run(
          db, "UPDATE invitations SET status = 'accepted', accepted_at = ? WHERE id = ?", at,
          inv.id);
      !up) {
    return up.error();
  }
  // Accepting is what joins the account. The membership's status is left as it is: one an
  // admin disabled stays disabled after accepting.
  if (auto joined = join_membership(db, inv.account_id, inv.user_id, now); !joined) {
    return joined.error();
  }
  auto logged = record(db, actor{"user", inv.user_id, inv.email},
                       {inv.account_id, "invitation.accepted", "invitation", inv.id, "", ""}, now);
  if (!logged) {
    return logged.error();
  }
  return inv.user_id;
}

}  // namespace rosterd::roster
