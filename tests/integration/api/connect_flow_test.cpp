// Creators connecting their profiles, end to end: the real rosterd, a real browser's requests
// (cookies and redirects followed by hand), and the provider test server speaking each
// platform's protocol over TLS with the test CA.

#include <algorithm>

#include <catch2/catch.hpp>

#include "lifecycle/connections.hpp"
#include "store/database.hpp"
#include "store/statement.hpp"
#include "tests/integration/api/api_world.hpp"
#include "vault/keyring.hpp"

using namespace rosterd;
using namespace rosterd::testing;

namespace {

std::string connections_path(const api_world& w, const std::string& creator) {
  return "/v1/accounts/" + w.account + "/creators/" + creator + "/connections";
}

json connection_for(api_world& w, const credentials& who, const std::string& creator,
                    const std::string& provider) {
  const auto listed = w.call_ok(who, "GET", connections_path(w, creator));
  for (const auto& c : listed["items"]) {
    if (c["provider"] == provider) {
      return c;
    }
  }
  return nullptr;
}

/// The value of query parameter `name` in `url`.
std::string query_value(const std::string& url, const std::string& name) {
  const auto at = url.find(name + "=");
  REQUIRE(at != std::string::npos);
  const auto start = at + name.size() + 1;
  return url.substr(start, url.find('&', start) - start);
}

/// The stored tokens of a connection, opened with the world's vault key.
std::vector<std::string> stored_tokens(api_world& w, const std::string& connection_id) {
  auto keys = vault::keyring::load_file(w.vault_key_file()).value();
  auto db =
      store::database::open(w.daemon().dir() / "state" / "rosterd.db", store::open_mode::read_only)
          .value();
  auto st = db.prepare("SELECT access_token, refresh_token FROM connections WHERE id = ?").value();
  st.bind_all(connection_id);
  REQUIRE(st.step().value());
  std::vector<std::string> out;
  out.emplace_back(keys.open(st.column_blob(0), {"connections", connection_id, "access_token"})
                       .value()
                       .reveal());
  if (!st.column_is_null(1)) {
    out.emplace_back(keys.open(st.column_blob(1), {"connections", connection_id, "refresh_token"})
                         .value()
                         .reveal());
  }
  return out;
}

/// The stored token of one of a connection's Pages, opened with the world's vault key.
std::string stored_page_token(api_world& w, const std::string& connection_id,
                              const std::string& page_id) {
  auto keys = vault::keyring::load_file(w.vault_key_file()).value();
  auto db =
      store::database::open(w.daemon().dir() / "state" / "rosterd.db", store::open_mode::read_only)
          .value();
  auto st = db.prepare(
                  "SELECT id, access_token FROM connection_pages WHERE connection_id = ? AND "
                  "page_id = ?")
                .value();
  st.bind_all(connection_id, page_id);
  REQUIRE(st.step().value());
  const auto row = st.column_text(0);
  return std::string(
      keys.open(st.column_blob(1), {"connection_pages", row, "access_token"}).value().reveal());
}

std::int64_t stored_page_count(api_world& w) {
  auto db =
      store::database::open(w.daemon().dir() / "state" / "rosterd.db", store::open_mode::read_only)
          .value();
  auto st = db.prepare("SELECT COUNT(*) FROM connection_pages").value();
  REQUIRE(st.step().value());
  return st.column_int64(0);
}

std::string read_all_files_in(const std::filesystem::path& dir) {
  std::string all;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) {
      all += read_file(entry.path());
    }
  }
  return all;
}

}  // namespace

