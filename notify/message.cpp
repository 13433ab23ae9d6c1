#include "notify/message.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <ctime>

#include "notify/address.hpp"
#include "notify/error.hpp"

namespace rosterd::notify {
namespace {

constexpr std::string_view crlf = "\r\n";
constexpr std::size_t max_qp_line = 76;             // RFC 2045 6.7 (5)
constexpr std::size_t max_header_line = 78;         // RFC 5322 2.1.1 SHOULD
constexpr std::size_t max_encoded_word_bytes = 45;  // 60 base64 characters + 12 = 72 <= 75

constexpr char hex_digits[] = "0123456789ABCDEF";

bool printable_ascii(std::string_view text) {
  for (const char c : text) {
    if (c < 0x20 || c > 0x7e) {
      return false;
    }
  }
  // "=?" would read as the start of an encoded word to a decoder.
  return text.find("=?") == std::string_view::npos;
}

std::string base64(std::string_view bytes) {
  static constexpr char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const auto n = (static_cast<unsigned char>(bytes[i]) << 16) |
                   (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                   static_cast<unsigned char>(bytes[i + 2]);
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += alphabet[(n >> 6) & 63];
    out += alphabet[n & 63];
  }
  if (i < bytes.size()) {
    const bool two = i + 1 < bytes.size();
    const auto n = (static_cast<unsigned char>(bytes[i]) << 16) |
                   (two ? static_cast<unsigned char>(bytes[i + 1]) << 8 : 0);
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += two ? alphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// Length of the UTF-8 sequence starting with `lead` (1 for a stray byte, so we always advance).
std::size_t sequence_length(unsigned char lead) {
  if (lead >= 0xF0) {
    return 4;
  }
  if (lead >= 0xE0) {
    return 3;
  }
  if (lead >= 0xC0) {
    return 2;
  }
  return 1;
}

// RFC 2047 2: an encoded word is at most 75 characters, and a line holding one at most 76.
// `first_line_used` counts what precedes the first word on its line ("Subject: ").
std::string encoded_words(std::string_view text, std::size_t first_line_used) {
  constexpr std::size_t max_line = 76;
  constexpr std::size_t overhead = 12;  // "=?UTF-8?B?" and "?="
  std::string out;
  std::size_t used = first_line_used;
  std::size_t start = 0;
  while (start < text.size()) {
    // Whole base64 quanta: 4 characters carry 3 bytes.
    const auto room = max_line > used + overhead ? (max_line - used - overhead) / 4 * 3 : 0;
    const auto budget = std::clamp<std::size_t>(room, 6, max_encoded_word_bytes);
    std::size_t end = start;
    while (end < text.size()) {
      const auto next =
          std::min(text.size(), end + sequence_length(static_cast<unsigned char>(text[end])));
      if (next - start > budget && end > start) {
        break;
      }
      end = next;
    }
    if (!out.empty()) {
      out += "\r\n ";
    }
    out += "=?UTF-8?B?" + base64(text.substr(start, end - start)) + "?=";
    used = 1;  // continuation lines start with the folding space
    start = end;
  }
  return out;
}

// Folds printable ASCII at spaces so lines stay under 78 columns where a space allows.
std::string fold_ascii(std::string_view text, std::size_t header_length) {
  std::string out;
  std::size_t column = header_length;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto space = text.find(' ', start + 1);
    if (space == std::string_view::npos) {
      space = text.size();
    }
    const auto word = text.substr(start, space - start);  // includes its leading space
    if (column + word.size() > max_header_line && !out.empty() && word.front() == ' ') {
      out += crlf;
      column = 0;
    }
    out += word;
    column += word.size();
    start = space;
    if (space == text.size()) {
      break;
    }
  }
  return out;
}

std::string display_name(std::string_view name, std::size_t header_length) {
  if (!printable_ascii(name)) {
    // The address goes on a line of its own, so it never pushes a word past the limit.
    return encoded_words(name, header_length) + "\r\n";
  }
  std::string quoted = "\"";
  for (const char c : name) {
    if (c == '"' || c == '\\') {
      quoted += '\\';
    }
    quoted += c;
  }
  return quoted + "\"";
}

// The boundary must not occur in the parts: quoted-printable turns every "=" into "=3D", so a
// boundary starting with "=_" cannot. Derived from the Message-ID so composing is repeatable.
std::string boundary_for(std::string_view message_id) {
  std::string boundary = "=_alt_";
  for (const char c : message_id) {
    if (std::isalnum(static_cast<unsigned char>(c)) != 0 && boundary.size() < 60) {
      boundary += c;
    }
  }
  return boundary;
}

void append_header(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  out += ": ";
  out += value;
  out += crlf;
}

void append_part_headers(std::string& out, std::string_view type) {
  append_header(out, "Content-Type", std::string(type) + "; charset=utf-8");
  append_header(out, "Content-Transfer-Encoding", "quoted-printable");
}

base::result<void> check_content(const email_content& c) {
  if (auto ok = check_address(c.from_address, "sender address"); !ok) {
    return ok;
  }
  if (auto ok = check_address(c.to_address, "recipient"); !ok) {
    return ok;
  }
  if (auto ok = check_header_text(c.from_name, "sender name"); !ok) {
    return ok;
  }
  if (auto ok = check_header_text(c.subject, "subject"); !ok) {
    return ok;
  }
  const auto& id = c.message_id;
  if (id.size() < 5 || id.front() != '<' || id.back() != '>' ||
      !check_address(std::string_view(id).substr(1, id.size() - 2), "Message-ID")) {
    return base::fail(errc::invalid_header, "Message-ID is not of the form <local@domain>");
  }
  return {};
}

}  // namespace

std::string encode_header_value(std::string_view text, std::size_t header_length) {
  if (printable_ascii(text)) {
    return fold_ascii(text, header_length);
  }
  return encoded_words(text, header_length);
}

std::string quoted_printable(std::string_view text) {
  std::string out;
  std::size_t column = 0;
  std::size_t i = 0;
  while (i <= text.size()) {
    // One input line at a time; CRLF, LF and lone CR all end a line.
    auto end = text.find_first_of("\r\n", i);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    const auto line = text.substr(i, end - i);
    for (std::size_t k = 0; k < line.size(); ++k) {
      const auto c = static_cast<unsigned char>(line[k]);
      bool encode = c == '=' || c > 126 || (c < 32 && c != '\t') ||
                    ((c == ' ' || c == '\t') && k + 1 == line.size());
      if (column + (encode ? 3 : 1) > max_qp_line - 1) {  // room for the soft break's "="
        out += "=\r\n";
        column = 0;
      }
      // Decided after any soft break: what starts an output line is what matters.
      encode = encode || (column == 0 && (c == '.' || line.substr(k, 5) == "From "));
      if (encode) {
        out += '=';
        out += hex_digits[c >> 4];
        out += hex_digits[c & 15];
        column += 3;
      } else {
        out += static_cast<char>(c);
        column += 1;
      }
    }
    if (end == text.size()) {
      break;
    }
    out += crlf;
    column = 0;
    i = end + (text.compare(end, 2, "\r\n") == 0 ? 2 : 1);
    if (i == text.size()) {
      break;  // the text ended with a line break: no empty line after it
    }
  }
  if (!out.ends_with(crlf)) {
    out += crlf;
  }
  return out;
}

std::string rfc5322_date(std::chrono::system_clock::time_point t) {
  static constexpr std::array<const char*, 7> days{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[40];
  std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d +0000",
                days[static_cast<std::size_t>(utc.tm_wday)], utc.tm_mday,
                months[static_cast<std::size_t>(utc.tm_mon)], utc.tm_year + 1900, utc.tm_hour,
                utc.tm_min, utc.tm_sec);
  return text;
}

base::result<std::string> compose_message(const email_content& c) {
  if (auto ok = check_content(c); !ok) {
    return ok.error();
  }
  std::string out;
  append_header(out, "Date", rfc5322_date(c.date));
  const std::string from_name =
      c.from_name.empty() ? std::string()
                          : display_name(c.from_name, std::string_view("From: ").size()) + " ";
  append_header(out, "From", from_name + "<" + c.from_address + ">");
  append_header(out, "To", "<" + c.to_address + ">");
  append_header(out, "Subject",
                encode_header_value(c.subject, std::string_view("Subject: ").size()));
  append_header(out, "Message-ID", c.message_id);
  append_header(out, "MIME-Version", "1.0");
  append_header(out, "Auto-Submitted", "auto-generated");
  if (!c.html_body) {
    append_part_headers(out, "text/plain");
    out += crlf;
    out += quoted_printable(c.text_body);
    return out;
  }
  const auto boundary = boundary_for(c.message_id);
  append_header(out, "Content-Type", "multipart/alternative;\r\n boundary=\"" + boundary + "\"");
  out += crlf;
  // Plain text first: in multipart/alternative the last part is the preferred one.
  out += "--" + boundary + "\r\n";
  append_part_headers(out, "text/plain");
  out += crlf;
  out += quoted_printable(c.text_body);
  out += "--" + boundary + "\r\n";
  append_part_headers(out, "text/html");
  out += crlf;
  out += quoted_printable(*c.html_body);
  out += "--" + boundary + "--\r\n";
  return out;
}

}  // namespace rosterd::notify
