#include "lifecycle/connection_checks.hpp"

#include <algorithm>
#include <vector>

#include "lifecycle/agent_digests.hpp"
#include "lifecycle/connection_webhooks.hpp"
#include "lifecycle/connections.hpp"
#include "lifecycle/date_words.hpp"
#include "lifecycle/status_reasons.hpp"
#include "roster/notification_preferences.hpp"
#include "store/sql.hpp"
#include "store/timestamp.hpp"

namespace rosterd::lifecycle {
namespace {

namespace sql = store::sql;

struct check_row {
  std::string id;
  std::string account_id;
  std::string creator_id;
  std::string provider;
  std::string status;
  std::string reason;
  std::string status_changed_at;
  std::string connected_at;
  std::optional<std::string> due;
  std::optional<std::string> cause;
  bool self_renewing = false;
};

constexpr std::string_view check_columns =
    "SELECT id, account_id, creator_id, provider, status, status_reason, status_changed_at, "
    "connected_at, reauth_due_at, deadline_cause, deadline_self_renewing FROM connections ";

check_row read_check_row(store::statement& s) {
  return {s.column_text(0),          s.column_text(1),       s.column_text(2),
          s.column_text(3),          s.column_text(4),       s.column_text(5),
          s.column_text(6),          s.column_text(7),       s.column_optional_text(8),
          s.column_optional_text(9), s.column_int64(10) != 0};
}

struct creator_info {
  std::string name;
  std::string email;
  std::string agency;
  bool reachable = false;  ///< creator and their user active: they may be written to
};

struct person {
  std::string id;
  std::string email;
  std::string name;
};

std::optional<deadline> deadline_of(const check_row& c) {
  if (!c.due) {
    return std::nullopt;
  }
  const auto at = store::parse_iso8601_utc(*c.due);
  if (!at) {
    return std::nullopt;
  }
  return deadline{*at,
                  (c.cause ? parse_deadline_cause(*c.cause) : std::nullopt)
                      .value_or(deadline_cause::token_expiry),
                  c.self_renewing};
}

// Statuses whose deadline stages still run: the clocks keep counting while a refresh fails.
bool follows_deadline(std::string_view status) {
  return status == "connected" || status == "expiring" || status == "expired" || status == "error";
}

// A deadline the daemon moves itself by renewing (Instagram Login) needs the creator only once
// renewal fails or the deadline passes anyway.
bool waits_on_renewal(const deadline& due, std::string_view status, time_point now) {
  return due.self_renewing && status == "connected" && now < due.at;
}

std::string provider_name(const provider_registry& providers, std::string_view id) {
  const auto* p = providers.find(id);
  return p != nullptr ? p->profile.display_name : std::string(id);
}

std::string names_in_words(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) {
      out += i + 1 == names.size() ? " and " : ", ";
    }
    out += names[i];
  }
  return out;
}

base::result<std::optional<int>> last_stage(store::database& db, std::string_view connection_id,
                                            std::string_view deadline_key,
                                            std::string_view audience) {
  auto found = sql::first(
      db,
      "SELECT MAX(stage_index) FROM lifecycle_notices WHERE connection_id = ? AND deadline = ? "
      "AND audience = ?",
      [](store::statement& s) {
        return s.column_is_null(0) ? std::optional<int>()
                                   : std::optional<int>(static_cast<int>(s.column_int64(0)));
      },
      connection_id, deadline_key, audience);
  if (!found) {
    return found.error();
  }
  return found->value_or(std::nullopt);
}

/// True when the notice was not there yet (this run sends it).
base::result<bool> record_notice(store::database& db, std::string_view connection_id,
                                 std::string_view deadline_key, std::string_view audience,
                                 std::string_view stage, int index, time_point now) {
  auto written = sql::run(
      db,
      "INSERT INTO lifecycle_notices (connection_id, deadline, audience, stage, stage_index, "
      "sent_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
      connection_id, deadline_key, audience, stage, index, roster::stamp(now));
  if (!written) {
    return written.error();
  }
  return db.changes() == 1;
}

