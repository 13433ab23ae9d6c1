#include "lifecycle/agent_digests.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <vector>

#include "lifecycle/deadlines.hpp"
#include "lifecycle/jobs.hpp"
#include "lifecycle/status_reasons.hpp"
#include "roster/access.hpp"
#include "roster/error.hpp"
#include "roster/notification_preferences.hpp"
#include "roster/roster_view.hpp"
#include "store/sql.hpp"
#include "store/timestamp.hpp"

namespace rosterd::lifecycle {
namespace {

namespace sql = store::sql;

struct waiting_item {
  std::int64_t id = 0;
  digest_item item;
  std::string created_at;
};

/// What the digest says about one connection.
struct platform_line {
  std::string provider;
  std::string name;
  std::string status;
  std::string state_words;
  std::string reason;
  std::optional<std::string> due_at;
  bool needs_now = false;  ///< expired, revoked or failing: worse than expiring
};

struct creator_block {
  std::string account_id;
  std::string creator_id;
  std::string name;
  std::string agency;
  std::vector<platform_line> platforms;
  bool needs_now = false;
  std::string earliest_due = "~";  ///< sorts after every stamp when nothing is due
};

bool needs_action_now(std::string_view status) {
  return status == "expired" || status == "revoked" || status == "error";
}

std::string state_words(std::string_view status, const std::optional<std::string>& due_on) {
  if (status == "expired") {
    return due_on ? "Expired on " + *due_on : "Expired";
  }
  if (status == "revoked") {
    return "Access ended";
  }
  if (status == "error") {
    return "Renewal failing";
  }
  if (status == "disconnected") {
    return "Disconnected";
  }
  return due_on ? "Expires on " + *due_on : "Needs reconnecting";
}

base::result<std::vector<waiting_item>> waiting_items(store::database& db,
                                                      std::string_view user_id) {
  std::vector<waiting_item> out;
  auto read = sql::each(
      db,
      "SELECT id, account_id, creator_id, connection_id, provider, stage, deadline, status, "
      "status_reason, due_at, created_at FROM digest_items "
      "WHERE user_id = ? AND digest_key IS NULL ORDER BY id",
      [&](store::statement& s) {
        waiting_item w;
        w.id = s.column_int64(0);
        w.item.user_id = std::string(user_id);
        w.item.account_id = s.column_text(1);
        w.item.creator_id = s.column_text(2);
        w.item.connection_id = s.column_text(3);
        w.item.provider = s.column_text(4);
        w.item.stage = s.column_text(5);
        w.item.deadline = s.column_text(6);
        w.item.status = s.column_text(7);
        w.item.status_reason = s.column_text(8);
        w.item.due_at = s.column_optional_text(9);
        w.created_at = s.column_text(10);
        out.push_back(std::move(w));
      },
      user_id);
  if (!read) {
    return read.error();
  }
  return out;
}

/// The connection as it is now, for the words (the alert may be hours old).
struct connection_now {
  std::string status;
  std::string status_reason;
  std::string connected_at;
  std::optional<std::string> deadline_cause;
  bool self_renewing = false;
};

base::result<std::optional<connection_now>> read_connection_now(store::database& db,
                                                                std::string_view id) {
  return sql::first(
      db,
      "SELECT status, status_reason, connected_at, deadline_cause, deadline_self_renewing "
      "FROM connections WHERE id = ?",
      [](store::statement& s) {
        connection_now c;
        c.status = s.column_text(0);
        c.status_reason = s.column_text(1);
        c.connected_at = s.column_text(2);
        c.deadline_cause = s.column_optional_text(3);
        c.self_renewing = s.column_int64(4) != 0;
        return c;
      },
      id);
}

bool is_not_found(const base::failure& f) {
  return f.code == roster::errc::not_found;
}

std::string provider_name(const provider_registry& providers, std::string_view id) {
  const auto* p = providers.find(id);
  return p != nullptr && !p->profile.display_name.empty() ? p->profile.display_name
                                                          : std::string(id);
}

/// The line for one waiting item, or nullopt when it no longer needs saying: the creator went
/// through the platform's login again after the alert was made.
base::result<std::optional<platform_line>> line_for(store::database& db,
                                                    const provider_registry& providers,
                                                    const waiting_item& w,
                                                    std::string_view time_zone) {
  auto now = read_connection_now(db, w.item.connection_id);
  if (!now) {
    return now.error();
  }
  if (!*now || (*now)->connected_at > w.created_at) {
    return std::optional<platform_line>{};
  }
  const auto& c = **now;
  platform_line line;
  line.provider = w.item.provider;
  line.name = provider_name(providers, w.item.provider);
  // What the alert said, unless the connection has got worse since (expiring -> expired):
  // the digest may go out hours after the alert was made.
  const bool worse_now = needs_action_now(c.status) || c.status == "disconnected";
  line.status = worse_now ? c.status : w.item.status;
  const auto reason_text = worse_now ? c.status_reason : w.item.status_reason;
  line.due_at = w.item.due_at;
  line.needs_now = needs_action_now(line.status);
  std::optional<std::string> due_on;
  std::optional<deadline> due;
  if (w.item.due_at) {
    if (auto at = store::parse_iso8601_utc(*w.item.due_at)) {
      due_on = roster::date_in_words(*at, time_zone);
      deadline d;
      d.at = *at;
      d.cause =
          c.deadline_cause ? parse_deadline_cause(*c.deadline_cause).value_or(d.cause) : d.cause;
      d.self_renewing = c.self_renewing;
      due = d;
    }
  }
  line.state_words = state_words(line.status, due_on);
  const auto reason = parse_status_reason(reason_text);
  line.reason = describe_reason(reason.value_or(status_reason::renewal_due), line.name, due);
  return std::optional<platform_line>{std::move(line)};
}

/// The most urgent first: action needed now before a deadline ahead, then the earliest
/// deadline, then the name (so equal creators keep a stable order).
void sort_by_urgency(std::vector<creator_block>& blocks) {
  for (auto& b : blocks) {
    std::stable_sort(b.platforms.begin(), b.platforms.end(),
                     [](const platform_line& x, const platform_line& y) {
                       return std::tuple(!x.needs_now, x.due_at.value_or("~"), x.name) <
                              std::tuple(!y.needs_now, y.due_at.value_or("~"), y.name);
                     });
    for (const auto& p : b.platforms) {
      b.needs_now = b.needs_now || p.needs_now;
      b.earliest_due = std::min(b.earliest_due, p.due_at.value_or("~"));
    }
  }
  std::stable_sort(blocks.begin(), blocks.end(),
                   [](const creator_block& x, const creator_block& y) {
                     return std::tuple(!x.needs_now, x.earliest_due, x.name) <
                            std::tuple(!y.needs_now, y.earliest_due, y.name);
                   });
}

base::result<void> mark(store::database& db, std::string_view user_id, std::int64_t last_id,
                        std::string_view key) {
  return sql::run(db,
                  "UPDATE digest_items SET digest_key = ? WHERE user_id = ? AND digest_key IS NULL "
                  "AND id <= ?",
                  key, user_id, last_id);
}

std::string creators_summary(std::size_t n) {
  return n == 1 ? "1 creator needs attention" : std::to_string(n) + " creators need attention";
}

}  // namespace

std::string digest_job_key(std::string_view user_id, time_point at) {
  return std::string(digest_job_kind) + ":" + std::string(user_id) + ":" + roster::stamp(at);
}

base::result<void> hold_for_digest(store::database& db, const digest_item& item, time_point now) {
  auto added = sql::run(
      db,
      "INSERT INTO digest_items (user_id, account_id, creator_id, connection_id, provider, stage, "
      "deadline, status, status_reason, due_at, created_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (user_id, connection_id, deadline, stage) DO NOTHING",
      item.user_id, item.account_id, item.creator_id, item.connection_id, item.provider, item.stage,
      item.deadline, item.status, item.status_reason, item.due_at, roster::stamp(now));
  if (!added) {
    return added.error();
  }
  if (db.changes() == 0) {
    return {};  // the same alert waits already (its digest is scheduled) or went out
  }
  auto prefs = roster::read_notification_preferences(db, item.user_id);
  if (!prefs) {
    return prefs.error();
  }
  const auto at = roster::next_digest_at(*prefs, now);
  job_spec spec;
  spec.kind = std::string(digest_job_kind);
  spec.subject = item.user_id;
  spec.idempotency_key = digest_job_key(item.user_id, at);
  spec.due_at = at;
  auto scheduled = schedule_job(db, spec, now);
  if (!scheduled) {
    return scheduled.error();
  }
  return {};
}

base::result<bool> send_digest(store::database& db, roster::mailer& mailer,
                               const provider_registry& providers, const digest_settings& s,
                               std::string_view user_id, std::string_view idempotency_key,
                               time_point now) {
  auto done =
      sql::integer(db, "SELECT COUNT(*) FROM digest_items WHERE user_id = ? AND digest_key = ?",
                   user_id, idempotency_key);
  if (!done) {
    return done.error();
  }
  if (*done > 0) {
    return false;  // this digest went out already (a rerun after a crash)
  }
  auto items = waiting_items(db, user_id);
  if (!items) {
    return items.error();
  }
  if (items->empty()) {
    return false;
  }
  const auto last_id = items->back().id;

  auto person = sql::first(
      db, "SELECT email, display_name FROM users WHERE id = ? AND status = 'active'",
      [](store::statement& st) { return std::pair(st.column_text(0), st.column_text(1)); },
      user_id);
  if (!person) {
    return person.error();
  }
  if (!*person) {
    if (auto marked = mark(db, user_id, last_id, idempotency_key); !marked) {
      return marked.error();
    }
    return false;
  }
  auto prefs = roster::read_notification_preferences(db, user_id);
  if (!prefs) {
    return prefs.error();
  }

  // Group by creator, checking on the way that the person still sees each one: a team change
  // or a removed creator since the alert drops it from the digest without a word.
  std::map<std::pair<std::string, std::string>, creator_block> blocks;
  std::set<std::pair<std::string, std::string>> unseen;
  std::set<std::string> seen_connections;
  for (auto it = items->rbegin(); it != items->rend(); ++it) {  // newest alert per connection
    const auto& w = *it;
    const std::pair key(w.item.account_id, w.item.creator_id);
    if (unseen.contains(key) || seen_connections.contains(w.item.connection_id)) {
      continue;
    }
    if (!blocks.contains(key)) {
      auto who = roster::caller_for_user(db, user_id, w.item.account_id);
      if (!who && !is_not_found(who.error())) {
        return who.error();
      }
      auto creator = who ? roster::get_creator(db, *who, w.item.creator_id)
                         : base::result<roster::creator_record>(who.error());
      if (!creator && !is_not_found(creator.error())) {
        return creator.error();
      }
      // Admins still read a removed creator; nobody is alerted about one.
      if (!creator || creator->status != "active") {
        unseen.insert(key);
        continue;
      }
      auto agency = sql::first(
          db, "SELECT name FROM accounts WHERE id = ?",
          [](store::statement& st) { return st.column_text(0); }, w.item.account_id);
      if (!agency) {
        return agency.error();
      }
      creator_block b;
      b.account_id = w.item.account_id;
      b.creator_id = w.item.creator_id;
      b.name = creator->display_name;
      b.agency = agency->value_or("");
      blocks.emplace(key, std::move(b));
    }
    auto line = line_for(db, providers, w, prefs->time_zone);
    if (!line) {
      return line.error();
    }
    seen_connections.insert(w.item.connection_id);
    if (*line) {
      blocks.at(key).platforms.push_back(std::move(**line));
    }
  }
  std::vector<creator_block> ordered;
  for (auto& [key, b] : blocks) {
    if (!b.platforms.empty()) {
      ordered.push_back(std::move(b));
    }
  }
  if (ordered.empty()) {
    if (auto marked = mark(db, user_id, last_id, idempotency_key); !marked) {
      return marked.error();
    }
    return false;
  }
  sort_by_urgency(ordered);

  roster::mail_intent intent;
  intent.template_name = "agent_digest";
  intent.idempotency_key = std::string(idempotency_key);
  intent.recipient = (*person)->first;
  std::set<std::string> accounts;
  std::vector<roster::mail_record> creators;
  for (const auto& b : ordered) {
    accounts.insert(b.account_id);
    std::vector<std::string> attention;
    roster::mail_record creator;
    std::vector<roster::mail_record> platforms;
    for (const auto& p : b.platforms) {
      if (providers.find(p.provider) != nullptr && p.status != "disconnected") {
        attention.push_back(p.provider);
      }
      roster::mail_record line;
      line.values = {{"name", p.name},
                     {"state", p.status},
                     {"state_words", p.state_words},
                     {"reason", p.reason}};
      platforms.push_back(std::move(line));
    }
    std::sort(attention.begin(), attention.end());
    attention.erase(std::unique(attention.begin(), attention.end()), attention.end());
    std::string link_url;
    if (!attention.empty()) {
      auto link = create_system_link(db, b.account_id, b.creator_id, attention, s.links, now);
      if (!link) {
        return link.error();
      }
      link_url = std::string(link->url.reveal());
    }
    creator.values = {{"name", b.name}, {"agency", b.agency}, {"link_url", link_url}};
    creator.flags = {{"has_link", !link_url.empty()}};
    creator.lists = {{"platforms", std::move(platforms)}};
    creators.push_back(std::move(creator));
  }
  if (accounts.size() == 1) {
    intent.account_id = *accounts.begin();
  }
  const auto& [email, display_name] = **person;
  intent.values = {{"recipient_name", display_name.empty() ? email : display_name},
                   {"summary", creators_summary(ordered.size())},
                   {"digest_date", roster::date_in_words(now, prefs->time_zone)}};
  intent.lists = {{"creators", std::move(creators)}};
  if (auto queued = mailer.enqueue(db, intent); !queued) {
    return queued.error();
  }
  if (auto marked = mark(db, user_id, last_id, idempotency_key); !marked) {
    return marked.error();
  }
  return true;
}

}  // namespace rosterd::lifecycle