TEST_CASE("a creator connects every platform from one link; the team sees it; tokens stay sealed",
          "[connect][e2e]") {
  api_world w;
  const auto token = w.make_link(w.actors["agent_on"], w.account, w.creator_a);
  api_world::browser browser;
  // The world connected Ana's TikTok before this link was made: the link may still reconnect
  // it, and is done once every platform it names was connected through it.
  for (const auto& provider : api_world::provider_ids) {
    INFO(provider);
    auto trace = w.connect(browser, token, provider);
    CHECK(trace.callback.status == 303);
    CHECK(trace.callback.headers["cache-control"] == "no-store");
    CHECK(trace.callback.headers["referrer-policy"] == "no-referrer");
    REQUIRE(trace.result.status == 200);
    CHECK(trace.result.body.find("is connected") != std::string::npos);

    const auto c = connection_for(w, w.actors["agent_on"], w.creator_a, provider);
    REQUIRE(c.is_object());
    CHECK(c["status"] == "connected");
    CHECK_FALSE(c["external_id"].get<std::string>().empty());
    CHECK_FALSE(c["access_expires_at"].is_null());
    if (provider == "instagram") {
      CHECK(c["refreshable"] == true);
      // The token's own expiry, moved by each renewal: reminders wait until renewal fails.
      CHECK(c["reauth_due_at"] == c["access_expires_at"]);
    }
    if (provider == "facebook" || provider == "instagram_facebook") {
      CHECK(c["refreshable"] == false);
      CHECK_FALSE(c["reauth_due_at"].is_null());  // only the creator can renew it
      CHECK_FALSE(c["data_access_expires_at"].is_null());
    }
    if (provider == "tiktok" || provider == "pinterest" || provider == "acme") {
      CHECK(c["refreshable"] == true);
    }
    if (provider == "tiktok" || provider == "pinterest") {
      CHECK_FALSE(c["refresh_expires_at"].is_null());
    }
    // The creator's tokens: nowhere in clear, not in the database files, not in the log.
    const auto tokens = stored_tokens(w, c["id"]);
    const auto files = read_all_files_in(w.daemon().dir() / "state");
    const auto log = w.daemon_log();
    for (const auto& t : tokens) {
      CHECK(t.size() > 8);
      CHECK(files.find(t) == std::string::npos);
      CHECK(log.find(t) == std::string::npos);
    }
  }
  // Every platform the link named is connected: the link is dead.
  auto done = w.browse(browser, "GET", "/connect/" + token);
  CHECK(done.status == 410);
  CHECK(done.body.find("connected") != std::string::npos);

  // The team sees what happened; the agent on another team does not.
  const auto events =
      w.call_ok(w.actors["agent_on"], "GET",
                "/v1/accounts/" + w.account + "/creators/" + w.creator_a + "/connection-events");
  CHECK(events["items"].size() >= api_world::provider_ids.size());
  CHECK(w.call(w.actors["agent_off"], "GET", connections_path(w, w.creator_a)).status == 404);

  // A reconnect to another platform account is flagged.
  w.provider_fake().configure("tiktok", R"({"different_account": true})");
  const auto again = w.make_link(w.actors["owner"], w.account, w.creator_a, {"tiktok"});
  auto trace = w.connect(browser, again, "tiktok");
  REQUIRE(trace.result.status == 200);
  CHECK(trace.result.body.find("different account") != std::string::npos);
  const auto changed = connection_for(w, w.actors["owner"], w.creator_a, "tiktok");
  CHECK_FALSE(changed["previous_external_id"].is_null());

  // The creator disconnects: the platform is asked to revoke, the tokens are gone.
  const auto revokes = w.provider_fake().calls("tiktok", "revoke");
  w.call_ok(w.actors["creator"], "DELETE",
            "/v1/accounts/" + w.account + "/connections/" + changed["id"].get<std::string>(),
            nullptr, 204);
  CHECK(w.provider_fake().calls("tiktok", "revoke") == revokes + 1);
  const auto gone = connection_for(w, w.actors["owner"], w.creator_a, "tiktok");
  CHECK(gone["status"] == "disconnected");
}

