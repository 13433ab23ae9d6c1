// The authorization matrix (authorization_matrix.txt) against the real daemon: every route x
// every kind of caller x every kind of object, plus the canary: names planted in the other
// agency never reach anyone outside it, in any body or header.

#include <algorithm>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include <catch2/catch.hpp>
#include <spdlog/spdlog.h>

#include "api_world.hpp"
#include "daemon/api/api_context.hpp"
#include "daemon/api/routes.hpp"
#include "daemon/routes/ops_routes.hpp"
#include "http/router.hpp"
#include "store/store.hpp"

using namespace rosterd;
using namespace rosterd::testing;

namespace {

const std::vector<std::string> actor_order{"anonymous", "owner",   "admin",         "agent_on",
                                           "agent_off", "creator", "other_creator", "foreign_admin",
                                           "disabled",  "service"};

const std::map<std::string, std::string> actor_email{
    {"owner", "owner@agency.test"},       {"admin", "admin@agency.test"},
    {"agent_on", "agent.on@agency.test"}, {"agent_off", "agent.off@agency.test"},
    {"creator", "ana@creators.test"},     {"other_creator", "ben@creators.test"},
    {"foreign_admin", "boss@rival.test"}, {"disabled", "disabled@agency.test"}};

struct matrix_row {
  int line = 0;
  std::string method;
  std::string pattern;
  std::string object;
  std::vector<std::string> expected;  // per actor_order
};

std::vector<matrix_row> read_matrix() {
  std::ifstream in(source_dir() / "tests/integration/api/authorization_matrix.txt");
  REQUIRE(in);
  std::vector<matrix_row> rows;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty() || line[0] == '#') {
      continue;
    }
    std::istringstream words(line);
    matrix_row r;
    r.line = n;
    std::string bar;
    words >> r.method >> r.pattern >> r.object >> bar;
    INFO("authorization_matrix.txt:" << n);
    REQUIRE(bar == "|");
    std::string status;
    while (words >> status) {
      r.expected.push_back(status);
    }
    REQUIRE(r.expected.size() == actor_order.size());
    rows.push_back(std::move(r));
  }
  return rows;
}

/// The routes the daemon registers, from the same functions the daemon calls.
std::set<std::string> registered_routes() {
  temp_directory dir;
  store::options opts;
  opts.path = dir / "routes.db";
  auto db = store::store::open(opts, nullptr).value();
  struct no_mail final : roster::mailer {
    base::result<void> enqueue(store::database&, const roster::mail_intent&) override { return {}; }
    base::result<void> cancel(store::database&, std::string_view, std::string_view) override {
      return {};
    }
  } mail;
  daemon::api::api_context api(*db, mail, {}, spdlog::default_logger());
  base::metrics::registry metrics;
  std::atomic<bool> stopping{false};
  http::router routes;
  daemon::add_ops_routes(routes, {*db, metrics, stopping});
  daemon::api::add_api_routes(routes, api);
  std::set<std::string> out;
  for (const auto& r : routes.routes()) {
    out.insert(std::string(http::beast_http::to_string(r.method)) + " " + r.pattern);
  }
  return out;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

bool contains_canary(const http_reply& r) {
  auto lower = [](std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
  };
  const auto needle = lower(std::string(canary));
  if (lower(r.body).find(needle) != std::string::npos) {
    return true;
  }
  for (const auto& [k, v] : r.headers) {
    if (lower(v).find(needle) != std::string::npos) {
      return true;
    }
  }
  return false;
}

}  // namespace

TEST_CASE("every registered route is in the authorization matrix and nothing else is",
          "[authorization]") {
  const auto routes = registered_routes();
  std::set<std::string> in_file;
  for (const auto& r : read_matrix()) {
    in_file.insert(r.method + " " + r.pattern);
  }
  for (const auto& r : routes) {
    INFO("registered but missing from authorization_matrix.txt: " << r);
    CHECK(in_file.count(r) == 1);
  }
  for (const auto& r : in_file) {
    INFO("in authorization_matrix.txt but not registered: " << r);
    CHECK(routes.count(r) == 1);
  }
}

