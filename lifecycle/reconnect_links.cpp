#include "lifecycle/reconnect_links.hpp"

#include <algorithm>

#include "base/token.hpp"
#include "lifecycle/words.hpp"
#include "roster/audit.hpp"
#include "roster/error.hpp"
#include "roster/roster_view.hpp"
#include "store/sql.hpp"

namespace rosterd::lifecycle {
namespace sql = store::sql;
using detail::join_words;
using detail::split_words;
using roster::errc;

namespace {

constexpr std::string_view link_columns =
    "SELECT id, account_id, creator_id, providers, created_by_kind, COALESCE(created_by_id, ''), "
    "created_at, expires_at, revoked_at, completed_at FROM reconnect_links ";

link_state state_at(const link_record& l, const std::string& now_text) {
  if (l.revoked_at) {
    return link_state::revoked;
  }
  if (l.completed_at) {
    return link_state::completed;
  }
  if (l.expires_at <= now_text) {
    return link_state::expired;
  }
  return link_state::usable;
}

link_record read_link(store::statement& s, const std::string& now_text) {
  link_record l;
  l.id = s.column_text(0);
  l.account_id = s.column_text(1);
  l.creator_id = s.column_text(2);
  l.providers = split_words(s.column_text(3));
  l.created_by_kind = s.column_text(4);
  l.created_by_id = s.column_text(5);
  l.created_at = s.column_text(6);
  l.expires_at = s.column_text(7);
  if (!s.column_is_null(8)) {
    l.revoked_at = s.column_text(8);
  }
  if (!s.column_is_null(9)) {
    l.completed_at = s.column_text(9);
  }
  l.state = state_at(l, now_text);
  return l;
}

/// Why a link in `state` cannot be used, as the creator should read it.
base::result<void> why_dead(link_state state) {
  switch (state) {
    case link_state::usable:
      return {};
    case link_state::expired:
      return base::reject(errc::token_expired,
                          "this link has expired; ask your agency to send a new one");
    case link_state::revoked:
      return base::reject(errc::token_revoked,
                          "this link was withdrawn; ask your agency to send a new one");
    case link_state::completed:
      return base::reject(errc::token_used,
                          "every profile this link was for is connected; nothing left to do");
  }
  return {};
}

/// A link whose creator was taken off the roster, or whose account was disabled, is not valid
/// whatever its own state: the same answer as an unknown token, so it says nothing more.
constexpr std::string_view only_active =
    "JOIN creators c ON c.id = l.creator_id JOIN accounts a ON a.id = l.account_id "
    "WHERE c.status = 'active' AND a.status = 'active' AND ";

base::failure invalid_link() {
  return base::reject(errc::token_invalid, "this link is not valid; ask your agency for a new one");
}

/// The caller sees the creator and is a person (service tokens manage no links).
base::result<roster::creator_record> creator_for_links(store::database& db,
                                                       const roster::caller& who,
                                                       std::string_view creator_id) {
  auto creator = roster::get_creator(db, who, creator_id);
  if (!creator) {
    return creator.error();
  }
  if (who.is_service()) {
    return base::reject(errc::forbidden,
                        "reconnect links are made by people (the creator, their team or an "
                        "admin), not by service tokens");
  }
  return creator;
}

}  // namespace

std::string_view to_string(link_state s) noexcept {
  switch (s) {
    case link_state::usable:
      return "usable";
    case link_state::expired:
      return "expired";
    case link_state::revoked:
      return "revoked";
    case link_state::completed:
      return "completed";
  }
  return "usable";
}

namespace {

base::result<new_link> insert_link(store::database& db, std::string_view account_id,
                                   std::string_view creator_id, std::vector<std::string> chosen,
                                   const roster::actor& actor, const link_settings& settings,
                                   time_point now) {
  std::sort(chosen.begin(), chosen.end());
  chosen.erase(std::unique(chosen.begin(), chosen.end()), chosen.end());
  const auto token = base::issue_token(link_token_prefix);
  link_record l;
  l.id = roster::new_id("lnk");
  l.account_id = std::string(account_id);
  l.creator_id = std::string(creator_id);
  l.providers = chosen;
  l.created_by_kind = actor.kind;
  l.created_by_id = actor.id;
  l.created_at = roster::stamp(now);
  l.expires_at = roster::stamp(now + settings.ttl);
  auto inserted = sql::run(
      db,
      "INSERT INTO reconnect_links (id, token_hash, account_id, creator_id, providers, "
      "created_by_kind, created_by_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      l.id, token.hash, l.account_id, l.creator_id, join_words(chosen), l.created_by_kind,
      l.created_by_id.empty() ? std::optional<std::string>() : l.created_by_id, l.created_at,
      l.expires_at);
  if (!inserted) {
    return inserted.error();
  }
  auto logged = roster::record(db, actor,
                               {l.account_id, "reconnect_link.created", "reconnect_link", l.id,
                                l.creator_id, join_words(chosen) + ", until " + l.expires_at},
                               now);
  if (!logged) {
    return logged.error();
  }
  return new_link{std::move(l), base::secret(settings.public_url + "/connect/" +
                                             std::string(token.value.reveal()))};
}

}  // namespace

base::result<new_link> create_link(store::database& db, const roster::caller& who,
                                   std::string_view creator_id,
                                   const std::vector<std::string>& providers,
                                   const std::vector<std::string>& enabled,
                                   const link_settings& settings, time_point now) {
  auto creator = creator_for_links(db, who, creator_id);
  if (!creator) {
    return creator.error();
  }
  std::vector<std::string> chosen = providers.empty() ? enabled : providers;
  for (const auto& p : chosen) {
    if (std::find(enabled.begin(), enabled.end(), p) == enabled.end()) {
      return base::reject(errc::invalid_argument, "providers: " + p +
                                                      " is not a provider enabled here (enabled: " +
                                                      join_words(enabled) + ")");
    }
  }
  if (chosen.empty()) {
    return base::reject(errc::invalid_argument,
                        "providers: no provider is enabled here; configure one in [oauth]");
  }
  return insert_link(db, creator->account_id, creator->id, std::move(chosen),
                     roster::actor::of(who), settings, now);
}

base::result<new_link> create_system_link(store::database& db, std::string_view account_id,
                                          std::string_view creator_id,
                                          const std::vector<std::string>& providers,
                                          const link_settings& settings, time_point now) {
  if (providers.empty()) {
    return base::fail(errc::invalid_argument, "a system reconnect link needs its providers");
  }
  return insert_link(db, account_id, creator_id, providers, roster::actor::system(), settings, now);
}

base::result<std::vector<link_record>> list_links(store::database& db, const roster::caller& who,
                                                  std::string_view creator_id, time_point now) {
  auto creator = roster::get_creator(db, who, creator_id);
  if (!creator) {
    return creator.error();
  }
  const auto now_text = roster::stamp(now);
  std::vector<link_record> out;
  auto done = sql::each(
      db,
      std::string(link_columns) +
          "WHERE account_id = ? AND creator_id = ? ORDER BY created_at DESC, id",
      [&](store::statement& s) { out.push_back(read_link(s, now_text)); }, creator->account_id,
      creator->id);
  if (!done) {
    return done.error();
  }
  return out;
}

base::result<link_record> revoke_link(store::database& db, const roster::caller& who,
                                      std::string_view link_id, time_point now) {
  const auto now_text = roster::stamp(now);
  auto found = sql::first(
      db, std::string(link_columns) + "WHERE account_id = ? AND id = ?",
      [&](store::statement& s) { return read_link(s, now_text); }, who.account_id, link_id);
  if (!found) {
    return found.error();
  }
  if (!*found) {
    return base::fail(errc::not_found, "no such reconnect link");
  }
  auto link = std::move(**found);
  if (auto creator = creator_for_links(db, who, link.creator_id); !creator) {
    return creator.error();
  }
  if (link.state != link_state::usable) {
    return link;
  }
  auto updated =
      sql::run(db, "UPDATE reconnect_links SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
               now_text, link.id);
  if (!updated) {
    return updated.error();
  }
  auto logged = roster::record(
      db, roster::actor::of(who),
      {link.account_id, "reconnect_link.revoked", "reconnect_link", link.id, link.creator_id, ""},
      now);
  if (!logged) {
    return logged.error();
  }
  link.revoked_at = now_text;
  link.state = link_state::revoked;
  return link;
}

base::result<opened_link> open_link(store::database& db, std::string_view token, time_point now) {
  if (!base::looks_like_token(token, link_token_prefix)) {
    return invalid_link();
  }
  const auto now_text = roster::stamp(now);
  auto found = sql::first(
      db,
      "SELECT l.id, l.account_id, l.creator_id, l.providers, l.created_by_kind, "
      "COALESCE(l.created_by_id, ''), l.created_at, l.expires_at, l.revoked_at, l.completed_at, "
      "c.display_name, a.name FROM reconnect_links l " +
          std::string(only_active) + "l.token_hash = ?",
      [&](store::statement& s) {
        return opened_link{read_link(s, now_text), s.column_text(10), s.column_text(11), {}};
      },
      base::hash_token(token));
  if (!found) {
    return found.error();
  }
  if (!*found) {
    return invalid_link();
  }
  if (auto dead = why_dead((*found)->link.state); !dead) {
    return dead.error();
  }
  auto done = done_providers(db, (*found)->link);
  if (!done) {
    return done.error();
  }
  (*found)->done_providers = std::move(*done);
  return std::move(**found);
}

base::result<link_record> usable_link(store::database& db, std::string_view link_id,
                                      time_point now) {
  const auto now_text = roster::stamp(now);
  auto found = sql::first(
      db,
      "SELECT l.id, l.account_id, l.creator_id, l.providers, l.created_by_kind, "
      "COALESCE(l.created_by_id, ''), l.created_at, l.expires_at, l.revoked_at, l.completed_at "
      "FROM reconnect_links l " +
          std::string(only_active) + "l.id = ?",
      [&](store::statement& s) { return read_link(s, now_text); }, link_id);
  if (!found) {
    return found.error();
  }
  if (!*found) {
    return invalid_link();
  }
  if (auto dead = why_dead((*found)->state); !dead) {
    return dead.error();
  }
  return std::move(**found);
}

base::result<std::vector<std::string>> done_providers(store::database& db,
                                                      const link_record& link) {
  // Done when a connect through this link succeeded (its attempt says so, while attempts are
  // kept), or when the creator's connection was made after the link was: connected_at moves
  // with every (re)connect, so that outlives the pruning of attempts, and either way the link's
  // job for that platform is over. Strictly after: timestamps have one-second resolution, and a
  // link made in the second an earlier connect finished must still work. Fixed-width UTC
  // text: text order is time order.
  std::vector<std::string> out;
  auto done = sql::each(
      db,
      "SELECT provider FROM connections WHERE creator_id = ?1 AND connected_at > ?2 UNION "
      "SELECT provider FROM oauth_attempts WHERE link_id = ?3 AND outcome = 'connected' "
      "ORDER BY provider",
      [&](store::statement& s) {
        auto provider = s.column_text(0);
        if (std::find(link.providers.begin(), link.providers.end(), provider) !=
            link.providers.end()) {
          out.push_back(std::move(provider));
        }
      },
      link.creator_id, link.created_at, link.id);
  if (!done) {
    return done.error();
  }
  return out;
}

base::result<void> check_not_done(store::database& db, const link_record& link,
                                  std::string_view provider, std::string_view provider_name) {
  auto done = done_providers(db, link);
  if (!done) {
    return done.error();
  }
  if (std::find(done->begin(), done->end(), provider) != done->end()) {
    return base::reject(errc::token_used, std::string(provider_name) +
                                              " is already connected through this link; to "
                                              "connect it again, ask your agency for a new link");
  }
  return {};
}

base::result<void> complete_link_if_done(store::database& db, std::string_view link_id,
                                         time_point now) {
  auto link = sql::first(
      db, std::string(link_columns) + "WHERE id = ?",
      [&](store::statement& s) { return read_link(s, roster::stamp(now)); }, link_id);
  if (!link) {
    return link.error();
  }
  if (!*link) {
    return {};
  }
  auto done = done_providers(db, **link);
  if (!done) {
    return done.error();
  }
  if (done->size() < (*link)->providers.size()) {
    return {};
  }
  return sql::run(
      db, "UPDATE reconnect_links SET completed_at = ? WHERE id = ? AND completed_at IS NULL",
      roster::stamp(now), link_id);
}

}  // namespace rosterd::lifecycle