TEST_CASE("bad callbacks are refused before any call to the token endpoint", "[connect][e2e]") {
  api_world w;
  auto& fake = w.provider_fake();
  const auto token_calls = [&] {
    return fake.calls("tiktok", "token") + fake.calls("pinterest", "token");
  };
  const auto connected = [&] {
    return connection_for(w, w.actors["owner"], w.creator_a, "pinterest").is_object();
  };
  const auto token = w.make_link(w.actors["owner"], w.account, w.creator_a, {"pinterest"});

  // A real attempt, stopped where the platform hands the browser back.
  api_world::browser browser;
  REQUIRE(w.browse(browser, "GET", "/connect/" + token).status == 200);
  auto start = w.browse(browser, "POST", "/connect/" + token + "/start", "provider=pinterest");
  REQUIRE(start.status == 303);
  auto authorize = w.https_get(start.headers.at("location"));
  REQUIRE(authorize.status == 302);
  auto location = authorize.header("location").value();
  const auto callback = location.substr(location.find("/oauth/"));
  const auto state = query_value(callback, "state");
  const auto code = query_value(callback, "code");
  const auto before = token_calls();

  struct bad_case {
    std::string name;
    std::string target;
    bool with_cookie;
    std::string slug;
  };
  const std::vector<bad_case> cases{
      {"no state", "/oauth/pinterest/callback?code=" + code, true, "malformed"},
      {"unknown state",
       "/oauth/pinterest/callback?code=" + code + "&state=rdst_" + std::string(43, 'A'), true,
       "state_unknown"},
      {"forged state", "/oauth/pinterest/callback?code=" + code + "&state=forged", true,
       "state_unknown"},
      {"another provider's path", "/oauth/tiktok/callback?code=" + code + "&state=" + state, true,
       "state_wrong_provider"},
      // The mix-up burned the attempt: even its own browser and path are refused now.
      {"the burned attempt", callback, true, "state_used"},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    api_world::browser stranger;
    auto reply = w.browse(c.with_cookie ? browser : stranger, "GET", c.target);
    CHECK(reply.status == 400);
    CHECK(reply.headers["cache-control"] == "no-store");
    CHECK(token_calls() == before);
    CHECK_FALSE(connected());
  }

  // A fresh attempt completed from another browser is refused, and burned for the first one.
  auto second = w.browse(browser, "POST", "/connect/" + token + "/start", "provider=pinterest");
  auto second_authorize = w.https_get(second.headers.at("location"));
  auto second_location = second_authorize.header("location").value();
  const auto second_callback = second_location.substr(second_location.find("/oauth/"));
  api_world::browser other_browser;
  CHECK(w.browse(other_browser, "GET", "/connect/" + token).status == 200);  // has its cookie
  CHECK(w.browse(other_browser, "GET", second_callback).status == 400);
  CHECK(w.browse(browser, "GET", second_callback).status == 400);
  CHECK(token_calls() == before);

  // The platform's "no": a page that explains, an event for the team, no token call.
  fake.configure("pinterest", R"({"consent": "deny"})");
  auto denied = w.connect(browser, token, "pinterest");
  REQUIRE(denied.result.status == 200);
  CHECK(denied.result.body.find("was not connected") != std::string::npos);
  CHECK(denied.result.body.find("Try again") != std::string::npos);
  CHECK(token_calls() == before);
  const auto events =
      w.call_ok(w.actors["agent_on"], "GET",
                "/v1/accounts/" + w.account + "/creators/" + w.creator_a + "/connection-events");
  REQUIRE_FALSE(events["items"].empty());
  CHECK(events["items"][0]["kind"] == "connect_denied");

  // A good callback works once; its replay is refused without a second exchange.
  fake.configure("pinterest", R"({"consent": "allow"})");
  auto good = w.connect(browser, token, "pinterest");
  REQUIRE(good.result.status == 200);
  CHECK(token_calls() == before + 1);
  CHECK(w.browse(browser, "GET", good.callback_target).status == 400);
  CHECK(token_calls() == before + 1);
}

