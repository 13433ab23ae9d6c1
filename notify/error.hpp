#pragma once
// The notify library's error vocabulary: why a message could not be queued, rendered or sent.
// A delivery that the mail server refuses is not an error here but a send outcome (sender.hpp),
// because the relay must tell "try again" from "never again" without reading text.

#include <string_view>
#include <system_error>

namespace rosterd::notify {

enum class errc {
  invalid_address = 1,  // a recipient or sender address that cannot go into an SMTP envelope
  invalid_header,       // a header value (subject, display name) with a line break or control
  invalid_message,      // a message without a body, or with an empty idempotency key
  template_not_found,   // no template of that name was loaded
  template_invalid,     // a template file failed to parse, or a template lacks a part
  missing_value,        // a template uses a name the caller did not provide
  invalid_settings,     // the SMTP settings contradict each other (URL scheme vs TLS mode...)
  not_found,            // the outbox row asked for does not exist
  // Values run from 1 without gaps: tests walk them until errc_name() answers "unknown".
};

/// The category named "notify". Its messages are short and for operators (logs, rosterctl);
/// what a client reads is chosen by the HTTP edge for each code.
const std::error_category& notify_category() noexcept;

/// Lets errc convert to std::error_code (found by ADL), in notify_category().
std::error_code make_error_code(errc e) noexcept;

/// The enumerator's name ("missing_value"): a stable identifier for logs and tests. Returns
/// "unknown" for a value outside the enum.
std::string_view errc_name(errc e) noexcept;

}  // namespace rosterd::notify

template <>
struct std::is_error_code_enum<rosterd::notify::errc> : std::true_type {};