base::result<creator_info> read_creator(store::database& db, std::string_view creator_id) {
  auto found = sql::first(
      db,
      "SELECT cr.display_name, u.email, a.name, cr.status = 'active' AND u.status = 'active' AND "
      "a.status = 'active' FROM creators cr JOIN users u ON u.id = cr.user_id JOIN accounts a ON "
      "a.id = cr.account_id WHERE cr.id = ?",
      [](store::statement& s) {
        return creator_info{s.column_text(0), s.column_text(1), s.column_text(2),
                            s.column_int64(3) != 0};
      },
      creator_id);
  if (!found) {
    return found.error();
  }
  return found->value_or(creator_info{});
}

// The agents on the creator's team who may see them today: active, joined, still agents.
// CROSS JOIN fixes the join order: without statistics SQLite otherwise walks every member of
// the account (by account_id) for each check, which costs more than the rest of a check
// together on a large account; from the team's few rows each other lookup is by primary key.
base::result<std::vector<person>> read_team(store::database& db, std::string_view creator_id) {
  std::vector<person> out;
  auto done = sql::each(
      db,
      "SELECT u.id, u.email, u.display_name FROM access_groups g "
      "CROSS JOIN group_members gm ON gm.group_id = g.id CROSS JOIN users u ON u.id = gm.user_id "
      "CROSS JOIN account_members m ON m.account_id = g.account_id AND m.user_id = u.id "
      "WHERE g.creator_id = ? AND u.status = 'active' AND m.status = 'active' "
      "AND m.joined_at IS NOT NULL AND m.role = 'agent' ORDER BY u.id",
      [&](store::statement& s) {
        out.push_back({s.column_text(0), s.column_text(1), s.column_text(2)});
      },
      creator_id);
  if (!done) {
    return done.error();
  }
  return out;
}

base::result<std::vector<person>> read_admins(store::database& db, std::string_view account_id) {
  std::vector<person> out;
  auto done = sql::each(
      db,
      "SELECT u.id, u.email, u.display_name FROM account_members m JOIN users u ON u.id = "
      "m.user_id WHERE m.account_id = ? AND m.role IN ('owner', 'admin') AND m.status = "
      "'active' AND m.joined_at IS NOT NULL AND u.status = 'active' ORDER BY u.id",
      [&](store::statement& s) {
        out.push_back({s.column_text(0), s.column_text(1), s.column_text(2)});
      },
      account_id);
  if (!done) {
    return done.error();
  }
  return out;
}

// One run's work on one connection: what it reads once and the link it makes at most once.
class check_run {
 public:
  check_run(store::database& db, const check_context& ctx, check_row row, time_point now)
      : db_(db), ctx_(ctx), row_(std::move(row)), now_(now) {}

  base::result<check_report> run();

 private:
  base::result<void> follow_clocks(const deadline& due);
  base::result<void> move_status(std::string_view status, status_reason reason,
                                 const std::optional<deadline>& due);
  base::result<void> remind_creator(const std::string& trigger_key);
  base::result<void> alert_team(const std::string& deadline_key, const std::string& stage,
                                const std::string& headline, bool with_link);
  base::result<void> alert_admins(const std::string& deadline_key, const std::string& headline);
  base::result<std::string> link_for(const std::vector<std::string>& providers);
  base::result<void> publish(webhook_event e, const std::string& occurrence);
  base::result<void> plan_next(const std::optional<deadline>& due);
  [[nodiscard]] std::string reason_words(const std::optional<deadline>& due) const;
  void count_notice(std::string_view audience, std::string_view stage) {
    // "revoked@<when>" counts as "revoked": the labels stay few.
    report_.notices.emplace_back(audience, stage.substr(0, stage.find('@')));
  }

  store::database& db_;
  const check_context& ctx_;
  check_row row_;
  time_point now_;
  check_report report_;
  std::optional<creator_info> creator_;
  std::optional<std::string> link_url_;  // one fresh link per run, shared by its messages
};

std::string check_run::reason_words(const std::optional<deadline>& due) const {
  return describe_reason(parse_status_reason(row_.reason).value_or(status_reason::none),
                         provider_name(ctx_.providers, row_.provider), due);
}

