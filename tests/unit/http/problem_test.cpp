#include "http/problem.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "http/errc.hpp"

using namespace rosterd::http;

TEST_CASE("a problem renders as RFC 9457 JSON with the request id", "[http]") {
  problem p = make_problem(status::bad_request, "invalid-field", "Fix the email.");
  p.errors.push_back({"email", "must contain @"});
  const auto res = make_problem_response(p, 11, "abc123");
  CHECK(res.result() == status::bad_request);
  CHECK(res[boost::beast::http::field::content_type] == "application/problem+json");
  const auto body = nlohmann::json::parse(res.body());
  CHECK(body["type"] == "/problems/invalid-field");
  CHECK(body["title"] == "Bad Request");
  CHECK(body["status"] == 400);
  CHECK(body["detail"] == "Fix the email.");
  CHECK(body["request_id"] == "abc123");
  CHECK(body["errors"][0]["field"] == "email");
}

TEST_CASE("a problem without a slug is about:blank", "[http]") {
  const auto res = make_problem_response(make_problem(status::not_found, {}, {}), 11, "x");
  const auto body = nlohmann::json::parse(res.body());
  CHECK(body["type"] == "about:blank");
  CHECK_FALSE(body.contains("detail"));
}

TEST_CASE("every http error code has a message in the http category", "[http]") {
  using rosterd::http::errc;
  for (auto e : {errc::bind_failed, errc::adopt_failed, errc::bad_certificate, errc::bad_key}) {
    const std::error_code code = e;
    CHECK(std::string(code.category().name()) == "http");
    CHECK(code.message() != "unknown http error");
    CHECK_FALSE(code.message().empty());
  }
}
