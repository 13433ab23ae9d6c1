#include <curl/curl.h>

#include <catch2/catch.hpp>

#include "notify/error.hpp"
#include "notify/smtp.hpp"
#include "tests/support/catch_result.hpp"

using namespace rosterd::notify;

namespace {

smtp_settings valid() {
  smtp_settings s;
  s.url = "smtp://mail.example.org:587";
  s.tls = smtp_tls::starttls;
  s.username = "rosterd";
  s.password = rosterd::base::secret("hunter2");
  s.from_address = "noreply@example.org";
  s.from_name = "Northlight";
  return s;
}

std::string refusal(const smtp_settings& s) {
  const auto checked = check_smtp_settings(s);
  REQUIRE_FALSE(checked);
  return checked.error().detail;
}

}  // namespace

TEST_CASE("sensible SMTP settings pass the check", "[notify][smtp]") {
  CHECK(check_smtp_settings(valid()));
  auto s = valid();
  s.url = "smtps://mail.example.org:465";
  s.tls = smtp_tls::implicit;
  CHECK(check_smtp_settings(s));
  s = valid();
  s.url = "smtp://127.0.0.1:25/rosterd.example.org";
  s.tls = smtp_tls::none;
  s.username.reset();
  CHECK(check_smtp_settings(s));
}

TEST_CASE("SMTP settings that contradict themselves or leak a password are refused",
          "[notify][smtp]") {
  auto s = valid();
  s.url = "http://mail.example.org";
  CHECK(refusal(s).find("smtp:// or smtps://") != std::string::npos);
  s = valid();
  s.url = "smtp://rosterd:hunter2@mail.example.org:587";
  CHECK(refusal(s).find("must not carry a user or password") != std::string::npos);
  s = valid();
  s.tls = smtp_tls::implicit;
  CHECK(refusal(s).find("implicit TLS needs an smtps:// url") != std::string::npos);
  s = valid();
  s.url = "smtps://mail.example.org";
  CHECK(refusal(s).find("needs implicit TLS") != std::string::npos);
  s = valid();
  s.tls = smtp_tls::none;
  CHECK(refusal(s).find("credentials need TLS") != std::string::npos);
  s = valid();
  s.password = rosterd::base::secret();
  CHECK(refusal(s).find("must both be set") != std::string::npos);
  s = valid();
  s.from_address = "no reply@example.org";
  CHECK(check_smtp_settings(s).error().code == errc::invalid_address);
  s = valid();
  s.total_timeout = std::chrono::seconds(1);
  s.connect_timeout = std::chrono::seconds(5);
  CHECK(refusal(s).find("timeouts") != std::string::npos);
  s = valid();
  s.ca_file = "/nonexistent/ca.pem";
  CHECK(refusal(s).find("/nonexistent/ca.pem cannot be read") != std::string::npos);
}

TEST_CASE("a 4xx reply defers, a 5xx reply rejects, and no reply at all is unavailability",
          "[notify][smtp]") {
  CHECK(classify_smtp_result(CURLE_OK, 250) == send_outcome::delivered);
  // RCPT or MAIL refused: libcurl reports a send error with the server's code.
  CHECK(classify_smtp_result(CURLE_SEND_ERROR, 451) == send_outcome::deferred);
  CHECK(classify_smtp_result(CURLE_SEND_ERROR, 550) == send_outcome::rejected);
  // The end of DATA refused.
  CHECK(classify_smtp_result(CURLE_WEIRD_SERVER_REPLY, 452) == send_outcome::deferred);
  CHECK(classify_smtp_result(CURLE_WEIRD_SERVER_REPLY, 554) == send_outcome::rejected);
  // The server closing shop, or never judging the message.
  CHECK(classify_smtp_result(CURLE_WEIRD_SERVER_REPLY, 421) == send_outcome::unavailable);
  CHECK(classify_smtp_result(CURLE_COULDNT_CONNECT, 0) == send_outcome::unavailable);
  CHECK(classify_smtp_result(CURLE_OPERATION_TIMEDOUT, 354) == send_outcome::unavailable);
  CHECK(classify_smtp_result(CURLE_PEER_FAILED_VERIFICATION, 220) == send_outcome::unavailable);
  CHECK(classify_smtp_result(CURLE_USE_SSL_FAILED, 220) == send_outcome::unavailable);
  CHECK(classify_smtp_result(CURLE_RECV_ERROR, 250) == send_outcome::unavailable);
  // A refused login is about our settings, not about this message: never a 5xx rejection.
  CHECK(classify_smtp_result(CURLE_LOGIN_DENIED, 535) == send_outcome::unavailable);
}