TEST_CASE("a signed-in creator connects their own profile; agents cannot start it for them",
          "[connect][e2e]") {
  api_world w;
  const auto path = "/v1/accounts/" + w.account + "/connect/tiktok";
  CHECK(w.call(w.actors["agent_on"], "POST", path).status == 403);
  CHECK(w.call(w.actors["owner"], "POST", path).status == 403);
  auto started = w.call(w.actors["creator"], "POST", path);
  REQUIRE(started.status == 201);
  const auto body = json::parse(started.body);
  const std::string binding = started.headers.at("set-cookie");
  api_world::browser browser{binding.substr(0, binding.find(';'))};
  auto authorize = w.https_get(body["authorize_url"]);
  REQUIRE(authorize.status == 302);
  auto location = authorize.header("location").value();
  auto callback = w.browse(browser, "GET", location.substr(location.find("/oauth/")));
  REQUIRE(callback.status == 303);
  auto result = w.browse(browser, "GET", callback.headers.at("location"));
  CHECK(result.status == 200);
  CHECK(result.body.find("is connected") != std::string::npos);
  // Another creator's browser cannot see that result page.
  api_world::browser stranger;
  CHECK(w.browse(stranger, "GET", callback.headers.at("location")).status == 400);
  // Taken off the roster, the creator's "try again" from the same browser no longer starts one.
  const auto retry = callback.headers.at("location") + "/retry";
  CHECK(w.browse(browser, "POST", retry).status == 303);
  w.call_ok(w.actors["owner"], "PATCH",
            "/v1/accounts/" + w.account + "/members/" + w.actors["creator"].user_id,
            {{"status", "disabled"}}, 204);
  CHECK(w.browse(browser, "POST", retry).status == 403);
}

TEST_CASE("Facebook Pages are kept with sealed tokens, listed without them, gone on disconnect",
          "[connect][e2e][pages]") {
  api_world w;  // page_tokens = true for facebook
  api_world::browser browser;
  const auto connect_facebook = [&] {
    auto trace = w.connect(
        browser, w.make_link(w.actors["owner"], w.account, w.creator_a, {"facebook"}), "facebook");
    REQUIRE(trace.result.status == 200);
    return connection_for(w, w.actors["agent_on"], w.creator_a, "facebook");
  };
  const auto c = connect_facebook();
  CHECK(w.provider_fake().calls("facebook", "accounts") == 1);
  const auto scopes = c["requested_scopes"].get<std::vector<std::string>>();
  CHECK(std::find(scopes.begin(), scopes.end(), "pages_show_list") != scopes.end());
  REQUIRE(c["pages"].size() == 1);
  const auto page = c["pages"][0];
  CHECK(page["id"] == "105000000000001");
  CHECK(page["name"] == "Creator One Studio");
  CHECK(page["instagram_account_id"] == "17841400000000001");
  CHECK_FALSE(page.contains("access_token"));

  // The Page token: sealed in the database, nowhere in clear, never in an answer.
  const std::string id = c["id"];
  const auto token = stored_page_token(w, id, "105000000000001");
  CHECK(token.size() > 8);
  CHECK(read_all_files_in(w.daemon().dir() / "state").find(token) == std::string::npos);
  CHECK(w.daemon_log().find(token) == std::string::npos);
  CHECK(c.dump().find(token) == std::string::npos);

  // The Pages cannot be read: the connection still works, the team sees why there are none.
  w.provider_fake().fail_next(
      R"({"provider":"facebook","endpoint":"accounts","kind":"server_error","status":503})");
  const auto without = connect_facebook();
  CHECK(without["status"] == "connected");
  CHECK(without["pages"].empty());
  const auto events =
      w.call_ok(w.actors["agent_on"], "GET",
                "/v1/accounts/" + w.account + "/creators/" + w.creator_a + "/connection-events");
  CHECK(events["items"][0]["kind"] == "pages_unavailable");
  CHECK(stored_page_count(w) == 0);

  // Reconnected: the Pages are back; disconnecting deletes them with the user token.
  CHECK(connect_facebook()["pages"].size() == 1);
  w.call_ok(w.actors["creator"], "DELETE", "/v1/accounts/" + w.account + "/connections/" + id,
            nullptr, 204);
  const auto gone = connection_for(w, w.actors["owner"], w.creator_a, "facebook");
  CHECK(gone["status"] == "disconnected");
  CHECK(gone["pages"].empty());
  CHECK(stored_page_count(w) == 0);
}

