// The /v1 flows a person goes through, over real HTTP with real email: sign-in, CSRF, rate
// limits, logout, password reset, invitation links that no longer work, API tokens, the creator
// message and the reconnect link in it, onboarding reports; and every endpoint's bad inputs
// answered with problem+json that names the field, with nothing stored.

#include <map>
#include <set>

#include <catch2/catch.hpp>

#include "api_world.hpp"

using namespace rosterd::testing;

namespace {

/// One world for the whole file: building it signs ten people in (Argon2id each).
api_world& world() {
  static api_world w;
  return w;
}

std::string accounts_path(const std::string& rest = {}) {
  return "/v1/accounts/" + world().account + rest;
}

json problem_of(const http_reply& r) {
  INFO(r.body);
  REQUIRE(r.headers.at("content-type") == "application/problem+json");
  return json::parse(r.body);
}

bool names_field(const json& problem, const std::string& field) {
  for (const auto& e : problem.value("errors", json::array())) {
    if (e["field"] == field) {
      return true;
    }
  }
  return false;
}

/// A new agent who accepted their invitation (mail #1) and signs in with the shared password.
credentials fresh_agent(const std::string& email) {
  auto& w = world();
  w.call_ok(w.actors["owner"], "POST", accounts_path("/members"),
            {{"email", email}, {"role", "agent"}}, 201);
  return w.accept(w.token_in_mail(email));
}

std::string invitation_id_of(const std::string& email) {
  auto board = world().call_ok(world().actors["owner"], "GET", accounts_path("/invitations"));
  for (const auto& i : board["items"]) {
    if (i["email"] == email) {
      return i["id"];
    }
  }
  FAIL("no invitation for " << email);
  return "";
}

/// Resets `email`'s password with the link in their n-th mail.
void reset_password(const std::string& email, std::size_t nth_mail, const std::string& fresh) {
  auto& w = world();
  REQUIRE(w.call({}, "POST", "/v1/password-reset", json{{"email", email}}.dump()).status == 202);
  const auto mail = w.wait_for_mail(email, nth_mail);
  const auto token = mail.substr(mail.find("token=") + 6, 49);
  REQUIRE(w.call({}, "POST", "/v1/password-reset/complete",
                 json{{"token", token}, {"password", fresh}}.dump())
              .status == 204);
}

}  // namespace

TEST_CASE("a wrong password and an unknown address get the same 401", "[sign-in]") {
  auto& w = world();
  auto wrong =
      w.call({}, "POST", "/v1/session",
             json{{"email", "owner@agency.test"}, {"password", "not the password"}}.dump());
  auto unknown =
      w.call({}, "POST", "/v1/session",
             json{{"email", "ghost@agency.test"}, {"password", "not the password"}}.dump());
  CHECK(wrong.status == 401);
  CHECK(unknown.status == 401);
  CHECK(problem_of(wrong)["type"] == problem_of(unknown)["type"]);
  CHECK(wrong.headers.count("set-cookie") == 0);
}

TEST_CASE("repeated failed logins for one account are rate-limited with Retry-After", "[sign-in]") {
  auto& w = world();
  const auto body =
      json{{"email", "agent.off@agency.test"}, {"password", "guess guess guess"}}.dump();
  for (int i = 0; i < 5; ++i) {
    REQUIRE(w.call({}, "POST", "/v1/session", body).status == 401);
  }
  auto limited = w.call({}, "POST", "/v1/session", body);
  CHECK(limited.status == 429);
  CHECK(std::stoi(limited.headers.at("retry-after")) > 0);
  // Even the right password waits: the limiter answers before any password is checked.
  auto right =
      w.call({}, "POST", "/v1/session",
             json{{"email", "agent.off@agency.test"}, {"password", api_world::password}}.dump());
  CHECK(right.status == 429);
}

TEST_CASE("a session cookie is HttpOnly, SameSite=Lax and rotated at every login", "[sign-in]") {
  auto& w = world();
  auto reply =
      w.call({}, "POST", "/v1/session",
             json{{"email", "admin@agency.test"}, {"password", api_world::password}}.dump());
  REQUIRE(reply.status == 200);
  const auto& cookie = reply.headers.at("set-cookie");
  CHECK(cookie.find("HttpOnly") != std::string::npos);
  CHECK(cookie.find("SameSite=Lax") != std::string::npos);
  CHECK(cookie.find("Path=/") != std::string::npos);
  auto again = w.login("admin@agency.test", api_world::password);
  CHECK(again.cookie != cookie.substr(0, cookie.find(';')));
}

TEST_CASE("signing in again from the same browser ends the session its old cookie held",
          "[sign-in]") {
  auto& w = world();
  const auto first = w.login("ana@creators.test", api_world::password);
  REQUIRE(w.call(first, "GET", "/v1/session").status == 200);
  // The browser still sends its first cookie when it signs in again.
  const auto again =
      http_request(w.port(), "POST", "/v1/session",
                   json{{"email", "ana@creators.test"}, {"password", api_world::password}}.dump(),
                   {{"Content-Type", "application/json"}, {"Cookie", first.cookie}});
  REQUIRE(again.status == 200);
  const auto& set_cookie = again.headers.at("set-cookie");
  credentials second{set_cookie.substr(0, set_cookie.find(';')),
                     json::parse(again.body)["csrf_token"], "", first.user_id};
  CHECK(second.cookie != first.cookie);
  CHECK(w.call(first, "GET", "/v1/session").status == 401);
  CHECK(w.call(second, "GET", "/v1/session").status == 200);
}

