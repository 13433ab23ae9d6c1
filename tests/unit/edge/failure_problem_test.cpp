// What a failure looks like to a client: every error code of every library has a problem type
// and status, and the operator's detail never reaches the body, while a message written for the
// caller does. And what it looks like to the operator: one log line with the request id.

#include "edge/api/failure_problem.hpp"

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>

#include "edge/api/json_io.hpp"
#include "lifecycle/error.hpp"
#include "notify/error.hpp"
#include "oauth/error.hpp"
#include "roster/error.hpp"
#include "store/error.hpp"
#include "tests/support/errc_walk.hpp"
#include "vault/error.hpp"

using namespace rosterd;
using edge::api::problem_for;
using nlohmann::json;

namespace {

// What an operator detail may hold: a file, SQL, an id, an upstream answer.
constexpr const char* planted =
    "PLANTED /var/lib/rosterd/state/rosterd.db: SELECT token FROM users WHERE id = 'usr_9'";

/// Every error code of every library whose failures can reach a route.
std::vector<std::error_code> every_code() {
  std::vector<std::error_code> out;
  auto add = [&out](auto name) {
    for (const auto e : testing::every_errc(name)) {
      out.push_back(make_error_code(e));
    }
  };
  add(roster::errc_name);
  add(lifecycle::errc_name);
  add(oauth::errc_name);
  add(vault::errc_name);
  add(store::errc_name);
  add(notify::errc_name);
  return out;
}

json body_of(const http::problem& p) {
  return json::parse(http::make_problem_response(p, 11, "0123456789abcdef").body());
}

}  // namespace

TEST_CASE("every error code answers with a problem type and an error status, never its detail",
          "[edge][problem]") {
  const auto codes = every_code();
  CHECK(codes.size() > 60);
  for (const auto& code : codes) {
    INFO(edge::api::code_name(code));
    CHECK_FALSE(edge::api::code_name(code).ends_with(".unknown"));
    const auto p = problem_for(base::failure{code, planted});
    const auto text = http::make_problem_response(p, 11, "0123456789abcdef").body();
    INFO(text);
    const auto body = json::parse(text);
    const std::string type = body["type"];
    CHECK((type == "about:blank" || (type.starts_with("/problems/") && type.size() > 10)));
    CHECK(body["status"].get<int>() >= 400);
    CHECK(body["status"].get<int>() <= 599);
    CHECK_FALSE(body.value("detail", std::string()).empty());
    CHECK(text.find("PLANTED") == std::string::npos);
    CHECK(text.find("SELECT") == std::string::npos);
    CHECK(text.find("rosterd.db") == std::string::npos);
  }
}

TEST_CASE("a client message replaces the fixed wording, and the operator detail stays out",
          "[edge][problem]") {
  for (const auto& code : every_code()) {
    INFO(edge::api::code_name(code));
    const auto told = problem_for(base::failure{code, planted, "the client's own message"});
    const auto fixed = problem_for(base::failure{code, planted});
    const auto text = http::make_problem_response(told, 11, "x").body();
    CHECK(text.find("PLANTED") == std::string::npos);
    CHECK(told.code == fixed.code);
    CHECK(told.slug == fixed.slug);
    // Either the caller reads their message, or (answers that must not tell causes apart, and
    // failures that are never the caller's) the same words as without one.
    CHECK((told.detail == "the client's own message" || told.detail == fixed.detail));
  }
}

TEST_CASE("a validation failure tells the caller what to fix and names the field",
          "[edge][problem]") {
  const auto p = problem_for(
      base::reject(roster::errc::invalid_argument, "limit: must be a whole number from 1 to 200"));
  CHECK(p.code == http::status::unprocessable_entity);
  CHECK(p.slug == "invalid-input");
  CHECK(p.detail == "limit: must be a whole number from 1 to 200");
  REQUIRE(p.errors.size() == 1);
  CHECK(p.errors[0].field == "limit");
  CHECK(p.errors[0].message == "must be a whole number from 1 to 200");

  const auto weak = problem_for(base::reject(roster::errc::weak_password, "use 12 characters"));
  CHECK(weak.slug == "weak-password");
  REQUIRE(weak.errors.size() == 1);
  CHECK(weak.errors[0].field == "password");
  CHECK(weak.errors[0].message == "use 12 characters");
}