TEST_CASE("another site cannot press a link page's Connect button in a visitor's browser",
          "[connect][e2e]") {
  api_world w;
  const auto token = w.make_link(w.actors["owner"], w.account, w.creator_a, {"pinterest"});
  const auto target = "/connect/" + token + "/start";
  const auto attempts_before = w.provider_fake().calls("pinterest", "authorize");
  const std::vector<std::map<std::string, std::string>> cross_site{
      {{"Origin", "https://evil.example"}},
      {{"Sec-Fetch-Site", "cross-site"}},
      {{"Sec-Fetch-Site", "same-site"}, {"Origin", "https://evil.example"}},
      {{"Origin", "null"}},
  };
  for (const auto& headers : cross_site) {
    auto h = headers;
    h["Content-Type"] = "application/x-www-form-urlencoded";
    auto reply = http_request(w.port(), "POST", target, "provider=pinterest", h);
    INFO(headers.begin()->first << ": " << headers.begin()->second);
    CHECK(reply.status == 403);
    CHECK(reply.headers.count("location") == 0);
    CHECK(reply.headers.count("set-cookie") == 0);
  }
  // The link still works from its own page (a browser on the page sends same-origin).
  auto own = http_request(
      w.port(), "POST", target, "provider=pinterest",
      {{"Content-Type", "application/x-www-form-urlencoded"}, {"Sec-Fetch-Site", "same-origin"}});
  CHECK(own.status == 303);
  CHECK(w.provider_fake().calls("pinterest", "authorize") == attempts_before);
}