TEST_CASE("a change made with a session cookie needs its CSRF token and our Origin", "[sign-in]") {
  auto& w = world();
  auto owner = w.actors["owner"];
  const auto body = json{{"email", "csrf.victim@agency.test"}, {"role", "agent"}}.dump();
  auto no_token = owner;
  no_token.csrf = "";
  auto r1 = w.call(no_token, "POST", accounts_path("/members"), body);
  CHECK(r1.status == 403);
  CHECK(problem_of(r1)["type"] == "/problems/csrf");
  auto wrong_token = owner;
  wrong_token.csrf = std::string(64, 'a');
  CHECK(w.call(wrong_token, "POST", accounts_path("/members"), body).status == 403);
  auto cross_site = http_request(w.port(), "POST", accounts_path("/members"), body,
                                 {{"Content-Type", "application/json"},
                                  {"Cookie", owner.cookie},
                                  {"X-CSRF-Token", owner.csrf},
                                  {"Origin", "https://evil.example"}});
  CHECK(cross_site.status == 403);
  auto members = w.call_ok(owner, "GET", accounts_path("/members"));
  for (const auto& m : members["items"]) {
    CHECK(m["email"] != "csrf.victim@agency.test");
  }
  // Reads need no token.
  CHECK(w.call(no_token, "GET", accounts_path("/members")).status == 200);
}

TEST_CASE("logging out ends the session on the server", "[sign-in]") {
  auto& w = world();
  auto session = w.login("ana@creators.test", api_world::password);
  REQUIRE(w.call(session, "GET", "/v1/session").status == 200);
  auto out = w.call(session, "DELETE", "/v1/session");
  CHECK(out.status == 204);
  CHECK(out.headers.at("set-cookie").find("Max-Age=0") != std::string::npos);
  CHECK(w.call(session, "GET", "/v1/session").status == 401);
}

TEST_CASE("a password reset link arrives by email, works once and ends old sessions", "[sign-in]") {
  auto& w = world();
  auto before = w.login("ben@creators.test", api_world::password);
  REQUIRE(w.call({}, "POST", "/v1/password-reset", json{{"email", "ben@creators.test"}}.dump())
              .status == 202);
  // The same answer for an address nobody has.
  auto unknown = w.call({}, "POST", "/v1/password-reset", json{{"email", "ghost@x.test"}}.dump());
  CHECK(unknown.status == 202);
  const auto mail = w.wait_for_mail("ben@creators.test", 2);  // 1: the invitation
  const auto at = mail.find("token=");
  REQUIRE(at != std::string::npos);
  const auto token = mail.substr(at + 6, 49);
  const std::string fresh = "a brand new passphrase for ben";
  auto done = w.call({}, "POST", "/v1/password-reset/complete",
                     json{{"token", token}, {"password", fresh}}.dump());
  CHECK(done.status == 204);
  CHECK(w.call(before, "GET", "/v1/session").status == 401);
  auto reused = w.call({}, "POST", "/v1/password-reset/complete",
                       json{{"token", token}, {"password", "another new passphrase"}}.dump());
  CHECK(reused.status == 410);
  CHECK(problem_of(reused)["type"] == "/problems/token-used");
  auto signed_in = w.login("ben@creators.test", fresh);
  CHECK_FALSE(signed_in.cookie.empty());
  // Put the shared password back for the other tests.
  REQUIRE(w.call({}, "POST", "/v1/password-reset", json{{"email", "ben@creators.test"}}.dump())
              .status == 202);
  const auto again = w.wait_for_mail("ben@creators.test", 3);
  const auto token2 = again.substr(again.find("token=") + 6, 49);
  REQUIRE(w.call({}, "POST", "/v1/password-reset/complete",
                 json{{"token", token2}, {"password", api_world::password}}.dump())
              .status == 204);
}

TEST_CASE("a busy API token has its last use written once a minute, not on every request",
          "[tokens]") {
  auto& w = world();
  auto agent = w.actors["agent_on"];
  auto made = w.call_ok(agent, "POST", accounts_path("/tokens"), {{"name", "busy"}}, 201);
  const std::string id = made["id"];
  const credentials bearer{"", "", made["token"], ""};
  auto last_used = [&]() -> json {
    const auto tokens = w.call_ok(agent, "GET", accounts_path("/tokens"));
    for (const auto& t : tokens["items"]) {
      if (t["id"] == id) {
        return t["last_used_at"];
      }
    }
    FAIL("token not listed");
    return nullptr;
  };
  REQUIRE(w.call(bearer, "GET", accounts_path("/creators")).status == 200);
  REQUIRE(last_used().is_string());
  // Clear it behind the daemon's back: a second request in the same minute must not need the
  // writer (every token request used to queue an UPDATE behind all other writes).
  auto db =
      rosterd::store::database::open(w.daemon().database(), rosterd::store::open_mode::read_write)
          .value();
  REQUIRE(db.exec("UPDATE api_tokens SET last_used_at = NULL WHERE id = '" + id + "'"));
  REQUIRE(w.call(bearer, "GET", accounts_path("/creators")).status == 200);
  CHECK(last_used().is_null());
}