TEST_CASE("each caller gets exactly the answer the matrix says, and never the canary",
          "[authorization]") {
  api_world w;
  const std::string none_account = "acc_000000000000000000000000";
  const std::map<std::string, std::string> creator_names{
      {w.creator_a, "Ana Lima"},
      {w.creator_b, "Ben Ode"},
      {w.creator_c, std::string(canary) + " Creator"}};
  const std::string rival_csv =
      "Creator Name,Creator Email,Does this creator have an account?,"
      "Emails of agency team members who require access\n" +
      std::string(canary) + " Creator,canary-q7x@rival.test,No,\n";

  // Object bindings: {account}, {creator}, {user}, {invitation}, {token} per kind of object.
  auto bind = [&](const matrix_row& r) {
    std::map<std::string, std::string> p;
    const bool foreign = r.object == "foreign";
    p["{account}"] = foreign ? w.rival_account
                     : r.object == "none" && r.pattern.find("{creator}") == std::string::npos &&
                             r.pattern.find("{user}") == std::string::npos &&
                             r.pattern.find("{invitation}") == std::string::npos &&
                             r.pattern.find("{token}") == std::string::npos
                         ? none_account
                         : w.account;
    p["{creator}"] = r.object == "own"       ? w.creator_a
                     : r.object == "other"   ? w.creator_b
                     : r.object == "foreign" ? w.creator_c
                                             : "cre_000000000000000000000000";
    const bool team = r.pattern.find("/team/") != std::string::npos;
    p["{user}"] = r.object == "none" ? "usr_000000000000000000000000"
                  : foreign          ? w.rival_member_user
                  : team             ? w.helper_user
                                     : w.agent_on_user;
    p["{invitation}"] = r.object == "none" ? "inv_000000000000000000000000"
                        : foreign          ? w.rival_pending_invitation
                                           : w.pending_invitation;
    const bool service = r.pattern.find("service-tokens") != std::string::npos;
    p["{token}"] = r.object == "none" ? "tok_000000000000000000000000"
                   : service          ? w.spare_service_token
                                      : w.owner_personal_token;
    p["{link}"] = r.object == "own"       ? w.link_a
                  : r.object == "other"   ? w.link_b
                  : r.object == "foreign" ? w.link_c
                                          : "lnk_000000000000000000000000";
    p["{connection}"] = r.object == "own"       ? w.connection_a
                        : r.object == "other"   ? w.connection_b
                        : r.object == "foreign" ? w.connection_c
                                                : "con_000000000000000000000000";
    p["{provider}"] = "tiktok";
    return p;
  };

  auto body_for =
      [&](const matrix_row& r,
          const std::map<std::string, std::string>& p) -> std::pair<std::string, std::string> {
    const auto& m = r.method;
    const auto& path = r.pattern;
    if (path == "/v1/session" && m == "POST") {
      return {R"({"email":"owner@agency.test"})", "application/json"};
    }
    if (path == "/v1/password-reset") {
      return {R"({"email":"nobody@nowhere.test"})", "application/json"};
    }
    if (path == "/v1/password-reset/complete") {
      return {R"({"token":"rdrst_bogus","password":"a long enough password"})", "application/json"};
    }
    if (path == "/v1/invitations/accept") {
      return {R"({"token":"rdinv_bogus","password":"a long enough password"})", "application/json"};
    }
    if (path == "/v1/invitations/inspect") {
      return {R"({"token":"rdinv_bogus"})", "application/json"};
    }
    if (path.find("onboarding/csv") != std::string::npos) {
      return {p.at("{account}") == w.rival_account ? rival_csv : api_world::roster_csv, "text/csv"};
    }
    if (m == "POST" && path.ends_with("/members")) {
      return {R"({"email":"new.agent@agency.test","role":"agent"})", "application/json"};
    }
    if (m == "PATCH" && path == "/v1/accounts/{account}") {
      return {R"({"agents_use_tokens":false})", "application/json"};
    }
    if (m == "PATCH" && path.ends_with("/members/{user}")) {
      return {R"({"status":"active"})", "application/json"};
    }
    if (m == "POST" && (path.ends_with("/tokens") || path.ends_with("/service-tokens"))) {
      return {R"({"name":"matrix"})", "application/json"};
    }
    if (m == "POST" && path.ends_with("/creators")) {
      return {R"({"name":"Dee New","email":"dee@creators.test"})", "application/json"};
    }
    if (m == "PATCH" && path.ends_with("/creators/{creator}")) {
      auto it = creator_names.find(p.at("{creator}"));
      return {json{{"display_name", it == creator_names.end() ? "Nobody" : it->second}}.dump(),
              "application/json"};
    }
    if (m == "POST" && path.ends_with("/reconnect-links")) {
      return {R"({"providers":["tiktok"]})", "application/json"};
    }
    if (m == "POST" && path.ends_with("/team")) {
      return {R"({"email":"helper@agency.test"})", "application/json"};
    }
    return {"", ""};
  };

  // Puts back what a successful change in the previous cell took away.
  auto reset = [&](const matrix_row& r) {
    if (r.method == "DELETE" && r.pattern.ends_with("/team/{user}")) {
      for (const auto& c : {w.creator_a, w.creator_b}) {
        w.call_ok(w.actors["owner"], "POST",
                  "/v1/accounts/" + w.account + "/creators/" + c + "/team",
                  {{"email", "helper@agency.test"}}, 201);
      }
    }
    if (r.method == "DELETE" && r.pattern.ends_with("/creators/{creator}")) {
      auto a = w.call(w.actors["owner"], "POST",
                      "/v1/accounts/" + w.account + "/onboarding/csv?dry_run=false",
                      api_world::roster_csv, "text/csv");
      REQUIRE(a.status == 200);
      auto b = w.call(w.actors["foreign_admin"], "POST",
                      "/v1/accounts/" + w.rival_account + "/onboarding/csv?dry_run=false",
                      rival_csv, "text/csv");
      REQUIRE(b.status == 200);
    }
  };

  int cells = 0;
  std::vector<std::string> mismatches;
  for (const auto& row : read_matrix()) {
    const auto params = bind(row);
    std::string target = row.pattern;
    for (const auto& [k, v] : params) {
      target = replace_all(target, k, v);
    }
    if (row.pattern.find("/onboarding/csv") != std::string::npos) {
      target += "?dry_run=true";
    }
    const auto [body, type] = body_for(row, params);
    for (std::size_t i = 0; i < actor_order.size(); ++i) {
      const auto& actor = actor_order[i];
      reset(row);
      credentials who = w.actors[actor];
      if (row.method == "DELETE" && row.pattern == "/v1/session" && !who.cookie.empty()) {
        who = w.login(actor_email.at(actor), api_world::password);  // a session to spend
      }
      auto reply = w.call(who, row.method, target, body, type);
      ++cells;
      const auto& want = row.expected[i];
      const bool ok = want == "2xx" ? reply.status >= 200 && reply.status < 300
                                    : std::to_string(reply.status) == want;
      if (!ok) {
        mismatches.push_back("line " + std::to_string(row.line) + ": " + row.method + " " +
                             row.pattern + " [" + row.object + "] as " + actor + ": expected " +
                             want + ", got " + std::to_string(reply.status) + " " +
                             reply.body.substr(0, 160));
      }
      if (actor != "foreign_admin") {
        INFO(row.method << " " << target << " as " << actor);
        CHECK_FALSE(contains_canary(reply));
      }
    }
  }
  for (const auto& m : mismatches) {
    UNSCOPED_INFO(m);
  }
  CHECK(mismatches.empty());
  CHECK(cells > 900);
  // Nothing issued to anyone ever reaches the log.
  const auto log = w.daemon_log();
  for (const char* prefix : {"rdinv_", "rdses_", "rdpat_", "rdsvc_", "rdrst_"}) {
    INFO(prefix);
    CHECK(log.find(prefix) == std::string::npos);
  }
}
