#include "api_world.hpp"

#include <cstdio>
#include <cstdlib>
#include <thread>

#include <catch2/catch.hpp>

namespace rosterd::testing {
namespace {

int hex(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  return -1;
}

std::string cookie_from(const http_reply& r) {
  auto it = r.headers.find("set-cookie");
  if (it == r.headers.end()) {
    return "";
  }
  return it->second.substr(0, it->second.find(';'));
}

}  // namespace

const std::string api_world::roster_csv =
    "Creator Name,Creator Email,Does this creator have an account?,"
    "Emails of agency team members who require access\r\n"
    "Ana Lima,ana@creators.test,No,\"agent.on@agency.test, disabled@agency.test, "
    "helper@agency.test\"\r\n"
    "Ben Ode,ben@creators.test,No,\"agent.off@agency.test; helper@agency.test\"\r\n";

std::string decode_quoted_printable(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '=' && i + 2 < text.size() && text[i + 1] == '\r' && text[i + 2] == '\n') {
      i += 2;
    } else if (text[i] == '=' && i + 1 < text.size() && text[i + 1] == '\n') {
      i += 1;
    } else if (text[i] == '=' && i + 2 < text.size() && hex(text[i + 1]) >= 0 &&
               hex(text[i + 2]) >= 0) {
      out += static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

api_world::api_world(const std::string& config_tail) {
  pki_ = std::make_unique<notify::testing::test_pki>();
  notify::testing::fake_smtp_server::options smtp_options;
  smtp_options.login = std::pair<std::string, std::string>{"rosterd", "smtp-secret-1"};
  smtp_ = std::make_unique<notify::testing::fake_smtp_server>(*pki_, smtp_options);
  const auto password_file = pki_->ca_certificate().parent_path() / "smtp.password";
  write_file(password_file, "smtp-secret-1\n");
  const std::string tail =
      "\n[mail]\n"
      "smtp_url = \"smtp://127.0.0.1:" +
      std::to_string(smtp_->port()) +
      "\"\n"
      "tls = \"starttls\"\n"
      "username = \"rosterd\"\n"
      "password_file = \"" +
      password_file.string() +
      "\"\n"
      "ca_file = \"" +
      pki_->ca_certificate().string() +
      "\"\n"
      "from_address = \"roster@agency.test\"\n"
      "retry_initial = \"1s\"\n"
      "retry_max = \"2s\"\n" +
      config_tail;
  daemon_ = std::make_unique<daemon_harness>(test_config("", tail));
  REQUIRE(daemon_->wait_ready());
  actors["anonymous"] = {};

  // Two agencies, made the way an operator would.
  auto first = rosterctl(
      {"bootstrap", "--name", "Talent Partnerships", "--owner-email", "owner@agency.test"});
  REQUIRE(first.exit_code == 0);
  account = first.output.substr(first.output.find("acc_"), 28);
  const auto owner_token = first.output.substr(first.output.find("token=") + 6, 49);
  auto second = rosterctl(
      {"bootstrap", "--name", std::string(canary) + " Agency", "--owner-email", "boss@rival.test"});
  REQUIRE(second.exit_code == 0);
  rival_account = second.output.substr(second.output.find("acc_"), 28);
  const auto boss_token = second.output.substr(second.output.find("token=") + 6, 49);

  actors["owner"] = accept(owner_token, "Olive Owner");
  actors["foreign_admin"] = accept(boss_token, "Boss Rival");
  const auto& owner = actors["owner"];

  // The agency's roster, applied over HTTP; invitations arrive by email.
  auto applied = call(owner, "POST", "/v1/accounts/" + account + "/onboarding/csv?dry_run=false",
                      roster_csv, "text/csv");
  REQUIRE(applied.status == 200);
  auto report = json::parse(applied.body);
  REQUIRE(report["summary"]["creators_to_add"] == 2);
  creator_a = report["rows"][0]["creator_id"];
  creator_b = report["rows"][1]["creator_id"];
  call_ok(owner, "POST", "/v1/accounts/" + account + "/members",
          {{"email", "admin@agency.test"}, {"role", "admin"}}, 201);
  pending_invitation =
      call_ok(owner, "POST", "/v1/accounts/" + account + "/members",
              {{"email", "pending@agency.test"}, {"role", "agent"}}, 201)["user_id"];

  actors["admin"] = accept(token_in_mail("admin@agency.test"), "Ada Admin");
  actors["agent_on"] = accept(token_in_mail("agent.on@agency.test"), "Otto On");
  actors["agent_off"] = accept(token_in_mail("agent.off@agency.test"), "Fay Off");
  actors["creator"] = accept(token_in_mail("ana@creators.test"));
  actors["other_creator"] = accept(token_in_mail("ben@creators.test"));
  actors["disabled"] = accept(token_in_mail("disabled@agency.test"), "Dis Abled");
  agent_on_user = actors["agent_on"].user_id;
  agent_off_user = actors["agent_off"].user_id;

  // The pending invitation's id, from the status board.
  auto board = call_ok(owner, "GET", "/v1/accounts/" + account + "/invitations?status=pending");
  for (const auto& i : board["items"]) {
    if (i["email"] == "pending@agency.test") {
      pending_invitation = i["id"];
    }
    if (i["email"] == "helper@agency.test") {
      helper_user = i["user_id"];
    }
  }
  REQUIRE(pending_invitation.rfind("inv_", 0) == 0);
  REQUIRE(helper_user.rfind("usr_", 0) == 0);

  // The rival agency: a canary creator and a pending invitation.
  const auto& boss = actors["foreign_admin"];
  auto rival = call(boss, "POST", "/v1/accounts/" + rival_account + "/onboarding/csv?dry_run=false",
                    "Creator Name,Creator Email,Does this creator have an account?,"
                    "Emails of agency team members who require access\n" +
                        std::string(canary) + " Creator,canary-q7x@rival.test,No,\n",
                    "text/csv");
  REQUIRE(rival.status == 200);
  creator_c = json::parse(rival.body)["rows"][0]["creator_id"];
  rival_member_user =
      call_ok(boss, "POST", "/v1/accounts/" + rival_account + "/members",
              {{"email", "rival.agent@rival.test"}, {"role", "agent"}}, 201)["user_id"];
  const auto rival_board =
      call_ok(boss, "GET", "/v1/accounts/" + rival_account + "/invitations?status=pending");
  for (const auto& i : rival_board["items"]) {
    if (i["email"] == "rival.agent@rival.test") {
      rival_pending_invitation = i["id"];
    }
  }

  // Tokens: the owner's personal one, a service token used as a caller, and a spare.
  owner_personal_token = call_ok(owner, "POST", "/v1/accounts/" + account + "/tokens",
                                 {{"name", "owner laptop"}}, 201)["id"];
  auto service = call_ok(owner, "POST", "/v1/accounts/" + account + "/service-tokens",
                         {{"name", "token broker"}}, 201);
  actors["service"] = credentials{"", "", service["token"], ""};
  spare_service_token = call_ok(owner, "POST", "/v1/accounts/" + account + "/service-tokens",
                                {{"name", "spare"}}, 201)["id"];

  // Disabled last, after they signed in: the session stays, the membership does not count.
  call_ok(owner, "PATCH", "/v1/accounts/" + account + "/members/" + actors["disabled"].user_id,
          {{"status", "disabled"}}, 204);
}

api_world::~api_world() {
  // ROSTERD_TEST_LOG=1 shows what the daemon said, for a failing run.
  if (std::getenv("ROSTERD_TEST_LOG") != nullptr && daemon_) {
    std::fprintf(stderr, "--- rosterd log ---\n%s\n", daemon_log().c_str());
  }
}

http_reply api_world::call(const credentials& who, const std::string& method,
                           const std::string& target, const std::string& body,
                           const std::string& content_type) {
  std::map<std::string, std::string> headers;
  if (!body.empty()) {
    headers["Content-Type"] = content_type;
  }
  if (!who.cookie.empty()) {
    headers["Cookie"] = who.cookie;
    headers["X-CSRF-Token"] = who.csrf;
  }
  if (!who.bearer.empty()) {
    headers["Authorization"] = "Bearer " + who.bearer;
  }
  try {
    return http_request(port(), method, target, body, headers, std::chrono::seconds(30));
  } catch (const std::exception& e) {
    UNSCOPED_INFO(method << " " << target << " failed: " << e.what() << "\n--- rosterd log ---\n"
                         << daemon_log());
    throw;
  }
}

json api_world::call_ok(const credentials& who, const std::string& method,
                        const std::string& target, const json& body, int expected) {
  auto reply = call(who, method, target, body.is_null() ? std::string() : body.dump());
  INFO(method << " " << target << " -> " << reply.status << " " << reply.body);
  REQUIRE(reply.status == expected);
  return reply.body.empty() ? json() : json::parse(reply.body);
}

credentials api_world::login(const std::string& email, const std::string& pw) {
  auto reply = call({}, "POST", "/v1/session", json{{"email", email}, {"password", pw}}.dump());
  INFO(reply.body);
  REQUIRE(reply.status == 200);
  auto body = json::parse(reply.body);
  return {cookie_from(reply), body["csrf_token"], "", body["user"]["id"]};
}

std::string api_world::wait_for_mail(const std::string& recipient, std::size_t nth) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    std::size_t seen = 0;
    for (const auto& m : smtp_->delivered()) {
      if (m.envelope.find("RCPT TO:<" + recipient + ">") != std::string::npos && ++seen == nth) {
        return decode_quoted_printable(m.data);
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  FAIL("no mail #" << nth << " to " << recipient << " within 20 s");
  return "";
}

std::string api_world::token_in_mail(const std::string& recipient, std::size_t nth) {
  const auto body = wait_for_mail(recipient, nth);
  const auto at = body.rfind("token=");
  REQUIRE(at != std::string::npos);
  return body.substr(at + 6, 49);  // rdinv_ + 43
}

credentials api_world::accept(const std::string& token, const std::string& display_name) {
  json body{{"token", token}, {"password", password}};
  if (!display_name.empty()) {
    body["display_name"] = display_name;
  }
  auto reply = call({}, "POST", "/v1/invitations/accept", body.dump());
  INFO(reply.body);
  REQUIRE(reply.status == 200);
  auto parsed = json::parse(reply.body);
  return {cookie_from(reply), parsed["csrf_token"], "", parsed["user"]["id"]};
}

run_result api_world::rosterctl(const std::vector<std::string>& args) {
  std::vector<std::string> full{"--config", (daemon_->dir() / "rosterd.toml").string()};
  full.insert(full.end(), args.begin(), args.end());
  return run_to_end(rosterctl_binary(), full, {}, std::chrono::seconds(60));
}

std::string api_world::daemon_log() const {
  return read_file(daemon_->dir() / "rosterd.log");
}

}  // namespace rosterd::testing