TEST_CASE("a password reset request is answered before any work that depends on the address",
          "[sign-in]") {
  auto& w = world();
  fresh_agent("reset.timing@agency.test");
  // Hold the database's write lock, as a long write elsewhere would. Whatever a request needs
  // the writer for now waits for it (up to store.busy_timeout, then 503); only work that every
  // request does alike may happen before the answer.
  auto holder =
      rosterd::store::database::open(w.daemon().database(), rosterd::store::open_mode::read_write)
          .value();
  REQUIRE(holder.exec("BEGIN IMMEDIATE"));
  const auto known =
      w.call({}, "POST", "/v1/password-reset", json{{"email", "reset.timing@agency.test"}}.dump());
  const auto unknown =
      w.call({}, "POST", "/v1/password-reset", json{{"email", "nobody.here@agency.test"}}.dump());
  REQUIRE(holder.exec("COMMIT"));
  CHECK(known.status == 202);
  CHECK(unknown.status == 202);
  CHECK(known.body == unknown.body);
  // The link still comes, once the writer is free (mail #1 was the invitation).
  CHECK(w.wait_for_mail("reset.timing@agency.test", 2).find("token=rdrst_") != std::string::npos);
}

TEST_CASE("a password reset ends the person's personal API tokens, not the account's",
          "[sign-in][tokens]") {
  auto& w = world();
  auto agent = fresh_agent("token.reset@agency.test");
  const auto made = w.call_ok(agent, "POST", accounts_path("/tokens"), {{"name", "laptop"}}, 201);
  const credentials bearer{"", "", made["token"], ""};
  REQUIRE(w.call(bearer, "GET", "/v1/session").status == 200);
  REQUIRE(w.call(w.actors["service"], "GET", accounts_path()).status == 200);

  reset_password("token.reset@agency.test", 2, "a fresh passphrase after the reset");

  CHECK(w.call(bearer, "GET", "/v1/session").status == 401);
  CHECK(w.call(w.actors["service"], "GET", accounts_path()).status == 200);
  // The agency sees why the token stopped working.
  const auto audit = w.call_ok(w.actors["owner"], "GET", accounts_path("/audit"));
  bool recorded = false;
  for (const auto& a : audit["items"]) {
    recorded = recorded || (a["action"] == "token.revoked" && a["target"]["id"] == made["id"]);
  }
  CHECK(recorded);
}

TEST_CASE("an admin cannot revoke or resend the invitation of someone who is now an admin",
          "[invitations]") {
  auto& w = world();
  auto owner = w.actors["owner"];
  auto admin = w.actors["admin"];
  // Invited as an agent, then made an admin before accepting: the first invitation stays.
  w.call_ok(owner, "POST", accounts_path("/members"),
            {{"email", "promoted@agency.test"}, {"role", "agent"}}, 201);
  const auto second = w.call(owner, "POST", accounts_path("/members"),
                             json{{"email", "promoted@agency.test"}, {"role", "admin"}}.dump());
  REQUIRE(second.status / 100 == 2);
  const auto id = invitation_id_of("promoted@agency.test");
  for (const char* action : {"/revoke", "/resend"}) {
    auto r = w.call(admin, "POST", accounts_path("/invitations/" + id + action));
    INFO(action << " " << r.body);
    CHECK(r.status == 403);
  }
  // Nothing changed: the person is still an active admin with a pending invitation.
  auto members = w.call_ok(owner, "GET", accounts_path("/members"));
  bool active_admin = false;
  for (const auto& m : members["items"]) {
    if (m["email"] == "promoted@agency.test") {
      active_admin = m["role"] == "admin" && m["status"] == "active";
    }
  }
  CHECK(active_admin);
  // An owner may.
  w.call_ok(owner, "POST", accounts_path("/invitations/" + id + "/revoke"), nullptr, 204);
}

