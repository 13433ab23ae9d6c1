#pragma once
// The roster's mailer, made of notify's parts: renders the template named by a mail_intent and
// writes the outbox row on the caller's connection, inside its transaction.

#include <string>

#include "notify/templates.hpp"
#include "roster/mail.hpp"

namespace rosterd::setup {

class outbox_mailer final : public roster::mailer {
 public:
  /// `public_url` gives the Message-ID domain; `templates` must outlive the mailer.
  outbox_mailer(const notify::template_set& templates, const std::string& public_url);

  base::result<void> enqueue(store::database& db, const roster::mail_intent& intent) override;
  base::result<void> cancel(store::database& db, std::string_view ref_kind,
                            std::string_view ref_id) override;

  /// The template rendered for display (the creator message agents copy), not queued.
  [[nodiscard]] base::result<notify::rendered_email> render(
      const roster::mail_intent& intent) const;

 private:
  const notify::template_set& templates_;
  std::string message_id_domain_;
};

/// The template values for an intent: its own values, plus the derived ones the templates use
/// (creators as a list, is_creator, has_password, creator_name, expires_on, expires_in).
notify::values template_values(const roster::mail_intent& intent);

/// "2026-12-02T10:00:00Z" -> "2 December 2026"; the text itself when it is not such a stamp.
std::string readable_date(const std::string& iso);

}  // namespace rosterd::setup
