#pragma once
// What the relay needs from a delivery channel: hand over one outbox row, and say whether it
// was delivered, should be tried again later, or must never be tried again. Sending blocks, so
// the relay calls it on a thread of its own.

#include <stop_token>
#include <string>

#include "notify/outbox.hpp"

namespace rosterd::notify {

enum class send_outcome {
  delivered,    // the server accepted the message (SMTP 250 after DATA)
  deferred,     // the server refused it for now (SMTP 4xx): try again after a backoff
  rejected,     // the server refused it for good (SMTP 5xx), or it can never be composed
  unavailable,  // no server took part: connect, TLS, login or timeout failure, or shutdown.
                // Not this message's fault, so the relay pauses instead of trying the rest.
};

struct send_result {
  send_outcome outcome = send_outcome::unavailable;
  long reply_code = 0;  // the server's last reply code, 0 if none
  std::string detail;   // for operators and last_error: never a body, never a credential
};

/// A delivery channel. send() is called from one thread at a time.
class email_sender {
 public:
  virtual ~email_sender() = default;
  /// Delivers `row` (status pending, bodies present). Once `stop` is requested the sender
  /// gives up as soon as it can and reports unavailable.
  virtual send_result send(const outbox_row& row, std::stop_token stop) = 0;
};

}  // namespace rosterd::notify