TEST_CASE("an invitation link that was replaced, revoked or used says so and grants nothing",
          "[invitations]") {
  auto& w = world();
  auto owner = w.actors["owner"];
  w.call_ok(owner, "POST", accounts_path("/members"),
            {{"email", "late.joiner@agency.test"}, {"role", "agent"}}, 201);
  const auto first = w.token_in_mail("late.joiner@agency.test", 1);
  std::string id;
  const auto board = w.call_ok(owner, "GET", accounts_path("/invitations?status=pending"));
  for (const auto& i : board["items"]) {
    if (i["email"] == "late.joiner@agency.test") {
      id = i["id"];
    }
  }
  REQUIRE_FALSE(id.empty());
  w.call_ok(owner, "POST", accounts_path("/invitations/" + id + "/resend"), nullptr, 204);
  const auto second = w.token_in_mail("late.joiner@agency.test", 2);
  REQUIRE(second != first);

  auto inspect = [&](const std::string& t) {
    return w.call({}, "POST", "/v1/invitations/inspect", json{{"token", t}}.dump());
  };
  auto old = inspect(first);
  CHECK(old.status == 410);
  CHECK(problem_of(old)["type"] == "/problems/token-superseded");
  CHECK(problem_of(old)["detail"].get<std::string>().find("newer") != std::string::npos);
  auto preview = inspect(second);
  REQUIRE(preview.status == 200);
  CHECK(json::parse(preview.body)["agency"] == "Talent Partnerships");

  w.call_ok(owner, "POST", accounts_path("/invitations/" + id + "/revoke"), nullptr, 204);
  auto revoked = w.call({}, "POST", "/v1/invitations/accept",
                        json{{"token", second}, {"password", api_world::password}}.dump());
  CHECK(revoked.status == 410);
  CHECK(problem_of(revoked)["type"] == "/problems/token-revoked");
  CHECK(revoked.headers.count("set-cookie") == 0);

  // Resent after the revoke: a third link works once, then reads as used.
  w.call_ok(owner, "POST", accounts_path("/invitations/" + id + "/resend"), nullptr, 204);
  const auto third = w.token_in_mail("late.joiner@agency.test", 3);
  auto joined = w.accept(third, "Late Joiner");
  CHECK_FALSE(joined.cookie.empty());
  auto reused = w.call({}, "POST", "/v1/invitations/accept",
                       json{{"token", third}, {"password", api_world::password}}.dump());
  CHECK(reused.status == 410);
  CHECK(problem_of(reused)["type"] == "/problems/token-used");
}

TEST_CASE("a weak password is refused with the rule it breaks", "[invitations]") {
  auto& w = world();
  w.call_ok(w.actors["owner"], "POST", accounts_path("/members"),
            {{"email", "weak.pw@agency.test"}, {"role", "agent"}}, 201);
  const auto token = w.token_in_mail("weak.pw@agency.test");
  auto weak = w.call({}, "POST", "/v1/invitations/accept",
                     json{{"token", token}, {"password", "short"}}.dump());
  CHECK(weak.status == 422);
  auto p = problem_of(weak);
  CHECK(p["type"] == "/problems/weak-password");
  CHECK(names_field(p, "password"));
  // The link still works after a refused attempt.
  CHECK(w.call({}, "POST", "/v1/invitations/inspect", json{{"token", token}}.dump()).status == 200);
}

TEST_CASE("a personal API token acts as its person until revoked", "[tokens]") {
  auto& w = world();
  auto agent = w.actors["agent_on"];
  auto made = w.call_ok(agent, "POST", accounts_path("/tokens"), {{"name", "script"}}, 201);
  const std::string token = made["token"];
  CHECK(token.rfind("rdpat_", 0) == 0);
  credentials bearer{"", "", token, ""};
  auto list = w.call_ok(bearer, "GET", accounts_path("/creators"));
  REQUIRE(list["items"].size() == 1);
  CHECK(list["items"][0]["display_name"] == "Ana Lima");
  // Listing never shows the token again.
  auto tokens = w.call_ok(agent, "GET", accounts_path("/tokens"));
  CHECK(tokens.dump().find(token) == std::string::npos);
  // A token cannot mint tokens.
  CHECK(w.call(bearer, "POST", accounts_path("/tokens"), json{{"name", "child"}}.dump()).status ==
        403);
  w.call_ok(agent, "DELETE", accounts_path("/tokens/" + made["id"].get<std::string>()), nullptr,
            204);
  CHECK(w.call(bearer, "GET", accounts_path("/creators")).status == 401);
}

