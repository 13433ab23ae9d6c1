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
#include "base/crypto.hpp"
#include "base/random.hpp"
#include "edge/api/api_context.hpp"
#include "edge/routes/edge_routes.hpp"
#include "http/router.hpp"
#include "platform_signing.hpp"
#include "store/store.hpp"
#include "tests/support/edge_doubles.hpp"

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

/// The routes the daemon registers, from the one function the daemon builds its router with.
std::set<std::string> registered_routes() {
  temp_directory dir;
  store::options opts;
  opts.path = dir / "routes.db";
  auto db = store::store::open(opts, nullptr).value();
  testing::no_mail mail;
  edge::api::api_context api(*db, mail, {}, spdlog::default_logger(), nullptr,
                             testing::inert_hooks());
  base::metrics::registry metrics;
  std::atomic<bool> stopping{false};
  const edge::ops_dependencies ops{*db, metrics, stopping};
  http::router routes;
  edge::add_edge_routes(routes, ops, api);
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

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
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

/// The matrix's world: api_world plus the objects that the page, callback and public rows need,
/// and how each cell's request is made. Every public route gets a request that succeeds for
/// whoever may make it (a real invitation or reset token, a right password), so a refusal in
/// the matrix is the route's own answer, never a bad request's.
struct matrix_world {
  matrix_world();

  /// Object bindings: {account}, {creator}, {user}, {invitation}, {token}... for the row's
  /// kind of object.
  std::map<std::string, std::string> bind(const matrix_row& r);
  /// The request target: the pattern with its parameters bound, plus the row's query.
  std::string target(const matrix_row& r, const std::map<std::string, std::string>& p);
  /// The body for the cell of `actor_index`: a fresh single-use token where the route spends one.
  std::pair<std::string, std::string> body_for(const matrix_row& r,
                                               const std::map<std::string, std::string>& p,
                                               std::size_t actor_index);
  /// Headers a row needs besides the caller's credentials (a platform's signature).
  std::map<std::string, std::string> extra_headers(const matrix_row& r);
  /// Like api_world::call, with extra headers.
  http_reply send(const credentials& who, const std::string& method, const std::string& target,
                  const std::string& body, const std::string& type,
                  std::map<std::string, std::string> headers);
  /// Puts back what a successful change in the previous cell took away.
  void reset(const matrix_row& r);

  struct page_objects {
    std::string link_token;
    std::string attempt;
    std::string callback_query;
  };

  api_world w;
  const std::string none_account = "acc_000000000000000000000000";
  std::map<std::string, std::string> creator_names;
  std::string rival_csv;
  std::map<std::string, page_objects> pages;
  std::string meta_forged;
  std::string tiktok_event;
  std::string deletion_code;
  std::int64_t token_calls_before = 0;
  // One person per cell of the password-reset rows: a reset completed for one person ends every
  // other reset of theirs, so each cell needs its own.
  std::vector<std::string> reset_people;
  std::vector<std::string> accept_tokens;  // one fresh invitation per cell of the accept row
  std::string inspect_token;               // a pending invitation's token (inspect spends nothing)
  // Webhook endpoints of account A and of the rival, and a spare of each for the DELETE row.
  // Their URL is a name for loopback: stored as given, refused when sent (no private targets).
  std::string webhook_a, webhook_a_spare, webhook_c, webhook_c_spare;
  static constexpr const char* form_type = "application/x-www-form-urlencoded";
};

matrix_world::matrix_world() {
  creator_names = {{w.creator_a, "Ana Lima"},
                   {w.creator_b, "Ben Ode"},
                   {w.creator_c, std::string(canary) + " Creator"}};
  rival_csv =
      "Creator Name,Creator Email,Does this creator have an account?,"
      "Emails of agency team members who require access\n" +
      std::string(canary) + " Creator,canary-q7x@rival.test,No,\n";

  // For the pages, per creator (own: Ana, other: Ben, foreign: the rival's creator): a usable
  // link token (every provider, so one connect does not complete it), an attempt finished in
  // its own browser (the result page), and the callback query of an attempt the platform
  // handed back whose callback was never made. No caller of the matrix has those browsers'
  // cookies.
  for (const auto& [kind, admin, acc, creator] :
       {std::tuple{"own", "owner", w.account, w.creator_a},
        std::tuple{"other", "owner", w.account, w.creator_b},
        std::tuple{"foreign", "foreign_admin", w.rival_account, w.creator_c}}) {
    INFO(kind);
    page_objects o;
    o.link_token = w.make_link(w.actors[admin], acc, creator);
    api_world::browser b;
    const auto done = w.connect(b, o.link_token, "tiktok");
    REQUIRE(done.result.status == 200);
    const auto result = done.callback.headers.at("location");
    o.attempt = result.substr(result.rfind('/') + 1);
    const auto start =
        w.browse(b, "POST", "/connect/" + o.link_token + "/start", "provider=pinterest");
    REQUIRE(start.status == 303);
    const auto authorize = w.https_get(start.headers.at("location"));
    REQUIRE(authorize.status == 302);
    auto location = authorize.header("location").value();
    location = location.substr(0, location.find('#'));
    REQUIRE(location.find('?') != std::string::npos);
    o.callback_query = location.substr(location.find('?'));
    pages[kind] = o;
  }
  // A signal names a platform user: Ana's TikTok account.
  const std::string ana_openid =
      w.call_ok(w.actors["owner"], "GET",
                "/v1/accounts/" + w.account + "/connections/" + w.connection_a)["external_id"];
  meta_forged =
      signed_request_form(R"({"algorithm":"HMAC-SHA256","issued_at":)" +
                              std::to_string(unix_now()) + R"(,"user_id":")" + ana_openid + R"("})",
                          "not-the-secret");
  tiktok_event = R"({"client_key":"test-tiktok","event":"authorization.removed","create_time":)" +
                 std::to_string(unix_now()) + R"(,"user_openid":")" + ana_openid +
                 R"(","content":"{\"reason\":1}"})";
  // A real data-deletion confirmation code (public: the platform shows it to the user), for a
  // platform user nobody connected.
  {
    const auto answer = w.call(
        {}, "POST", "/hooks/facebook/data-deletion",
        signed_request_form(R"({"algorithm":"HMAC-SHA256","issued_at":)" +
                                std::to_string(unix_now()) + R"(,"user_id":"matrix-nobody"})",
                            "secret-facebook"),
        form_type);
    INFO(answer.body);
    REQUIRE(answer.status == 200);
    deletion_code = json::parse(answer.body)["confirmation_code"];
  }
  token_calls_before = w.provider_fake().calls("tiktok", "token");

  // People and invitations for the public rows.
  const auto& owner = w.actors["owner"];
  const auto members = "/v1/accounts/" + w.account + "/members";
  auto invite = [&](const std::string& email) {
    w.call_ok(owner, "POST", members, {{"email", email}, {"role", "agent"}}, 201);
    return w.token_in_mail(email);
  };
  for (std::size_t i = 0; i < actor_order.size(); ++i) {
    const auto person = "reset." + std::to_string(i) + "@agency.test";
    w.accept(invite(person));
    reset_people.push_back(person);
    accept_tokens.push_back(invite("accept." + std::to_string(i) + "@agency.test"));
  }
  inspect_token = invite("inspect@agency.test");
  const json hook{{"url", "https://localhost:9/hooks"}, {"events", {"connection.expiring"}}};
  const auto make_hook = [&](const char* admin, const std::string& acc) -> std::string {
    return w.call_ok(w.actors[admin], "POST", "/v1/accounts/" + acc + "/webhooks", hook, 201)["id"];
  };
  webhook_a = make_hook("owner", w.account);
  webhook_a_spare = make_hook("owner", w.account);
  webhook_c = make_hook("foreign_admin", w.rival_account);
  webhook_c_spare = make_hook("foreign_admin", w.rival_account);
}