TEST_CASE("a message that does not start with one word and a colon names no field",
          "[edge][problem]") {
  const auto p =
      problem_for(base::reject(roster::errc::conflict, "owner email: already used by someone"));
  CHECK(p.detail == "owner email: already used by someone");
  CHECK(p.errors.empty());
}

TEST_CASE("an operator-only failure about input still names no field and shows fixed words",
          "[edge][problem]") {
  const auto p = problem_for(base::fail(roster::errc::invalid_argument, "memory_kib: 12 < 19456"));
  CHECK(p.code == http::status::unprocessable_entity);
  CHECK(p.detail == "A value in the request is not valid.");
  CHECK(p.errors.empty());
}

TEST_CASE("not found and wrong credentials read the same whatever the failure says",
          "[edge][problem]") {
  const auto hidden = problem_for(
      base::reject(roster::errc::not_found, "no account acc_1 for you", "no account acc_1"));
  CHECK(hidden.code == http::status::not_found);
  CHECK(hidden.detail == "Nothing here, or nothing you may see.");
  const auto wrong = problem_for(base::reject(roster::errc::invalid_credentials, "no such user"));
  CHECK(wrong.code == http::status::unauthorized);
  CHECK(wrong.detail == "Wrong email or password.");
}

TEST_CASE("a rejected CSV file names the file and the code in errors", "[edge][problem]") {
  const auto p = problem_for(base::reject(roster::errc::unterminated_quote,
                                          "line 3, column 9: a quoted cell is never closed"));
  CHECK(p.code == http::status::unprocessable_entity);
  CHECK(p.slug == "invalid-csv");
  CHECK(p.detail == "line 3, column 9: a quoted cell is never closed");
  REQUIRE(p.errors.size() == 1);
  CHECK(p.errors[0].field == "file");
  CHECK(p.errors[0].message ==
        "unterminated_quote: line 3, column 9: a quoted cell is never closed");
}

TEST_CASE("a store failure is a 500 about:blank or its own retry and conflict types",
          "[edge][problem]") {
  const auto broken = body_of(problem_for(base::fail(store::errc::sqlite_error, planted)));
  CHECK(broken["type"] == "about:blank");
  CHECK(broken["status"] == 500);
  CHECK(body_of(problem_for(base::fail(store::errc::busy, planted)))["type"] == "/problems/busy");
  CHECK(body_of(problem_for(base::fail(store::errc::constraint, planted)))["status"] == 409);
}

TEST_CASE("a code no library here defines is a plain 500 with a logged name", "[edge][problem]") {
  const auto code = std::make_error_code(std::errc::no_such_file_or_directory);
  const auto p = problem_for(base::failure{code, planted, "not for clients either"});
  CHECK(p.code == http::status::internal_server_error);
  CHECK(p.slug.empty());
  CHECK(p.detail.find("not for clients") == std::string::npos);
  CHECK(edge::api::code_name(code) == "generic." + std::to_string(code.value()));
  CHECK(edge::api::code_name(make_error_code(roster::errc::not_found)) == "roster.not_found");
}

TEST_CASE("a failure's operator detail is logged once, with the request id and the code",
          "[edge][problem][log]") {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  sink->set_pattern("%l %v");
  spdlog::logger log("test", sink);
  log.set_level(spdlog::level::info);
  const http::request req{http::verb::get, "/v1/x", 11};
  http::request_context ctx{req, "/v1/x", "", {}, "/v1/x", "0123456789abcdef", {}, false};

  const auto store_failure = base::fail(store::errc::sqlite_error, "SELECT 1: no such table: x");
  edge::api::log_failure(log, ctx, store_failure, problem_for(store_failure));
  const auto line = out.str();
  CHECK(line.starts_with("error request_failed request_id=0123456789abcdef status=500"));
  CHECK(line.find("code=store.sqlite_error") != std::string::npos);
  CHECK(line.find("no such table: x") != std::string::npos);
  CHECK(std::count(line.begin(), line.end(), '\n') == 1);

  out.str("");
  const auto refused = base::reject(roster::errc::forbidden, "only owners", "owner check");
  edge::api::log_failure(log, ctx, refused, problem_for(refused));
  CHECK(out.str().starts_with("info request_failed request_id=0123456789abcdef status=403"));
  CHECK(out.str().find("type=forbidden") != std::string::npos);
  CHECK(out.str().find("\"owner check\"") != std::string::npos);
}