base::result<void> check_run::move_status(std::string_view status, status_reason reason,
                                          const std::optional<deadline>& due) {
  const auto now_text = roster::stamp(now_);
  auto written =
      sql::run(db_,
               "UPDATE connections SET status = ?, status_reason = ?, status_changed_at = ? "
               "WHERE id = ? AND status = ?",
               status, to_string(reason), now_text, row_.id, row_.status);
  if (!written) {
    return written;
  }
  if (db_.changes() == 0) {
    return {};
  }
  row_.status = std::string(status);
  row_.reason = std::string(to_string(reason));
  row_.status_changed_at = now_text;
  report_.status_changed = true;
  const std::optional<std::string> id = row_.id;
  if (auto e = add_event(db_, row_.account_id, row_.creator_id, row_.provider, id, status,
                         reason_words(due), now_);
      !e) {
    return e;
  }
  if (status == "expiring" || status == "expired") {
    return publish(status == "expiring" ? webhook_event::connection_expiring
                                        : webhook_event::connection_expired,
                   (row_.due ? *row_.due : std::string()) + ":" + std::string(status));
  }
  return {};
}

// The agency's systems hear of it in the same transaction as the change it reports.
base::result<void> check_run::publish(webhook_event e, const std::string& occurrence) {
  // Most accounts have no endpoint: then no delivery is queued, and reading the connection and
  // building the event (a tenth of a reminder check) is skipped.
  auto listening =
      sql::integer(db_,
                   "SELECT EXISTS (SELECT 1 FROM webhook_endpoints WHERE account_id = ? "
                   "AND enabled = 1)",
                   row_.account_id);
  if (!listening) {
    return listening.error();
  }
  if (*listening == 0) {
    return {};
  }
  auto stored = find_connection(db_, row_.id);
  if (!stored) {
    return stored.error();
  }
  if (!*stored) {
    return {};
  }
  auto queued =
      publish_connection_event(db_, e, **stored, row_.id + ":" + occurrence, now_, row_.reason);
  if (!queued) {
    return queued.error();
  }
  report_.webhooks += *queued;
  return {};
}

base::result<std::string> check_run::link_for(const std::vector<std::string>& providers) {
  if (!link_url_) {
    auto made =
        create_system_link(db_, row_.account_id, row_.creator_id, providers, ctx_.links, now_);
    if (!made) {
      return made.error();
    }
    link_url_ = std::string(made->url.reveal());
  }
  return *link_url_;
}

// The one email to the creator: every platform of theirs needing attention, one link for all.
// Every stage it covers (its own and the other platforms' due ones) is recorded as sent.
base::result<void> check_run::remind_creator(const std::string& trigger_key) {
  if (!creator_->reachable) {
    return {};
  }
  std::vector<check_row> all;
  auto read = sql::each(
      db_, std::string(check_columns) + "WHERE creator_id = ? ORDER BY provider",
      [&](store::statement& s) { all.push_back(read_check_row(s)); }, row_.creator_id);
  if (!read) {
    return read;
  }
  std::vector<std::string> providers;
  std::vector<std::string> names;
  std::vector<roster::mail_record> platforms;
  std::optional<time_point> earliest;
  for (const auto& c : all) {
    if (ctx_.providers.find(c.provider) == nullptr) {
      continue;
    }
    const auto due = deadline_of(c);
    const auto name = provider_name(ctx_.providers, c.provider);
    bool include = c.id == row_.id;
    if (!include && c.status == "revoked") {
      include = true;
      if (auto r =
              record_notice(db_, c.id, "", "creator", "revoked@" + c.status_changed_at, 0, now_);
          !r) {
        return r.error();
      }
    } else if (!include && due && follows_deadline(c.status) &&
               !waits_on_renewal(*due, c.status, now_)) {
      // Stages of other platforms due now ride along: their own check then finds them sent.
      const auto stages = stages_for(due->at, ctx_.stages.for_provider(c.provider).creator);
      auto last = last_stage(db_, c.id, *c.due, "creator");
      if (!last) {
        return last.error();
      }
      if (const auto stage = due_stage(stages, *last, now_)) {
        include = true;
        if (auto r = record_notice(db_, c.id, *c.due, "creator", stage->name, stage->index, now_);
            !r) {
          return r.error();
        }
      } else {
        include = c.status == "expiring" || c.status == "expired";  // still needs attention
      }
    }
    if (!include) {
      continue;
    }
    std::string state;
    if (c.status == "revoked") {
      state = describe_reason(parse_status_reason(c.reason).value_or(status_reason::session_ended),
                              name, due);
    } else if (due) {
      state = (due->at > now_ ? "needs you to log in again by " : "stopped working on ") +
              date_in_words(due->at) + ".";
      earliest = earliest ? std::min(*earliest, due->at) : due->at;
    }
    providers.push_back(c.provider);
    names.push_back(name);
    roster::mail_record line;
    line.values = {{"name", name}, {"state", state}};
    platforms.push_back(std::move(line));
  }
  if (providers.empty()) {
    return {};
  }
  auto url = link_for(providers);
  if (!url) {
    return url.error();
  }
  roster::mail_intent m;
  m.template_name = "creator_reminder";
  m.idempotency_key = "creator_reminder:" + row_.id + ":" + trigger_key;
  m.account_id = row_.account_id;
  m.recipient = creator_->email;
  m.values = {{"creator_name", creator_->name},
              {"agency", creator_->agency},
              {"platform_names", names_in_words(names)},
              {"reconnect_url", *url},
              {"due_on", earliest ? date_in_words(*earliest) : ""},
              {"link_expires_on", date_in_words(now_ + ctx_.links.ttl)}};
  m.lists = {{"platforms", std::move(platforms)}};
  m.flags = {{"expired", !earliest || *earliest <= now_}};
  m.ref_kind = "connection";
  m.ref_id = row_.id;
  if (auto queued = ctx_.mailer.enqueue(db_, m); !queued) {
    return queued;
  }
  ++report_.creator_messages;
  return {};
}