std::map<std::string, std::string> matrix_world::bind(const matrix_row& r) {
  std::map<std::string, std::string> p;
  const bool foreign = r.object == "foreign";
  p["{account}"] = foreign ? w.rival_account
                   : r.object == "none" && r.pattern.find("{creator}") == std::string::npos &&
                           r.pattern.find("{user}") == std::string::npos &&
                           r.pattern.find("{invitation}") == std::string::npos &&
                           r.pattern.find("{token}") == std::string::npos &&
                           r.pattern.find("{webhook}") == std::string::npos
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
  const bool spare = r.method == "DELETE";
  p["{webhook}"] = r.object == "none" ? "whk_000000000000000000000000"
                   : foreign          ? (spare ? webhook_c_spare : webhook_c)
                                      : (spare ? webhook_a_spare : webhook_a);
  p["{provider}"] = "tiktok";
  // Pages and platform callbacks.
  const auto page = pages.find(r.object);
  if (r.pattern.starts_with("/connect/{token}")) {
    p["{token}"] = page != pages.end() ? page->second.link_token
                                       : "rdlink_" + std::string(43, 'A');  // never issued
  }
  p["{attempt}"] = page != pages.end() ? page->second.attempt : "att_000000000000000000000000";
  if (r.pattern.starts_with("/hooks/")) {
    p["{provider}"] = r.object == "none" ? "nosuch" : "facebook";
  }
  if (r.pattern == "/oauth/{provider}/callback") {
    p["{provider}"] = "pinterest";
  }
  p["{code}"] = r.object == "own" ? deletion_code : "000000000000000000000000";
  return p;
}

