#include "api_world.hpp"

#include <cstdio>
#include <cstdlib>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>

#include "oauth/https_client.hpp"
#include "oauth/profile.hpp"
#include "vault/keyring.hpp"

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

/// [vault] and [oauth] for the world: every provider at the provider test server.
std::string oauth_config(const fake_provider& fake, const std::filesystem::path& ca,
                         const std::filesystem::path& dir) {
  const auto key = dir / "vault.key";
  write_file(key, std::string(vault::generate_key_file_line(1).reveal()) + "\n");
  std::filesystem::permissions(
      key, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  std::string out = "\n[vault]\nkey_file = \"" + key.string() + "\"\n[oauth]\nca_file = \"" +
                    ca.string() + "\"\nconnect_timeout = \"2s\"\ntotal_timeout = \"5s\"\n";
  const auto quoted = [](const std::string& v) { return "\"" + v + "\""; };
  for (const char* id : {"instagram", "facebook", "instagram_facebook", "tiktok", "pinterest"}) {
    const auto profile = oauth::find_builtin_profile(id).value();
    const std::string client = std::string(id) == "instagram_facebook" ? "facebook" : id;
    const auto secret = dir / (client + ".secret");
    write_file(secret, "secret-" + client + "\n");
    out += "[oauth.providers." + std::string(id) + "]\nclient_id = \"test-" + client +
           "\"\nclient_secret_file = \"" + secret.string() + "\"\n";
    out += "authorize_url = " + quoted(fake.url(profile.authorize_url)) + "\n";
    out += "token_url = " + quoted(fake.url(profile.token_url)) + "\n";
    out += "identity_url = " + quoted(fake.url(profile.identity_url)) + "\n";
    for (const auto& [key_name, url] : {std::pair{"long_lived_url", profile.long_lived_url},
                                        std::pair{"refresh_url", profile.refresh_url},
                                        std::pair{"revoke_url", profile.revoke_url},
                                        std::pair{"debug_token_url", profile.debug_token_url},
                                        std::pair{"pages_url", profile.pages_url}}) {
      if (url) {
        out += std::string(key_name) + " = " + quoted(fake.url(*url)) + "\n";
      }
    }
    // Facebook keeps its Pages' tokens; instagram_facebook shows the default (off).
    if (std::string(id) == "facebook") {
      out += "page_tokens = true\n";
    }
  }
  const auto generic_secret = dir / "generic.secret";
  write_file(generic_secret, "secret-generic\n");
  out +=
      "[oauth.providers.acme]\nkind = \"generic\"\ndisplay_name = \"Acme Social\"\n"
      "client_id = \"test-generic\"\nclient_secret_file = \"" +
      generic_secret.string() +
      "\"\nauthorize_url = " + quoted(fake.url("https://generic.example/authorize")) +
      "\ntoken_url = " + quoted(fake.url("https://generic.example/token")) +
      "\nidentity_url = " + quoted(fake.url("https://generic.example/userinfo")) +
      "\nrevoke_url = " + quoted(fake.url("https://generic.example/revoke")) +
      "\nscopes = [\"profile\"]\n";
  return out;
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

api_world::api_world(const std::string& config_tail,
                     const std::function<std::string(const fake_provider&)>& provider_tail) {
  pki_ = std::make_unique<notify::testing::test_pki>();
  provider_ = std::make_unique<fake_provider>(*pki_);
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
      oauth_config(*provider_, pki_->ca_certificate(), key_dir_.path()) + config_tail +
      (provider_tail ? "\n" + provider_tail(*provider_) : std::string());
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

  // Connections: each creator connects TikTok through a link; a second link stays usable.
  const auto connect_with_link = [&](const credentials& admin, const std::string& acc,
                                     const std::string& creator, std::string& connection,
                                     std::string& link) {
    browser b;
    auto trace = connect(b, make_link(admin, acc, creator, {"tiktok"}), "tiktok");
    INFO(trace.result.body);
    REQUIRE(trace.result.status == 200);
    auto listed =
        call_ok(admin, "GET", "/v1/accounts/" + acc + "/creators/" + creator + "/connections");
    REQUIRE(listed["items"].size() == 1);
    connection = listed["items"][0]["id"];
    auto made =
        call_ok(admin, "POST", "/v1/accounts/" + acc + "/creators/" + creator + "/reconnect-links",
                json::object(), 201);
    link = made["id"];
  };
  connect_with_link(owner, account, creator_a, connection_a, link_a);
  connect_with_link(owner, account, creator_b, connection_b, link_b);
  connect_with_link(boss, rival_account, creator_c, connection_c, link_c);

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

const std::vector<std::string> api_world::provider_ids{
    "acme", "facebook", "instagram", "instagram_facebook", "pinterest", "tiktok"};

std::filesystem::path api_world::vault_key_file() const {
  return key_dir_.path() / "vault.key";
}

std::string api_world::make_link(const credentials& who, const std::string& account_id,
                                 const std::string& creator,
                                 const std::vector<std::string>& providers) {
  json body = json::object();
  if (!providers.empty()) {
    body["providers"] = providers;
  }
  auto made = call_ok(who, "POST",
                      "/v1/accounts/" + account_id + "/creators/" + creator + "/reconnect-links",
                      body, 201);
  const std::string url = made["url"];
  return url.substr(url.rfind('/') + 1);
}

http_reply api_world::browse(browser& b, const std::string& method, const std::string& target,
                             const std::string& body) {
  std::map<std::string, std::string> headers;
  if (!b.cookie.empty()) {
    headers["Cookie"] = b.cookie;
  }
  if (!body.empty()) {
    headers["Content-Type"] = "application/x-www-form-urlencoded";
  }
  auto reply = http_request(port(), method, target, body, headers, std::chrono::seconds(30));
  if (auto it = reply.headers.find("set-cookie"); it != reply.headers.end()) {
    b.cookie = it->second.substr(0, it->second.find(';'));
  }
  return reply;
}

oauth::http_response api_world::https_get(const std::string& url) {
  boost::asio::io_context io;
  oauth::https_settings settings;
  settings.ca_file = pki_->ca_certificate();
  auto client = oauth::https_client::create(settings).value();
  oauth::http_request request;
  request.url = url;
  auto pending = boost::asio::co_spawn(io, client.send(request), boost::asio::use_future);
  io.run();
  auto answer = std::optional<base::result<oauth::http_response>>(pending.get());
  INFO(url);
  REQUIRE(answer->has_value());
  return std::move(answer->value());
}

api_world::connect_trace api_world::connect(browser& b, const std::string& link_token,
                                            const std::string& provider) {
  connect_trace t;
  t.page = browse(b, "GET", "/connect/" + link_token);
  INFO(t.page.body);
  REQUIRE(t.page.status == 200);
  t.start = browse(b, "POST", "/connect/" + link_token + "/start", "provider=" + provider);
  INFO(t.start.body);
  REQUIRE(t.start.status == 303);
  t.authorize = https_get(t.start.headers.at("location"));
  INFO(t.authorize.body);
  REQUIRE(t.authorize.status == 302);
  auto location = t.authorize.header("location").value();
  location = location.substr(0, location.find('#'));  // Instagram's "#_", Meta's "#_=_"
  const auto path_start = location.find("/oauth/");
  REQUIRE(path_start != std::string::npos);
  t.callback_target = location.substr(path_start);
  t.callback = browse(b, "GET", t.callback_target);
  INFO(t.callback.body);
  if (t.callback.status == 303) {
    t.result = browse(b, "GET", t.callback.headers.at("location"));
  }
  return t;
}

std::string api_world::daemon_log() const {
  return read_file(daemon_->dir() / "rosterd.log");
}

}  // namespace rosterd::testing