base::result<void> check_run::alert_team(const std::string& deadline_key, const std::string& stage,
                                         const std::string& headline, bool with_link) {
  auto team = read_team(db_, row_.creator_id);
  if (!team) {
    return team.error();
  }
  std::string url;
  if (with_link && !team->empty()) {
    auto made = link_for({row_.provider});
    if (!made) {
      return made.error();
    }
    url = *made;
  }
  for (const auto& agent : *team) {
    auto prefs = roster::read_notification_preferences(db_, agent.id);
    if (!prefs) {
      return prefs.error();
    }
    if (prefs->delivery == roster::alert_delivery::digest) {
      // Waits for the person's digest hour; the digest makes its own fresh link.
      digest_item item{agent.id, row_.account_id, row_.creator_id, row_.id,     row_.provider,
                       stage,    deadline_key,    row_.status,     row_.reason, row_.due};
      if (auto held = hold_for_digest(db_, item, now_); !held) {
        return held;
      }
      ++report_.team_alerts;
      continue;
    }
    roster::mail_intent m;
    m.template_name = "team_alert";
    m.idempotency_key = "team_alert:" + row_.id + ":" + deadline_key + ":" + stage + ":" + agent.id;
    m.account_id = row_.account_id;
    m.recipient = agent.email;
    m.values = {{"recipient_name", agent.name},
                {"creator_name", creator_->name},
                {"agency", creator_->agency},
                {"platform", provider_name(ctx_.providers, row_.provider)},
                {"headline", headline},
                {"reason", reason_words(deadline_of(row_))},
                {"reconnect_url", url},
                {"link_expires_on", url.empty() ? "" : date_in_words(now_ + ctx_.links.ttl)}};
    m.flags = {{"has_link", !url.empty()}};
    m.ref_kind = "connection";
    m.ref_id = row_.id;
    if (auto queued = ctx_.mailer.enqueue(db_, m); !queued) {
      return queued;
    }
    ++report_.team_alerts;
  }
  return {};
}

base::result<void> check_run::alert_admins(const std::string& deadline_key,
                                           const std::string& headline) {
  auto fresh = record_notice(db_, row_.id, deadline_key, "admins", "escalation", 0, now_);
  if (!fresh) {
    return fresh.error();
  }
  if (!*fresh) {
    return {};
  }
  count_notice("admins", "escalation");
  auto admins = read_admins(db_, row_.account_id);
  if (!admins) {
    return admins.error();
  }
  for (const auto& admin : *admins) {
    roster::mail_intent m;
    m.template_name = "team_alert";
    m.idempotency_key = "admin_alert:" + row_.id + ":" + deadline_key + ":" + admin.id;
    m.account_id = row_.account_id;
    m.recipient = admin.email;
    auto url = link_for({row_.provider});
    if (!url) {
      return url.error();
    }
    m.values = {
        {"recipient_name", admin.name}, {"creator_name", creator_->name},
        {"agency", creator_->agency},   {"platform", provider_name(ctx_.providers, row_.provider)},
        {"headline", headline},         {"reason", reason_words(deadline_of(row_))},
        {"reconnect_url", *url},        {"link_expires_on", date_in_words(now_ + ctx_.links.ttl)}};
    m.flags = {{"has_link", true}};
    m.ref_kind = "connection";
    m.ref_id = row_.id;
    if (auto queued = ctx_.mailer.enqueue(db_, m); !queued) {
      return queued;
    }
    ++report_.admin_alerts;
  }
  return {};
}