std::string matrix_world::target(const matrix_row& r, const std::map<std::string, std::string>& p) {
  std::string t = r.pattern;
  for (const auto& [k, v] : p) {
    t = replace_all(t, k, v);
  }
  if (r.pattern.find("/onboarding/csv") != std::string::npos) {
    t += "?dry_run=true";
  }
  if (r.pattern == "/oauth/{provider}/callback") {
    const auto page = pages.find(r.object);
    t += page != pages.end() ? page->second.callback_query
                             : "?code=matrix&state=rdst_" + std::string(43, 'A');
  }
  return t;
}

std::pair<std::string, std::string> matrix_world::body_for(
    const matrix_row& r, const std::map<std::string, std::string>& p, std::size_t actor_index) {
  const auto& m = r.method;
  const auto& path = r.pattern;
  const std::string password = api_world::password;
  if (path == "/v1/session" && m == "POST") {
    return {json{{"email", "owner@agency.test"}, {"password", password}}.dump(),
            "application/json"};
  }
  if (path == "/v1/password-reset") {
    return {json{{"email", reset_people.at(actor_index)}}.dump(), "application/json"};
  }
  if (path == "/v1/password-reset/complete") {
    // The reset the same cell of the row above asked for (mail 1 was the invitation).
    return {
        json{{"token", w.token_in_mail(reset_people.at(actor_index), 2)}, {"password", password}}
            .dump(),
        "application/json"};
  }
  if (path == "/v1/invitations/accept") {
    return {json{{"token", accept_tokens.at(actor_index)}, {"password", password}}.dump(),
            "application/json"};
  }
  if (path == "/v1/invitations/inspect") {
    return {json{{"token", inspect_token}}.dump(), "application/json"};
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
  if (m == "POST" && path.ends_with("/webhooks")) {
    return {R"({"url":"https://localhost:9/more","events":["invitation.accepted"]})",
            "application/json"};
  }
  if (m == "PATCH" && path.ends_with("/webhooks/{webhook}")) {
    return {R"({"description":"matrix"})", "application/json"};
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
  if (m == "PUT" && path == "/v1/me/notification-preferences") {
    return {R"({"delivery":"digest","digest_hour":8,"time_zone":"Europe/Paris"})",
            "application/json"};
  }
  if (m == "POST" && path.ends_with("/team")) {
    return {R"({"email":"helper@agency.test"})", "application/json"};
  }
  if (path == "/connect/{token}/start") {
    // Not TikTok: the link's TikTok is connected already, and a connected platform is done.
    return {"provider=instagram", form_type};
  }
  if (path.starts_with("/hooks/{provider}/")) {
    return {meta_forged, form_type};
  }
  if (path == "/hooks/tiktok/events") {
    return {tiktok_event, "application/json"};
  }
  return {"", ""};
}

std::map<std::string, std::string> matrix_world::extra_headers(const matrix_row& r) {
  std::map<std::string, std::string> headers;
  if (r.pattern == "/hooks/tiktok/events") {
    // TikTok's webhook signature, made with a wrong secret (a forgery).
    headers["TikTok-Signature"] = tiktok_signature(tiktok_event, "not-the-secret", unix_now());
  }
  return headers;
}

http_reply matrix_world::send(const credentials& who, const std::string& method,
                              const std::string& target, const std::string& body,
                              const std::string& type, std::map<std::string, std::string> headers) {
  if (!body.empty()) {
    headers["Content-Type"] = type;
  }
  if (!who.cookie.empty()) {
    headers["Cookie"] = who.cookie;
    headers["X-CSRF-Token"] = who.csrf;
  }
  if (!who.bearer.empty()) {
    headers["Authorization"] = "Bearer " + who.bearer;
  }
  return http_request(w.port(), method, target, body, headers, std::chrono::seconds(30));
}

void matrix_world::reset(const matrix_row& r) {
  if (r.method == "DELETE" && r.pattern.ends_with("/team/{user}")) {
    for (const auto& c : {w.creator_a, w.creator_b}) {
      w.call_ok(w.actors["owner"], "POST", "/v1/accounts/" + w.account + "/creators/" + c + "/team",
                {{"email", "helper@agency.test"}}, 201);
    }
  }
  if (r.method == "DELETE" && r.pattern.ends_with("/creators/{creator}")) {
    auto a = w.call(w.actors["owner"], "POST",
                    "/v1/accounts/" + w.account + "/onboarding/csv?dry_run=false",
                    api_world::roster_csv, "text/csv");
    REQUIRE(a.status == 200);
    auto b = w.call(w.actors["foreign_admin"], "POST",
                    "/v1/accounts/" + w.rival_account + "/onboarding/csv?dry_run=false", rival_csv,
                    "text/csv");
    REQUIRE(b.status == 200);
  }
}

/// Routes whose cell spends the caller's session or starts a new one in its browser: such a cell
/// is made with a session of its own, so the actor keeps theirs for the rows after it.
bool spends_session(const matrix_row& r) {
  return r.pattern == "/v1/session"
             ? r.method != "GET"
             : r.pattern == "/v1/invitations/accept" || r.pattern == "/v1/password-reset/complete";
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
  matrix_world m;
  auto& w = m.w;
  int cells = 0;
  std::vector<std::string> mismatches;
  for (const auto& row : read_matrix()) {
    const auto params = m.bind(row);
    const auto target = m.target(row, params);
    const auto extra_headers = m.extra_headers(row);
    // A link token is the whole credential of its page: whoever holds the rival creator's token
    // is shown that creator's page, names included. Only that page is exempt.
    const bool rival_link =
        row.object == "foreign" && row.method == "GET" && row.pattern == "/connect/{token}";
    for (std::size_t i = 0; i < actor_order.size(); ++i) {
      const auto& actor = actor_order[i];
      m.reset(row);
      const auto [body, type] = m.body_for(row, params, i);
      credentials who = w.actors[actor];
      if (spends_session(row) && !who.cookie.empty()) {
        who = w.login(actor_email.at(actor), api_world::password);  // a session to spend
      }
      auto reply = extra_headers.empty()
                       ? w.call(who, row.method, target, body, type)
                       : m.send(who, row.method, target, body, type, extra_headers);
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
      if (actor != "foreign_admin" && !rival_link) {
        INFO(row.method << " " << target << " as " << actor);
        CHECK_FALSE(contains_canary(reply));
      }
    }
  }
  for (const auto& mismatch : mismatches) {
    UNSCOPED_INFO(mismatch);
  }
  CHECK(mismatches.empty());
  CHECK(cells > 900);
  // No refused callback reached the platform's token endpoint.
  CHECK(w.provider_fake().calls("tiktok", "token") == m.token_calls_before);
  // Nothing issued to anyone ever reaches the log.
  const auto log = w.daemon_log();
  for (const char* prefix :
       {"rdinv_", "rdses_", "rdpat_", "rdsvc_", "rdrst_", "rdlink_", "rdst_", "rdb_"}) {
    INFO(prefix);
    CHECK(log.find(prefix) == std::string::npos);
  }
}

TEST_CASE("every change a session cookie can make needs its CSRF token and our Origin",
          "[authorization][csrf]") {
  matrix_world m;
  auto& w = m.w;
  const auto owner = w.actors["owner"];
  std::set<std::string> guarded;  // every /v1 route that changes something for a signed-in caller
  std::set<std::string> checked;
  for (const auto& row : read_matrix()) {
    // A /v1 route that answers 401 to an anonymous caller needs a signed-in caller; every such
    // route that changes something must refuse a cookie that comes without its CSRF token.
    const bool needs_sign_in = row.pattern.starts_with("/v1/") && row.expected.front() == "401";
    const bool changes = row.method != "GET" && row.method != "HEAD";
    if (!needs_sign_in || !changes) {
      continue;
    }
    guarded.insert(row.method + " " + row.pattern);
    if (row.object != "own" && row.object != "-") {
      continue;
    }
    checked.insert(row.method + " " + row.pattern);
    const auto params = m.bind(row);
    const auto target = m.target(row, params);
    const auto [body, type] = m.body_for(row, params, 1);
    auto who = owner;
    if (spends_session(row)) {
      who = w.login("owner@agency.test", api_world::password);
    }
    INFO(row.method << " " << row.pattern << " (authorization_matrix.txt:" << row.line << ")");
    auto without = who;
    without.csrf = "";
    const auto missing = w.call(without, row.method, target, body, type);
    CHECK(missing.status == 403);
    CHECK(missing.body.find("/problems/csrf") != std::string::npos);
    auto wrong = who;
    wrong.csrf = std::string(64, 'a');
    const auto forged = w.call(wrong, row.method, target, body, type);
    CHECK(forged.status == 403);
    CHECK(forged.body.find("/problems/csrf") != std::string::npos);
    std::map<std::string, std::string> cross_site{{"Origin", "https://evil.example"}};
    const auto foreign_origin = m.send(who, row.method, target, body, type, cross_site);
    CHECK(foreign_origin.status == 403);
    CHECK(foreign_origin.body.find("/problems/csrf") != std::string::npos);
  }
  CHECK(guarded.size() > 20);
  CHECK(checked == guarded);
  // Nothing those refusals carried happened: the session still works and the members list
  // has no one the refused requests would have added.
  REQUIRE(w.call(owner, "GET", "/v1/session").status == 200);
  const auto members = w.call_ok(owner, "GET", "/v1/accounts/" + w.account + "/members");
  for (const auto& member : members["items"]) {
    CHECK(member["email"] != "new.agent@agency.test");
  }
}