namespace {

/// The link in a creator message: the URL after public_url, as a target on this server.
std::string link_target_in(const std::string& text) {
  const auto at = text.find("/connect/rdlink_");
  REQUIRE(at != std::string::npos);
  const auto end = text.find_first_of(" \n\r\t", at);
  return text.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

}  // namespace

TEST_CASE("agents get the creator message with a fresh link that opens the creator's connect page",
          "[creators][links]") {
  auto& w = world();
  const auto path = accounts_path("/creators/" + w.creator_a + "/connect-message");
  auto message = w.call_ok(w.actors["agent_on"], "POST", path, nullptr, 201);
  const std::string text = message["text"];
  CHECK(text.find("Hi Ana Lima") != std::string::npos);
  CHECK(text.find("Talent Partnerships") != std::string::npos);
  CHECK(text.find("connect and authenticate your Instagram and TikTok") != std::string::npos);
  CHECK(text.find("60 days") != std::string::npos);
  CHECK(text.find("/login") == std::string::npos);
  CHECK(message["to"] == "ana@creators.test");

  // The link is real: followed over HTTP, anonymously as the creator would, it opens Ana's
  // connect page with a Connect button for every enabled platform (TikTok too, which she has:
  // connecting it again through the link renews it).
  const auto target = link_target_in(text);
  const auto page = w.call({}, "GET", target);
  INFO(page.body.substr(0, 400));
  REQUIRE(page.status == 200);
  CHECK(page.body.find("Ana Lima") != std::string::npos);
  for (const auto& provider : api_world::provider_ids) {
    INFO(provider);
    CHECK(page.body.find("value=\"" + provider + "\"") != std::string::npos);
  }
  // The answer names the link it made (to revoke it), never its token outside the text.
  const std::string link_id = message["link"]["id"];
  CHECK(message["link"]["providers"] == json(api_world::provider_ids));
  CHECK(message["link"]["expires_at"].is_string());
  CHECK(message.dump().find("rdlink_") == message.dump().rfind("rdlink_"));
  auto links = w.call_ok(w.actors["owner"], "GET",
                         accounts_path("/creators/" + w.creator_a + "/reconnect-links"));
  const json* listed = nullptr;
  for (const auto& l : links["items"]) {
    listed = l["id"] == link_id ? &l : listed;
  }
  REQUIRE(listed != nullptr);
  CHECK((*listed)["state"] == "usable");
  CHECK((*listed)["created_by"]["id"] == w.agent_on_user);

  // Every message is a new link; the creator and the owner may ask for one too.
  const auto again = w.call_ok(w.actors["agent_on"], "POST", path, nullptr, 201);
  CHECK(link_target_in(again["text"]) != target);
  w.call_ok(w.actors["creator"], "POST", path, nullptr, 201);
  w.call_ok(w.actors["owner"], "POST", path, nullptr, 201);
}

TEST_CASE("the creator message is refused to another team's agent and makes no link",
          "[creators][links]") {
  auto& w = world();
  const auto path = accounts_path("/creators/" + w.creator_a + "/connect-message");
  const auto links_path = accounts_path("/creators/" + w.creator_a + "/reconnect-links");
  const auto before = w.call_ok(w.actors["owner"], "GET", links_path)["items"].size();

  const auto off_team = w.call(w.actors["agent_off"], "POST", path);
  CHECK(off_team.status == 404);
  CHECK(off_team.body.find("rdlink_") == std::string::npos);
  CHECK(off_team.body.find("Ana") == std::string::npos);
  const auto rival = w.call(w.actors["foreign_admin"], "POST", path);
  CHECK(rival.status == 404);
  const auto service = w.call(w.actors["service"], "POST", path);
  CHECK(service.status == 403);
  CHECK(w.call({}, "POST", path).status == 401);

  // Reading it with GET would have to make a link (a change), so GET is not served.
  const auto read = w.call(w.actors["agent_on"], "GET", path);
  CHECK(read.status == 405);
  CHECK(read.headers.at("allow") == "POST");
  CHECK(read.body.find("POST") != std::string::npos);

  CHECK(w.call_ok(w.actors["owner"], "GET", links_path)["items"].size() == before);

  // A creator taken off the roster gets no link: its page would open nothing.
  const auto owner = w.actors["owner"];
  const std::string gone =
      w.call_ok(owner, "POST", accounts_path("/creators"),
                {{"name", "Remy Gone"}, {"email", "remy@creators.test"}}, 201)["id"];
  w.call_ok(owner, "DELETE", accounts_path("/creators/" + gone), nullptr, 204);
  const auto removed =
      w.call(owner, "POST", accounts_path("/creators/" + gone + "/connect-message"));
  CHECK(removed.status == 409);
  CHECK(removed.body.find("taken off the roster") != std::string::npos);
  CHECK(w.call_ok(owner, "GET", accounts_path("/creators/" + gone + "/reconnect-links"))["items"]
            .empty());
}

TEST_CASE("the onboarding dry run reports rows with their line numbers and changes nothing",
          "[onboarding]") {
  auto& w = world();
  auto owner = w.actors["owner"];
  const auto audit_before = w.call_ok(owner, "GET", accounts_path("/audit?limit=1"));
  const std::string csv =
      "Creator Name,Creator Email,Does this creator have an account?,"
      "Emails of agency team members who require access\n"
      "Ana Lima,ana@creators.test,No,\"agent.on@agency.test, disabled@agency.test, "
      "helper@agency.test, new.person@agency.test\"\n"
      "Cleo Cruz,cleo@gmial.com,Yes,\n"
      ",nameless@creators.test,No,\n";
  auto reply =
      w.call(owner, "POST", accounts_path("/onboarding/csv?dry_run=true"), csv, "text/csv");
  REQUIRE(reply.status == 200);
  auto report = json::parse(reply.body);
  CHECK(report["applied"] == false);
  CHECK(report["summary"]["rows"] == 3);
  CHECK(report["summary"]["rows_with_errors"] == 1);
  CHECK(report["rows"][0]["action"] == "update");
  CHECK(report["rows"][0]["team_add"] == json::array({"new.person@agency.test"}));
  std::set<std::string> codes;
  for (const auto& row : report["rows"]) {
    for (const auto& issue : row["issues"]) {
      codes.insert(std::to_string(issue["line"].get<int>()) + ":" +
                   issue["code"].get<std::string>());
    }
  }
  CHECK(codes.count("3:likely_domain_typo") == 1);
  CHECK(codes.count("4:missing_name") == 1);
  CHECK(report["rows"][1]["action"] == "add");            // "Yes" is the agency's note, not checked
  CHECK(report["summary"]["creators_not_in_file"] == 1);  // Ben, reported, never deleted
  const auto audit_after = w.call_ok(owner, "GET", accounts_path("/audit?limit=1"));
  CHECK(audit_after["items"][0]["seq"] == audit_before["items"][0]["seq"]);

  // rosterctl says the same.
  write_file(w.daemon().dir() / "edit.csv", csv);
  auto cli = w.rosterctl(
      {"import", "--account", w.account, "--dry-run", (w.daemon().dir() / "edit.csv").string()});
  CHECK(cli.exit_code == 3);
  CHECK(cli.output.find("line 4 (Creator Name): error missing_name") != std::string::npos);
  CHECK(cli.output.find("column 3 (Does this creator have an account?) read as Does this "
                        "creator have a Later Social account?") != std::string::npos);
  CHECK(cli.output.find("not in the file (kept): Ben Ode") != std::string::npos);
}

TEST_CASE("the empty template downloads with the onboarding guide's headings", "[onboarding]") {
  auto reply = http_request(world().port(), "GET", "/v1/onboarding/template.csv");
  REQUIRE(reply.status == 200);
  CHECK(reply.headers.at("content-type").rfind("text/csv", 0) == 0);
  CHECK(reply.body ==
        "Creator Name,Creator Email,\"Does this creator have a Later Social account?\","
        "Emails of agency team members who require access to social profiles and campaign "
        "management in Later\r\n");
}

TEST_CASE("the downloaded template, filled in, imports and the report names each column's heading",
          "[onboarding]") {
  auto& w = world();
  auto owner = w.actors["owner"];
  auto download = http_request(w.port(), "GET", "/v1/onboarding/template.csv");
  REQUIRE(download.status == 200);
  const std::string csv = download.body + "Zoe Quinn,zoe@creators.test,No,agent.on@agency.test\r\n";
  auto reply =
      w.call(owner, "POST", accounts_path("/onboarding/csv?dry_run=true"), csv, "text/csv");
  REQUIRE(reply.status == 200);
  auto report = json::parse(reply.body);
  CHECK(report["summary"]["rows"] == 1);
  CHECK(report["summary"]["rows_with_errors"] == 0);
  CHECK(report["file_warnings"].empty());
  CHECK(report["rows"][0]["action"] == "add");
  const std::vector<std::string> fields{"name", "email", "has_account", "team_emails"};
  REQUIRE(report["columns"].size() == 4);
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const auto& c = report["columns"][i];
    CHECK(c["field"] == fields[i]);
    CHECK(c["position"] == i + 1);
    CHECK(c["heading"] == c["template_heading"]);
  }
  CHECK(report["columns"][3]["heading"] ==
        "Emails of agency team members who require access to social profiles and campaign "
        "management in Later");
}

