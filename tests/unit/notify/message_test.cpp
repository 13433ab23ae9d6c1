#include "notify/message.hpp"

#include <catch2/catch.hpp>

#include "notify/error.hpp"
#include "notify_testing.hpp"

using namespace rosterd::notify;
using namespace rosterd::notify::testing;
using namespace std::chrono_literals;

namespace {

email_content sample() {
  return {.from_address = "noreply@rosterd.test",
          .from_name = "Northlight via Rosterd",
          .to_address = "ada@example.org",
          .subject = "Northlight invited you",
          .text_body = "Hi Ada,\n\nAccept: https://rosterd.test/invite/TOKEN\n",
          .html_body = std::nullopt,
          .message_id = "<out_0123456789abcdef@rosterd.test>",
          .date = std::chrono::sys_days(std::chrono::year(2025) / 11 / 25) + 19h + 20min};
}

std::string compose(const email_content& c) {
  auto message = compose_message(c);
  REQUIRE(message);
  return *message;
}

// Every line ends in CRLF (no bare CR or LF) and none is longer than `limit` characters.
void check_lines(const std::string& message, std::size_t limit) {
  std::size_t start = 0;
  while (start < message.size()) {
    const auto end = message.find("\r\n", start);
    REQUIRE(end != std::string::npos);
    const auto line = message.substr(start, end - start);
    INFO(line);
    CHECK(line.find_first_of("\r\n") == std::string::npos);
    CHECK(line.size() <= limit);
    start = end + 2;
  }
}

}  // namespace

TEST_CASE("a plain message has the RFC 5322 headers and a quoted-printable body",
          "[notify][message]") {
  const auto message = compose(sample());
  CHECK(
      message.starts_with("Date: Tue, 25 Nov 2025 19:20:00 +0000\r\n"
                          "From: \"Northlight via Rosterd\" <noreply@rosterd.test>\r\n"
                          "To: <ada@example.org>\r\n"
                          "Subject: Northlight invited you\r\n"
                          "Message-ID: <out_0123456789abcdef@rosterd.test>\r\n"
                          "MIME-Version: 1.0\r\n"
                          "Auto-Submitted: auto-generated\r\n"
                          "Content-Type: text/plain; charset=utf-8\r\n"
                          "Content-Transfer-Encoding: quoted-printable\r\n"
                          "\r\n"));
  check_lines(message, 78);
  CHECK(decoded_part(message, "text/plain") == sample().text_body);
}

TEST_CASE("composing the same row twice gives the same bytes, Message-ID and all",
          "[notify][message]") {
  auto c = sample();
  c.html_body = "<p>Hi</p>";
  CHECK(compose(c) == compose(c));
  CHECK(header_value(compose(c), "Message-ID") == c.message_id);
}

TEST_CASE("with an HTML body the message is multipart/alternative, plain text first",
          "[notify][message]") {
  auto c = sample();
  c.html_body = "<p>Hi Ada, <a href=\"https://rosterd.test/invite/TOKEN\">accept</a></p>\n";
  const auto message = compose(c);
  const auto type = header_value(message, "Content-Type");
  CHECK(type.starts_with("multipart/alternative; boundary=\"=_alt_"));
  const auto boundary = type.substr(type.find('"') + 1, type.rfind('"') - type.find('"') - 1);
  const auto plain = message.find("--" + boundary + "\r\nContent-Type: text/plain");
  const auto html = message.find("--" + boundary + "\r\nContent-Type: text/html");
  CHECK(plain != std::string::npos);
  CHECK(html != std::string::npos);
  CHECK(plain < html);
  CHECK(message.ends_with("--" + boundary + "--\r\n"));
  CHECK(decoded_part(message, "text/plain") == c.text_body);
  CHECK(decoded_part(message, "text/html") == *c.html_body);
  check_lines(message, 78);
}

TEST_CASE("a non-ASCII subject and sender name become RFC 2047 encoded words",
          "[notify][message]") {
  auto c = sample();
  c.from_name = "Agence Étoile";
  c.subject =
      "Invitation de l'agence Étoile — connectez vos profils Instagram et TikTok dès "
      "aujourd'hui, c'est rapide ✨";
  const auto message = compose(c);
  check_lines(message, 78);
  const auto subject = header_value(message, "Subject");
  CHECK(subject.starts_with("=?UTF-8?B?"));
  CHECK(decode_header(subject) == c.subject);
  CHECK(decode_header(header_value(message, "From")) == "Agence Étoile <noreply@rosterd.test>");
}

TEST_CASE("a long ASCII subject is folded at spaces", "[notify][message]") {
  auto c = sample();
  c.subject =
      "Please connect and authenticate your Instagram and TikTok profiles for the "
      "Northlight Talent Partnerships roster";
  const auto message = compose(c);
  check_lines(message, 78);
  CHECK(header_value(message, "Subject") == c.subject);
}

TEST_CASE("quoted-printable keeps lines short and encodes what relays could mangle",
          "[notify][message]") {
  const std::string text = ".hidden line\nFrom the agency\nprice = 10 \nnaïve café\r\n" +
                           std::string(200, 'x') + "\nend\ttab\t";
  const auto encoded = quoted_printable(text);
  check_lines(encoded, 76);
  CHECK(
      encoded.starts_with("=2Ehidden line\r\n=46rom the agency\r\nprice =3D 10=20\r\n"
                          "na=C3=AFve caf=C3=A9\r\n"));
  CHECK(encoded.ends_with("end\ttab=09\r\n"));
  // Decoding gives back the text with every line break as LF.
  std::string expected = text;
  expected.replace(expected.find("\r\n"), 2, "\n");
  CHECK(decode_quoted_printable(encoded) == expected + "\n");
}

TEST_CASE("a soft line break never leaves a dot at the start of a line", "[notify][message]") {
  const auto encoded = quoted_printable(std::string(75, 'a') + "." + std::string(10, 'b'));
  CHECK(encoded.find("\r\n.") == std::string::npos);
  CHECK(decode_quoted_printable(encoded) ==
        std::string(75, 'a') + "." + std::string(10, 'b') + "\n");
}

TEST_CASE("values that would forge a header or an envelope command are refused",
          "[notify][message]") {
  auto c = sample();
  c.subject = "Hi\r\nBcc: eve@example.org";
  CHECK(compose_message(c).error().code == errc::invalid_header);
  c = sample();
  c.from_name = "Rosterd\nX-Evil: 1";
  CHECK(compose_message(c).error().code == errc::invalid_header);
  c = sample();
  c.to_address = "ada@example.org>\r\nRCPT TO:<eve@example.org";
  CHECK(compose_message(c).error().code == errc::invalid_address);
  c = sample();
  c.message_id = "<x@y>\r\nBcc: eve@example.org";
  CHECK(compose_message(c).error().code == errc::invalid_header);
}

TEST_CASE("dates are RFC 5322, in UTC, whatever the locale", "[notify][message]") {
  CHECK(rfc5322_date(std::chrono::sys_days(std::chrono::year(2024) / 2 / 29) + 7h + 5min + 9s) ==
        "Thu, 29 Feb 2024 07:05:09 +0000");
}