base::result<void> check_run::follow_clocks(const deadline& due) {
  if (waits_on_renewal(due, row_.status, now_)) {
    return {};
  }
  const auto& plan = ctx_.stages.for_provider(row_.provider);
  const auto creator_stages = stages_for(due.at, plan.creator);
  const auto team_stages = stages_for(due.at, plan.team);
  auto window = due.at;
  for (const auto* stages : {&creator_stages, &team_stages}) {
    if (!stages->empty()) {
      window = std::min(window, stages->front().at);
    }
  }
  if (now_ >= due.at && row_.status != "expired") {
    if (auto moved = move_status("expired", status_reason::renewal_due, due); !moved) {
      return moved;
    }
  } else if (now_ >= window && now_ < due.at && row_.status == "connected") {
    if (auto moved = move_status("expiring", status_reason::renewal_due, due); !moved) {
      return moved;
    }
  }
  const auto& key = *row_.due;
  const auto platform = provider_name(ctx_.providers, row_.provider);
  auto last_creator = last_stage(db_, row_.id, key, "creator");
  if (!last_creator) {
    return last_creator.error();
  }
  if (const auto stage = due_stage(creator_stages, *last_creator, now_)) {
    auto fresh = record_notice(db_, row_.id, key, "creator", stage->name, stage->index, now_);
    if (!fresh) {
      return fresh.error();
    }
    if (*fresh) {
      count_notice("creator", stage->name);
      if (auto sent = remind_creator(key + ":" + stage->name); !sent) {
        return sent;
      }
    }
    // The creator's last stage has come and they have not reconnected: the admins hear once.
    if (stage->index + 1 == static_cast<int>(creator_stages.size()) && now_ >= due.at) {
      const auto headline = creator_->name + " has not reconnected " + platform +
                            " (it stopped working on " + date_in_words(due.at) + ")";
      if (auto escalated = alert_admins(key, headline); !escalated) {
        return escalated;
      }
    }
  }
  auto last_team = last_stage(db_, row_.id, key, "team");
  if (!last_team) {
    return last_team.error();
  }
  if (const auto stage = due_stage(team_stages, *last_team, now_)) {
    auto fresh = record_notice(db_, row_.id, key, "team", stage->name, stage->index, now_);
    if (!fresh) {
      return fresh.error();
    }
    if (*fresh) {
      count_notice("team", stage->name);
      const auto headline =
          now_ >= due.at
              ? creator_->name + "'s " + platform + " stopped working on " + date_in_words(due.at)
              : creator_->name + "'s " + platform + " needs reconnecting " +
                    days_in_words(due.at, now_) + " (by " + date_in_words(due.at) + ")";
      if (auto sent = alert_team(key, stage->name, headline, true); !sent) {
        return sent;
      }
    }
  }
  return {};
}

base::result<void> check_run::plan_next(const std::optional<deadline>& due) {
  if (!due || !follows_deadline(row_.status)) {
    return {};
  }
  const auto& plan = ctx_.stages.for_provider(row_.provider);
  std::optional<time_point> next;
  const auto consider = [&](std::optional<time_point> t) {
    if (t && *t > now_ && (!next || *t < *next)) {
      next = t;
    }
  };
  const bool renewing = waits_on_renewal(*due, row_.status, now_);
  for (const auto& [schedule, audience] :
       {std::pair{&plan.creator, "creator"}, std::pair{&plan.team, "team"}}) {
    if (renewing) {
      break;  // the renewal moves the deadline; failing, it asks for a check itself
    }
    const auto stages = stages_for(due->at, *schedule);
    auto last = last_stage(db_, row_.id, *row_.due, audience);
    if (!last) {
      return last.error();
    }
    if (const auto stage = next_stage(stages, *last, now_)) {
      consider(stage->at);
    }
  }
  consider(due->at);  // the moment it expires
  if (!next) {
    return {};
  }
  report_.next_check = next;
  auto planned = schedule_job(db_,
                              {std::string(connection_check_kind), row_.id,
                               std::string(connection_check_kind) + ":" + row_.id + ":" +
                                   row_.connected_at + ":" + *row_.due + ":" + roster::stamp(*next),
                               *next, ""},
                              now_);
  if (!planned) {
    return planned.error();
  }
  return {};
}