TEST_CASE("the report says which of the agency's own headings was taken for which column",
          "[onboarding]") {
  auto& w = world();
  const std::string csv =
      "Talent,Talent e-mail,Already on Later? (Yes/No),Backup email,Agency staff emails\n"
      "Zoe Quinn,zoe@creators.test,No,zoe@yahoo.com,agent.on@agency.test\n";
  auto reply = w.call(w.actors["owner"], "POST", accounts_path("/onboarding/csv?dry_run=true"), csv,
                      "text/csv");
  REQUIRE(reply.status == 200);
  auto report = json::parse(reply.body);
  CHECK(report["summary"]["rows_with_errors"] == 0);
  std::map<std::string, std::pair<std::string, int>> taken;
  for (const auto& c : report["columns"]) {
    taken[c["field"]] = {c["heading"], c["position"]};
  }
  CHECK(taken["name"] == std::pair<std::string, int>{"Talent", 1});
  CHECK(taken["email"] == std::pair<std::string, int>{"Talent e-mail", 2});
  CHECK(taken["has_account"] == std::pair<std::string, int>{"Already on Later? (Yes/No)", 3});
  CHECK(taken["team_emails"] == std::pair<std::string, int>{"Agency staff emails", 5});
  REQUIRE(report["file_warnings"].size() == 1);
  CHECK(report["file_warnings"][0]["column"] == "Backup email");
  CHECK(report["file_warnings"][0]["code"] == "unknown_column");
}

TEST_CASE("an ambiguous heading is refused with a problem naming it", "[onboarding]") {
  auto& w = world();
  const std::string csv = "Creator name and email,Has account,Team\nZoe,No,\n";
  auto reply = w.call(w.actors["owner"], "POST", accounts_path("/onboarding/csv?dry_run=true"), csv,
                      "text/csv");
  REQUIRE(reply.status == 422);
  auto problem = json::parse(reply.body);
  CHECK(problem["errors"][0]["field"] == "file");
  CHECK_THAT(problem["errors"][0]["message"].get<std::string>(),
             Catch::StartsWith("ambiguous_column: the heading \"Creator name and email\""));
}

