#include "setup/outbox_mailer.hpp"

#include "notify/outbox.hpp"
#include "roster/notification_preferences.hpp"
#include "store/timestamp.hpp"

namespace rosterd::setup {
namespace {

std::string host_of(const std::string& url) {
  auto start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  auto end = url.find_first_of(":/", start);
  auto host = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  return host.empty() ? "rosterd.invalid" : host;
}

const std::string* find(const roster::mail_intent& intent, std::string_view name) {
  for (const auto& [k, v] : intent.values) {
    if (k == name) {
      return &v;
    }
  }
  return nullptr;
}

notify::value::list to_list(const std::vector<roster::mail_record>& records) {
  notify::value::list out;
  for (const auto& r : records) {
    notify::values item;
    for (const auto& [k, v] : r.values) {
      item.set(k, v);
    }
    for (const auto& [k, flag] : r.flags) {
      item.set(k, flag);
    }
    for (const auto& [k, items] : r.lists) {
      item.set(k, to_list(items));
    }
    out.push_back(std::move(item));
  }
  return out;
}

}  // namespace

std::string readable_date(const std::string& iso) {
  const auto at = store::parse_iso8601_utc(iso);
  return at ? roster::date_in_words(*at, "UTC") : iso;
}

notify::values template_values(const roster::mail_intent& intent) {
  notify::values v;
  for (const auto& [k, value] : intent.values) {
    v.set(k, value);
  }
  notify::value::list creators;
  for (const auto& name : intent.creator_names) {
    creators.push_back(notify::values{{"name", name}});
  }
  v.set("creators", std::move(creators));
  for (const auto& [name, records] : intent.lists) {
    v.set(name, to_list(records));
  }
  const auto* role = find(intent, "role");
  v.set("is_creator", role != nullptr && *role == "creator");
  const auto* has_password = find(intent, "has_password");
  v.set("has_password", has_password != nullptr && *has_password == "yes");
  const auto* recipient = find(intent, "recipient_name");
  std::string creator_name = recipient != nullptr ? *recipient : "";
  if (creator_name.empty() && !intent.creator_names.empty() && role != nullptr &&
      *role == "creator") {
    creator_name = intent.creator_names.front();
  }
  if (find(intent, "creator_name") == nullptr) {
    v.set("creator_name", creator_name);
  }
  if (recipient == nullptr) {
    v.set("recipient_name", creator_name);
  }
  if (const auto* expires = find(intent, "expires_at")) {
    v.set("expires_on", readable_date(*expires));
  }
  if (const auto* minutes = find(intent, "expires_in_minutes")) {
    const int m = std::stoi(*minutes);
    v.set("expires_in", m % 60 == 0 ? std::to_string(m / 60) + (m == 60 ? " hour" : " hours")
                                    : std::to_string(m) + " minutes");
  }
  return v;
}

outbox_mailer::outbox_mailer(const notify::template_set& templates, const std::string& public_url)
    : templates_(templates), message_id_domain_(host_of(public_url)) {}

base::result<notify::rendered_email> outbox_mailer::render(
    const roster::mail_intent& intent) const {
  return templates_.render(intent.template_name, template_values(intent));
}

base::result<void> outbox_mailer::enqueue(store::database& db, const roster::mail_intent& intent) {
  auto rendered = render(intent);
  if (!rendered) {
    return rendered.error();
  }
  notify::email_message m;
  m.idempotency_key = intent.idempotency_key;
  if (!intent.account_id.empty()) {
    m.account_id = intent.account_id;
  }
  m.recipient = intent.recipient;
  m.template_name = intent.template_name;
  m.subject = std::move(rendered->subject);
  m.text_body = std::move(rendered->text_body);
  m.html_body = std::move(rendered->html_body);
  if (!intent.ref_kind.empty()) {
    m.ref_kind = intent.ref_kind;
    m.ref_id = intent.ref_id;
  }
  auto queued = notify::enqueue_email(db, m, std::chrono::system_clock::now(), message_id_domain_);
  if (!queued) {
    return queued.error();
  }
  return {};
}

base::result<void> outbox_mailer::cancel(store::database& db, std::string_view ref_kind,
                                         std::string_view ref_id) {
  auto n = notify::cancel_pending_emails(db, ref_kind, ref_id, std::chrono::system_clock::now());
  if (!n) {
    return n.error();
  }
  return {};
}

}  // namespace rosterd::setup
