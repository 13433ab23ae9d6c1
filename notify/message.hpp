#pragma once
// Composing an email as RFC 5322 text with MIME bodies (RFC 2045-2047): what goes after SMTP
// DATA. Pure and deterministic: the same row composes to the same bytes on every attempt (the
// Date is when the message was queued, the MIME boundary comes from the Message-ID), so a retry
// is the same message, not a similar one.
//
// Dot-stuffing and the final "." are libcurl's job (it escapes a line starting with "." while
// uploading); bodies are quoted-printable, which also encodes a leading dot, so a body can never
// end the DATA phase early either way.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "base/failure.hpp"

namespace rosterd::notify {

struct email_content {
  std::string from_address;
  std::string from_name;  // may be empty
  std::string to_address;
  std::string subject;
  std::string text_body;
  std::optional<std::string> html_body;  // present: multipart/alternative with both parts
  std::string message_id;                // "<local@domain>", stored with the outbox row
  std::chrono::system_clock::time_point date;
};

/// The message with CRLF line endings throughout, headers Date, From, To, Subject, Message-ID,
/// MIME-Version, Auto-Submitted (RFC 3834: auto-responders stay quiet), Content-Type and
/// Content-Transfer-Encoding. Fails with invalid_address or invalid_header for a value that
/// would break a header or the envelope.
[[nodiscard]] base::result<std::string> compose_message(const email_content& content);

// The encoders, exposed for their tests.

/// `text` as one header value: printable ASCII stays as it is (folded at spaces past 78
/// columns); anything else becomes RFC 2047 UTF-8 "B" encoded-words of at most 75 characters,
/// never splitting a UTF-8 sequence, joined by folding whitespace. `header_length` is the length
/// of "Name: " already on the first line.
std::string encode_header_value(std::string_view text, std::size_t header_length);

/// `text` as quoted-printable (RFC 2045 6.7) with CRLF line breaks (any of CRLF, LF or CR in
/// the input is a line break), lines of at most 76 characters, and a leading "." or "From "
/// encoded so no relay on the way can mistake or mangle it. Ends with CRLF.
std::string quoted_printable(std::string_view text);

/// RFC 5322 date-time in UTC, e.g. "Tue, 25 Nov 2025 19:20:00 +0000" (locale-independent).
std::string rfc5322_date(std::chrono::system_clock::time_point t);

}  // namespace rosterd::notify
