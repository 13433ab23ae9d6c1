#pragma once
// What the roster asks to be sent. The roster decides *that* a message goes out, inside the
// transaction that makes the change; the daemon's mailer renders the template and writes the
// outbox row on the same connection (notify/), so the roster does not depend on notify.

#include <string>
#include <utility>
#include <vector>

#include "base/failure.hpp"
#include "store/database.hpp"

namespace rosterd::roster {

/// One item of a template list: its values and its own lists (a digest's creators, each with
/// its platforms).
struct mail_record {
  std::vector<std::pair<std::string, std::string>> values;
  std::vector<std::pair<std::string, bool>> flags;  ///< yes/no, for {{#flag}} sections
  std::vector<std::pair<std::string, std::vector<mail_record>>> lists;
};

struct mail_intent {
  std::string template_name;    // creator_invitation, team_invitation, roster_added_notice...
  std::string idempotency_key;  // the same decision twice must not send twice
  std::string account_id;       // empty when the message belongs to no account
  std::string recipient;
  std::vector<std::pair<std::string, std::string>> values;  // template variables
  std::vector<std::string> creator_names;                   // the {{#creators}} list
  /// Named lists of records for {{#name}}...{{/name}}; one named "creators" replaces the list
  /// made from creator_names.
  std::vector<std::pair<std::string, std::vector<mail_record>>> lists;
  std::string ref_kind;  // what a bounce marks ("invitation"), may be empty
  std::string ref_id;
};

class mailer {
 public:
  virtual ~mailer() = default;
  /// Queues the message on `db`, inside the caller's open transaction. A failure aborts the
  /// caller's change (nothing is half-done).
  virtual base::result<void> enqueue(store::database& db, const mail_intent& intent) = 0;
  /// Withdraws messages about (ref_kind, ref_id) not yet delivered, e.g. an invitation email
  /// whose link a resend or revoke just killed. Inside the caller's transaction.
  virtual base::result<void> cancel(store::database& db, std::string_view ref_kind,
                                    std::string_view ref_id) = 0;
};

}  // namespace rosterd::roster