TEST_CASE("bad inputs answer problem+json naming what to fix, and store nothing", "[inputs]") {
  auto& w = world();
  auto owner = w.actors["owner"];
  const auto audit_before = w.call_ok(owner, "GET", accounts_path("/audit?limit=1"));
  struct bad_case {
    std::string method;
    std::string target;
    std::string body;
    std::string type;
    int status;
    std::string field;  // "" when the problem names no field
    std::string slug;
  };
  const std::string creators = accounts_path("/creators");
  const std::string a = accounts_path("/creators/" + w.creator_a);
  const std::vector<bad_case> cases{
      {"POST", "/v1/session", "{}", "application/json", 422, "email", "invalid-input"},
      {"POST", "/v1/session", "{\"email\": ", "application/json", 400, "", "malformed-json"},
      {"POST", "/v1/session", "[1,2]", "application/json", 422, "", "invalid-input"},
      {"POST", "/v1/session", "email=a", "application/x-www-form-urlencoded", 415, "",
       "unsupported-media-type"},
      {"POST", "/v1/session", R"({"email":"a@b.test","password":"x","extra":1})",
       "application/json", 422, "extra", "invalid-input"},
      {"POST", "/v1/password-reset", R"({"email":null})", "application/json", 422, "email",
       "invalid-input"},
      {"POST", "/v1/invitations/accept", R"({"token":5})", "application/json", 422, "token",
       "invalid-input"},
      {"POST", accounts_path("/members"), R"({"email":"not-an-address","role":"agent"})",
       "application/json", 422, "email", "invalid-input"},
      {"POST", accounts_path("/members"), R"({"email":"x@agency.test","role":"king"})",
       "application/json", 422, "role", "invalid-input"},
      {"POST", accounts_path("/members"), R"({"email":"x@agency.test","role":null})",
       "application/json", 422, "role", "invalid-input"},
      {"PATCH", accounts_path("/members/" + w.agent_on_user), R"({"status":"maybe"})",
       "application/json", 422, "status", "invalid-input"},
      {"PATCH", accounts_path("/members/" + w.agent_on_user), R"({"status":null})",
       "application/json", 422, "status", "invalid-input"},
      {"POST", creators, R"({"name":"","email":"z@creators.test"})", "application/json", 422,
       "name", "invalid-input"},
      {"POST", creators, R"({"name":"Zed","email":null})", "application/json", 422, "email",
       "invalid-input"},
      {"POST", creators, R"({"name":"Zed","email":"z@creators.test","team":"a@b.test"})",
       "application/json", 422, "team", "invalid-input"},
      {"POST", creators, R"({"name":"Zed","email":"z@creators.test","team":["nope"]})",
       "application/json", 422, "team/0", "invalid-input"},
      {"POST", creators, R"({"name":"Ana Again","email":"ana@creators.test"})", "application/json",
       409, "email", "conflict"},
      {"PATCH", a, R"({"display_name":"line\nbreak"})", "application/json", 422, "display_name",
       "invalid-input"},
      {"POST", a + "/team", R"({"email":"bad address"})", "application/json", 422, "email",
       "invalid-input"},
      {"POST", a + "/team", R"({"email":"ben@creators.test"})", "application/json", 409, "email",
       "conflict"},
      {"POST", accounts_path("/tokens"), R"({"name":""})", "application/json", 422, "name",
       "invalid-input"},
      {"POST", accounts_path("/tokens"), R"({"name":"t","expires_in_days":0})", "application/json",
       422, "expires_in_days", "invalid-input"},
      {"POST", accounts_path("/onboarding/csv?dry_run=false"), "a,b\n", "application/json", 415, "",
       "unsupported-media-type"},
      {"POST", accounts_path("/onboarding/csv?dry_run=false"),
       "Creator Name,Creator Email,Does this creator have an account?,Emails of agency team "
       "members who require access\n\"Ana,ana@creators.test,No,\n",
       "text/csv", 422, "file", "invalid-csv"},
      {"POST", accounts_path("/onboarding/csv?dry_run=false"), "Name,Email\nAna,a@b.test\n",
       "text/csv", 422, "file", "invalid-csv"},
      {"POST", accounts_path("/onboarding/csv?dry_run=maybe"), "x", "text/csv", 422, "dry_run",
       "invalid-input"},
      {"GET", creators + "?limit=0", "", "", 422, "limit", "invalid-input"},
      {"GET", creators + "?cursor=zz", "", "", 422, "cursor", "invalid-input"},
      {"GET", accounts_path("/audit?cursor=abc"), "", "", 422, "cursor", "invalid-input"},
      {"GET", accounts_path("/invitations?status=bogus"), "", "", 422, "status", "invalid-input"},
  };
  for (const auto& c : cases) {
    auto reply = w.call(owner, c.method, c.target, c.body, c.type);
    INFO(c.method << " " << c.target << " " << c.body << " -> " << reply.status << " "
                  << reply.body);
    CHECK(reply.status == c.status);
    auto p = problem_of(reply);
    CHECK(p["type"] == "/problems/" + c.slug);
    CHECK(p.contains("request_id"));
    if (!c.field.empty()) {
      CHECK(names_field(p, c.field));
    }
  }
  const auto audit_after = w.call_ok(owner, "GET", accounts_path("/audit?limit=1"));
  CHECK(audit_after["items"][0]["seq"] == audit_before["items"][0]["seq"]);
  const auto list = w.call_ok(owner, "GET", creators);
  for (const auto& c : list["items"]) {
    CHECK(c["email"] != "z@creators.test");
  }
}

