#include "setup/wiring.hpp"

#include <chrono>

#include "roster/invitations.hpp"

namespace rosterd::setup {
namespace {

std::chrono::seconds seconds_of(std::chrono::milliseconds d) {
  return std::chrono::duration_cast<std::chrono::seconds>(d);
}

notify::smtp_tls smtp_tls_of(mail_tls t) {
  switch (t) {
    case mail_tls::starttls:
      return notify::smtp_tls::starttls;
    case mail_tls::implicit:
      return notify::smtp_tls::implicit;
    case mail_tls::none:
      return notify::smtp_tls::none;
  }
  return notify::smtp_tls::starttls;
}

}  // namespace

roster::roster_settings roster_settings_from(const config& c) {
  roster::roster_settings s;
  s.public_url = c.server.public_url;
  while (!s.public_url.empty() && s.public_url.back() == '/') {
    s.public_url.pop_back();
  }
  s.invitation_ttl = seconds_of(c.roster.invitation_ttl);
  s.password_reset_ttl = seconds_of(c.roster.password_reset_ttl);
  s.allow_creator_as_team_member = c.roster.allow_creator_as_team_member;
  return s;
}

roster::onboarding_options onboarding_options_from(const config& c) {
  roster::onboarding_options s;
  s.allow_creator_as_team_member = c.roster.allow_creator_as_team_member;
  return s;
}

roster::session_settings session_settings_from(const config& c) {
  roster::session_settings s;
  s.idle_timeout = seconds_of(c.sessions.idle_timeout);
  s.absolute_timeout = seconds_of(c.sessions.absolute_timeout);
  return s;
}

roster::password_cost password_cost_from(const config& c) {
  return {c.passwords.memory_kib, c.passwords.iterations, c.passwords.parallelism};
}

notify::relay_settings relay_settings_from(const config& c) {
  notify::relay_settings s;
  s.retry.initial_backoff = seconds_of(c.mail.retry_initial);
  s.retry.max_backoff = seconds_of(c.mail.retry_max);
  s.retry.give_up_after = seconds_of(c.mail.give_up_after);
  // The lease outlasts the longest send, so a slow send is never claimed twice.
  s.lease = seconds_of(c.mail.total_timeout + c.mail.connect_timeout) + std::chrono::minutes(1);
  // One row per claim: a crash during a send then holds back only that row for the lease (it
  // may have been delivered), never a batch of rows that were not tried yet.
  s.batch_size = 1;
  // Mail queued by another process (rosterctl import) is found within seconds; the query is an
  // index lookup.
  s.poll_interval = std::chrono::seconds(5);
  return s;
}

base::result<std::unique_ptr<notify::smtp_sender>> make_smtp_sender(
    const config& c, std::shared_ptr<spdlog::logger> log) {
  notify::smtp_settings s;
  s.url = c.mail.smtp_url;
  s.tls = smtp_tls_of(c.mail.tls);
  if (!c.mail.username.empty()) {
    s.username = c.mail.username;
    auto password = read_secret(c.mail.password_file);
    if (!password) {
      return password.error();
    }
    s.password = std::move(*password);
  }
  s.from_address = c.mail.from_address;
  s.from_name = c.mail.from_name;
  s.ca_file = c.mail.ca_file;
  s.connect_timeout = c.mail.connect_timeout;
  s.total_timeout = c.mail.total_timeout;
  return notify::smtp_sender::create(std::move(s), std::move(log));
}

lifecycle::webhook_dispatcher_settings webhook_settings_from(const config& c) {
  lifecycle::webhook_dispatcher_settings s;
  s.concurrency = static_cast<int>(c.webhooks.concurrency);
  s.sender.total_timeout = c.webhooks.timeout;
  s.sender.connect_timeout = std::min(c.webhooks.timeout, s.sender.connect_timeout);
  s.sender.ca_file = c.webhooks.ca_file;
  s.sender.allow_private_targets = c.webhooks.allow_private_targets;
  s.retry.give_up_after =
      std::chrono::duration_cast<std::chrono::seconds>(c.webhooks.give_up_after);
  // A claim outlives the longest attempt, so a slow one is never sent twice at once.
  s.lease =
      std::max(s.lease, std::chrono::duration_cast<std::chrono::seconds>(c.webhooks.timeout * 4));
  return s;
}

lifecycle::webhook_target_rules webhook_rules_from(const config& c) {
  return {.allow_private_targets = c.webhooks.allow_private_targets};
}

notify::relay_hooks invitation_hooks(std::shared_ptr<spdlog::logger> log) {
  notify::relay_hooks hooks;
  hooks.on_failed = [log](store::database& db,
                          const notify::outbox_row& row) -> base::result<void> {
    if (!row.ref_kind || *row.ref_kind != "invitation" || !row.ref_id) {
      return {};
    }
    if (log) {
      log->warn("invitation_bounced invitation={}", *row.ref_id);
    }
    return roster::mark_invitation_bounced(db, *row.ref_id);
  };
  return hooks;
}

}  // namespace rosterd::setup