namespace {

std::string events_path(const api_world& w, const std::string& creator) {
  return "/v1/accounts/" + w.account + "/creators/" + creator + "/connection-events";
}

/// Percent-encodes every byte (the way a platform, or an attacker, can put any byte in a URL).
std::string percent_encode_all(std::string_view bytes) {
  static const char* digits = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : bytes) {
    out += '%';
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

/// True when `text` is well-formed UTF-8 (nlohmann's strict dump refuses anything else).
bool valid_utf8(const std::string& text) {
  try {
    (void)json(text).dump();
    return true;
  } catch (const json::exception&) {
    return false;
  }
}

/// Starts an attempt from `token` for `provider` and returns the daemon's authorize URL.
std::string start_attempt(api_world& w, api_world::browser& browser, const std::string& token,
                          const std::string& provider) {
  REQUIRE(w.browse(browser, "GET", "/connect/" + token).status == 200);
  auto start = w.browse(browser, "POST", "/connect/" + token + "/start", "provider=" + provider);
  INFO(start.body);
  REQUIRE(start.status == 303);
  return start.headers.at("location");
}

}  // namespace

TEST_CASE("a callback's invalid UTF-8 and long multibyte text are stored as valid UTF-8",
          "[connect][e2e][utf8]") {
  api_world w;
  const auto token = w.make_link(w.actors["owner"], w.account, w.creator_a, {"pinterest"});
  api_world::browser browser;
  const auto state = query_value(start_attempt(w, browser, token, "pinterest"), "state");

  // 600 bytes of three-byte characters (cut at 512 it would end mid-character), and bytes that
  // are no UTF-8 at all, in both the error and its description.
  std::string euros;
  for (int i = 0; i < 200; ++i) {
    euros += "\xE2\x82\xAC";
  }
  const std::string description = "bad \xFF\xFE \xC3 then " + euros;
  auto callback =
      w.browse(browser, "GET",
               "/oauth/pinterest/callback?error=access_denied" + percent_encode_all("\xC0\xAF") +
                   "&error_description=" + percent_encode_all(description) + "&state=" + state);
  REQUIRE(callback.status == 303);

  const auto events = w.call(w.actors["owner"], "GET", events_path(w, w.creator_a));
  INFO(events.body);
  REQUIRE(events.status == 200);
  const auto parsed = json::parse(events.body);  // throws on invalid UTF-8
  REQUIRE_FALSE(parsed["items"].empty());
  const auto& denied = parsed["items"][0];
  CHECK(denied["kind"] == "connect_denied");
  const std::string detail = denied["detail"];
  CHECK(valid_utf8(detail));
  CHECK(detail.find("\xEF\xBF\xBD") != std::string::npos);  // U+FFFD where bytes were bad
  CHECK(detail.rfind("access_denied", 0) == 0);
  // Cut on a character boundary: the description ends with a whole euro sign.
  CHECK(detail.ends_with("\xE2\x82\xAC"));
  CHECK(detail.size() < 600);
}

TEST_CASE("bytes that are not UTF-8 in the database never turn a JSON answer into a 500",
          "[connect][e2e][utf8]") {
  api_world w;
  {
    auto db = store::database::open(w.daemon().dir() / "state" / "rosterd.db",
                                    store::open_mode::read_write)
                  .value();
    REQUIRE(db.exec("PRAGMA busy_timeout = 10000"));
    auto st = db.prepare(
                    "INSERT INTO connection_events (at, account_id, creator_id, provider, kind, "
                    "detail) VALUES ('2030-01-01T00:00:00.000Z', ?, ?, 'tiktok', 'note', ?)")
                  .value();
    st.bind_all(w.account, w.creator_a, std::string("stored \xFF\xC3 badly"));
    REQUIRE_FALSE(st.step().value());
  }
  const auto events = w.call(w.actors["owner"], "GET", events_path(w, w.creator_a));
  INFO(events.body);
  REQUIRE(events.status == 200);
  const auto parsed = json::parse(events.body);
  const std::string detail = parsed["items"][0]["detail"];
  CHECK(detail == "stored \xEF\xBF\xBD\xEF\xBF\xBD badly");
}

TEST_CASE("a line break in the provider path segment is logged as one escaped field",
          "[connect][e2e][log]") {
  api_world w;
  api_world::browser browser;
  auto reply = w.browse(browser, "GET",
                        "/oauth/evil%0Aforged_field%3D1%20level%3Dcritical/"
                        "callback?code=abc&state=st_x");
  CHECK(reply.status == 404);
  const auto log = w.daemon_log();
  std::vector<std::string> mentioning;
  std::size_t start = 0;
  while (start < log.size()) {
    auto end = log.find('\n', start);
    if (end == std::string::npos) {
      end = log.size();
    }
    const auto line = log.substr(start, end - start);
    if (line.find("forged_field") != std::string::npos) {
      mentioning.push_back(line);
    }
    start = end + 1;
  }
  INFO(log);
  REQUIRE(mentioning.size() == 1);
  CHECK(mentioning[0].find("request_failed") != std::string::npos);
  CHECK(mentioning[0].find("code=lifecycle.provider_not_enabled") != std::string::npos);
  CHECK(mentioning[0].find("evil\\x0aforged_field") != std::string::npos);
  CHECK(mentioning[0].find(" forged_field=1") == std::string::npos);
}

TEST_CASE("a platform connected through a link cannot be connected again through it",
          "[connect][e2e][links]") {
  api_world w;
  const auto token =
      w.make_link(w.actors["owner"], w.account, w.creator_a, {"instagram", "pinterest"});
  api_world::browser browser;
  auto trace = w.connect(browser, token, "pinterest");
  REQUIRE(trace.result.status == 200);
  REQUIRE(trace.result.body.find("is connected") != std::string::npos);
  const auto authorizes = w.provider_fake().calls("pinterest", "authorize");

  // The link page shows Pinterest as connected, without a button; Instagram keeps its own.
  auto page = w.browse(browser, "GET", "/connect/" + token);
  REQUIRE(page.status == 200);
  CHECK(page.body.find("value=\"pinterest\"") == std::string::npos);
  CHECK(page.body.find("value=\"instagram\"") != std::string::npos);
  CHECK(page.body.find("Pinterest</strong>: connected") != std::string::npos);

  // Pressing it anyway (an old tab, or whoever the link was forwarded to) starts nothing.
  CHECK(w.browse(browser, "POST", "/connect/" + token + "/start", "provider=pinterest").status ==
        410);
  api_world::browser stranger;
  CHECK(w.browse(stranger, "GET", "/connect/" + token).status == 200);
  CHECK(w.browse(stranger, "POST", "/connect/" + token + "/start", "provider=pinterest").status ==
        410);
  // The result page offers no "Connect again", and its retry starts nothing either.
  const auto result_path = trace.callback.headers.at("location");
  auto result = w.browse(browser, "GET", result_path);
  REQUIRE(result.status == 200);
  CHECK(result.body.find("/retry") == std::string::npos);
  CHECK(w.browse(browser, "POST", result_path + "/retry").status == 410);
  CHECK(w.provider_fake().calls("pinterest", "authorize") == authorizes);

  // A new link (or the signed-in creator) connects it again.
  auto again = w.connect(
      browser, w.make_link(w.actors["owner"], w.account, w.creator_a, {"pinterest"}), "pinterest");
  CHECK(again.result.status == 200);
  CHECK(again.result.body.find("is connected") != std::string::npos);
}

TEST_CASE("a retry from a link's attempt checks the creator as starting from the link does",
          "[connect][e2e][links]") {
  api_world w;
  const auto token = w.make_link(w.actors["owner"], w.account, w.creator_b, {"pinterest"});
  w.provider_fake().configure("pinterest", R"({"consent": "deny"})");
  api_world::browser browser;
  auto denied = w.connect(browser, token, "pinterest");
  REQUIRE(denied.result.status == 200);
  const auto retry = denied.callback.headers.at("location") + "/retry";
  REQUIRE(w.browse(browser, "POST", retry).status == 303);  // Ben is on the roster

  // Ben is taken off the roster: neither his link nor a retry from it starts anything.
  w.call_ok(w.actors["owner"], "DELETE", "/v1/accounts/" + w.account + "/creators/" + w.creator_b,
            nullptr, 204);
  CHECK(w.browse(browser, "GET", "/connect/" + token).status == 404);
  const auto authorizes = w.provider_fake().calls("pinterest", "authorize");
  const auto refused = w.browse(browser, "POST", retry);
  CHECK(refused.status == 404);
  CHECK(refused.headers.count("location") == 0);
  CHECK(w.provider_fake().calls("pinterest", "authorize") == authorizes);
}

TEST_CASE("PKCE is sent where the platform takes it and a code bound to another challenge fails",
          "[connect][e2e][pkce]") {
  api_world w;
  // Where the platforms document PKCE for the web flow: Facebook Login and a standards-compliant
  // provider; TikTok's web Login Kit, Instagram Login and Pinterest do not.
  const std::map<std::string, bool> expected{{"acme", true},       {"facebook", true},
                                             {"instagram", false}, {"instagram_facebook", true},
                                             {"pinterest", false}, {"tiktok", false}};
  const auto token = w.make_link(w.actors["owner"], w.account, w.creator_a);
  api_world::browser browser;
  for (const auto& [provider, pkce] : expected) {
    INFO(provider);
    const auto url = start_attempt(w, browser, token, provider);
    CHECK((url.find("code_challenge=") != std::string::npos) == pkce);
    CHECK((url.find("code_challenge_method=S256") != std::string::npos) == pkce);
  }

  // A code the platform bound to someone else's challenge (an injected code) is not redeemed:
  // the exchange with this attempt's verifier fails at the platform.
  auto url = start_attempt(w, browser, token, "facebook");
  const auto challenge = query_value(url, "code_challenge");
  const auto other = std::string(43, 'A');
  url.replace(url.find(challenge), challenge.size(), other);
  const auto token_calls = w.provider_fake().calls("facebook", "token");
  auto authorize = w.https_get(url);
  REQUIRE(authorize.status == 302);
  auto location = authorize.header("location").value();
  location = location.substr(0, location.find('#'));
  auto callback = w.browse(browser, "GET", location.substr(location.find("/oauth/")));
  REQUIRE(callback.status == 303);
  auto result = w.browse(browser, "GET", callback.headers.at("location"));
  CHECK(result.body.find("could not be connected") != std::string::npos);
  CHECK(w.provider_fake().calls("facebook", "token") == token_calls + 1);
  CHECK_FALSE(connection_for(w, w.actors["owner"], w.creator_a, "facebook").is_object());
  const auto events = w.call_ok(w.actors["owner"], "GET", events_path(w, w.creator_a));
  CHECK(events["items"][0]["kind"] == "connect_failed");
}

TEST_CASE("a callback whose iss is missing or another issuer's is refused before any token call",
          "[connect][e2e][mixup]") {
  temp_directory secrets;
  write_file(secrets.path() / "mixup.secret", "secret-generic\n");
  api_world w({}, [&](const fake_provider& fake) {
    return "[oauth.providers.mixup]\nkind = \"generic\"\ndisplay_name = \"Mix-up Social\"\n"
           "client_id = \"test-generic\"\nclient_secret_file = \"" +
           (secrets.path() / "mixup.secret").string() + "\"\nauthorize_url = \"" +
           fake.url("https://generic.example/authorize") + "\"\ntoken_url = \"" +
           fake.url("https://generic.example/token") + "\"\nidentity_url = \"" +
           fake.url("https://generic.example/userinfo") +
           "\"\nscopes = [\"profile\"]\nissuer = \"https://generic.example\"\n";
  });
  auto& fake = w.provider_fake();
  const auto token = w.make_link(w.actors["owner"], w.account, w.creator_a, {"mixup"});
  const auto token_calls = [&] { return fake.calls("generic", "token"); };
  const auto before = token_calls();
  api_world::browser browser;

  for (const std::string& setting :
       {std::string(R"({"send_iss": false})"),
        std::string(R"({"send_iss": true, "issuer": "https://attacker.example"})"),
        std::string(R"({"send_iss": true, "issuer": "https://generic.example/"})")}) {
    INFO(setting);
    fake.configure("generic", setting);
    auto trace = w.connect(browser, token, "mixup");
    REQUIRE(trace.callback.status == 303);
    CHECK(trace.result.body.find("could not be connected") != std::string::npos);
    CHECK(token_calls() == before);
    const auto events = w.call_ok(w.actors["owner"], "GET", events_path(w, w.creator_a));
    CHECK(events["items"][0]["kind"] == "connect_failed");
    CHECK(events["items"][0]["detail"].get<std::string>().find("iss") != std::string::npos);
  }
  // The issuer this provider is configured with: connected.
  fake.configure("generic", R"({"send_iss": true, "issuer": "https://generic.example"})");
  auto good = w.connect(browser, token, "mixup");
  REQUIRE(good.result.status == 200);
  CHECK(good.result.body.find("is connected") != std::string::npos);
  CHECK(token_calls() == before + 1);
  // A provider without a configured issuer takes the callback with or without iss.
  auto acme =
      w.connect(browser, w.make_link(w.actors["owner"], w.account, w.creator_a, {"acme"}), "acme");
  CHECK(acme.result.body.find("is connected") != std::string::npos);
}