TEST_CASE("a removed team member loses the creator on the very next request", "[creators]") {
  auto& w = world();
  auto owner = w.actors["owner"];
  auto agent = w.actors["agent_off"];
  const auto path = accounts_path("/creators/" + w.creator_b);
  REQUIRE(w.call(agent, "GET", path).status == 200);
  w.call_ok(owner, "DELETE", path + "/team/" + w.agent_off_user, nullptr, 204);
  CHECK(w.call(agent, "GET", path).status == 404);
  w.call_ok(owner, "POST", path + "/team", {{"email", "agent.off@agency.test"}}, 201);
  CHECK(w.call(agent, "GET", path).status == 200);
}

TEST_CASE(
    "an agency is told the same about a rival's member as about a stranger, "
    "and the rival's member joins only by accepting",
    "[privacy]") {
  auto& w = world();
  auto owner = w.actors["owner"];
  auto boss = w.actors["foreign_admin"];
  // Someone who signed up with the rival agency.
  w.call_ok(boss, "POST", "/v1/accounts/" + w.rival_account + "/members",
            {{"email", "rival.helper@rival.test"}, {"role", "agent"}}, 201);
  w.accept(w.token_in_mail("rival.helper@rival.test"), "Rita Rival");
  auto rita = w.login("rival.helper@rival.test", api_world::password);

  // A dry run naming her reads exactly as one naming a stranger.
  // A dry run naming her, as a team member or as a creator (with either answer), reads
  // exactly as one naming a stranger.
  const std::string heading =
      "Creator Name,Creator Email,Does this creator have a Later Social account?,Team\n";
  const std::vector<std::string> rows{"Quinn Zed,quinn.zed@creators.test,No,ADDRESS\n",
                                      "Rita,ADDRESS,Yes,\n", "Rita,ADDRESS,No,\n"};
  auto dry_run = [&](const std::string& row, const std::string& address) {
    std::string csv = heading + row;
    csv.replace(csv.find("ADDRESS"), 7, address);
    auto reply =
        w.call(owner, "POST", accounts_path("/onboarding/csv?dry_run=true"), csv, "text/csv");
    REQUIRE(reply.status == 200);
    std::string text = reply.body;
    for (auto at = text.find(address); at != std::string::npos; at = text.find(address, at)) {
      text.replace(at, address.size(), "ADDRESS");
    }
    return text;
  };
  for (const auto& row : rows) {
    INFO(row);
    const auto about_stranger = dry_run(row, "stranger.q@rival.test");
    CHECK(dry_run(row, "rival.helper@rival.test") == about_stranger);
    CHECK(json::parse(about_stranger)["summary"]["rows_with_errors"] == 0);
    CHECK(json::parse(about_stranger)["notices"].empty());
  }

  // Invited as members, the member list and the invitations board say the same about both.
  for (const std::string address : {"rival.helper@rival.test", "stranger.q@rival.test"}) {
    w.call_ok(owner, "POST", accounts_path("/members"), {{"email", address}, {"role", "agent"}},
              201);
  }
  std::map<std::string, json> member;
  const auto members = w.call_ok(owner, "GET", accounts_path("/members"));
  for (auto m : members["items"]) {
    const std::string email = m["email"];
    m.erase("email");
    m.erase("user_id");
    m.erase("created_at");
    member[email] = m;
  }
  CHECK(member.at("rival.helper@rival.test") == member.at("stranger.q@rival.test"));
  CHECK(member.at("rival.helper@rival.test")["signed_up"] == false);
  CHECK(member.at("rival.helper@rival.test")["display_name"] == "");
  std::map<std::string, json> invitation;
  const auto board = w.call_ok(owner, "GET", accounts_path("/invitations"));
  for (const auto& i : board["items"]) {
    invitation[i["email"]] =
        json{{"status", i["status"]}, {"kind", i["kind"]}, {"sends", i["sends"]}};
  }
  CHECK(invitation.at("rival.helper@rival.test") == invitation.at("stranger.q@rival.test"));
  CHECK(invitation.at("rival.helper@rival.test")["status"] == "pending");

  // Until she accepts, the account is not hers to see.
  CHECK(w.call(rita, "GET", accounts_path()).status == 404);
  CHECK(w.call_ok(rita, "GET", "/v1/accounts")["items"].size() == 1);
  const auto token = w.token_in_mail("rival.helper@rival.test", 2);
  // Only she reads her mail: it does not ask her to choose a password she already has.
  const auto mail = w.wait_for_mail("rival.helper@rival.test", 2);
  CHECK(mail.find("choose your password") == std::string::npos);
  CHECK(mail.find("you already have a password") != std::string::npos);
  CHECK(w.wait_for_mail("stranger.q@rival.test").find("choose your password") != std::string::npos);
  auto preview = w.call({}, "POST", "/v1/invitations/inspect", json{{"token", token}}.dump());
  REQUIRE(preview.status == 200);
  CHECK(json::parse(preview.body)["needs_password"] == false);
  auto accepted = w.call({}, "POST", "/v1/invitations/accept", json{{"token", token}}.dump());
  REQUIRE(accepted.status == 200);
  CHECK(w.call(rita, "GET", accounts_path()).status == 200);
  CHECK(w.call_ok(rita, "GET", "/v1/accounts")["items"].size() == 2);
}