base::result<check_report> check_run::run() {
  if (row_.status == "disconnected") {
    return report_;
  }
  auto creator = read_creator(db_, row_.creator_id);
  if (!creator) {
    return creator.error();
  }
  creator_ = std::move(*creator);
  const bool enabled = ctx_.providers.find(row_.provider) != nullptr;
  const auto due = deadline_of(row_);
  const auto platform = provider_name(ctx_.providers, row_.provider);
  if (due && follows_deadline(row_.status) && enabled) {
    if (auto followed = follow_clocks(*due); !followed) {
      return followed.error();
    }
  }
  if (row_.status == "revoked" && enabled) {
    const auto stage = "revoked@" + row_.status_changed_at;
    auto fresh = record_notice(db_, row_.id, "", "creator", stage, 0, now_);
    if (!fresh) {
      return fresh.error();
    }
    if (*fresh) {
      count_notice("creator", stage);
      if (auto sent = remind_creator(stage); !sent) {
        return sent.error();
      }
    }
    auto team_fresh = record_notice(db_, row_.id, "", "team", stage, 0, now_);
    if (!team_fresh) {
      return team_fresh.error();
    }
    if (*team_fresh) {
      count_notice("team", stage);
      if (auto published = publish(webhook_event::connection_revoked, stage); !published) {
        return published.error();
      }
      if (auto sent =
              alert_team("", stage, creator_->name + "'s " + platform + " was disconnected", true);
          !sent) {
        return sent.error();
      }
    }
  }
  if (row_.status == "error" && enabled) {
    const auto stage = "refresh_failing@" + row_.status_changed_at;
    auto fresh = record_notice(db_, row_.id, "", "team", stage, 0, now_);
    if (!fresh) {
      return fresh.error();
    }
    if (*fresh) {
      count_notice("team", stage);
      if (auto published = publish(webhook_event::connection_refresh_failed, stage); !published) {
        return published.error();
      }
      if (auto sent = alert_team(
              "", stage, creator_->name + "'s " + platform + " keeps failing to renew", false);
          !sent) {
        return sent.error();
      }
    }
  }
  if (row_.status == "connected") {
    // Working again after the team was alerted about it: one recovery notice.
    auto alerted = sql::integer(
        db_,
        "SELECT COUNT(*) FROM lifecycle_notices WHERE connection_id = ?1 AND audience = 'team' "
        "AND stage NOT LIKE 'recovered@%' AND sent_at <= ?2 AND sent_at > COALESCE((SELECT "
        "MAX(sent_at) FROM lifecycle_notices WHERE connection_id = ?1 AND audience = 'team' AND "
        "stage LIKE 'recovered@%'), '')",
        row_.id, row_.status_changed_at);
    if (!alerted) {
      return alerted.error();
    }
    if (*alerted > 0) {
      const auto stage = "recovered@" + row_.status_changed_at;
      auto fresh = record_notice(db_, row_.id, "", "team", stage, 0, now_);
      if (!fresh) {
        return fresh.error();
      }
      if (*fresh) {
        count_notice("team", stage);
        if (auto published = publish(webhook_event::connection_recovered, stage); !published) {
          return published.error();
        }
        if (auto sent = alert_team(
                "", stage, creator_->name + "'s " + platform + " is connected again", false);
            !sent) {
          return sent.error();
        }
      }
    }
  }
  if (auto planned = plan_next(due); !planned) {
    return planned.error();
  }
  return report_;
}

}  // namespace

base::result<check_report> check_connection(store::database& db, const check_context& ctx,
                                            std::string_view connection_id, time_point now) {
  auto row =
      sql::first(db, std::string(check_columns) + "WHERE id = ?", read_check_row, connection_id);
  if (!row) {
    return row.error();
  }
  if (!*row) {
    return check_report{};
  }
  check_run run(db, ctx, std::move(**row), now);
  return run.run();
}

}  // namespace rosterd::lifecycle
