// The platforms' own calls over real HTTP: Meta's deauthorize and data-deletion callbacks
// (signed_request with the app secret) and TikTok's authorization.removed webhook
// (TikTok-Signature). Only a verified signal changes anything.

#include <catch2/catch.hpp>

#include "base/crypto.hpp"
#include "base/random.hpp"
#include "store/database.hpp"
#include "store/statement.hpp"
#include "tests/integration/api/api_world.hpp"
#include "tests/integration/api/platform_signing.hpp"

using namespace rosterd;
using namespace rosterd::testing;

namespace {

http_reply post(api_world& w, const std::string& target, const std::string& body,
                const std::string& type, const std::map<std::string, std::string>& extra = {}) {
  auto headers = extra;
  headers["Content-Type"] = type;
  return http_request(w.port(), "POST", target, body, headers, std::chrono::seconds(30));
}

json connection(api_world& w, const std::string& id) {
  return w.call_ok(w.actors["owner"], "GET", "/v1/accounts/" + w.account + "/connections/" + id);
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// A Meta signed_request payload naming `user`, issued at `issued_at` (unix seconds).
std::string meta_payload(const std::string& user, std::int64_t issued_at,
                         const std::string& algorithm = "HMAC-SHA256") {
  return R"({"algorithm":")" + algorithm + R"(","issued_at":)" + std::to_string(issued_at) +
         R"(,"user_id":")" + user + R"("})";
}

const std::string form = "application/x-www-form-urlencoded";

/// The creator's connection to `provider`: its id and platform account id.
std::pair<std::string, std::string> connection_of(api_world& w, const std::string& creator,
                                                  const std::string& provider) {
  const auto listed =
      w.call_ok(w.actors["owner"], "GET",
                "/v1/accounts/" + w.account + "/creators/" + creator + "/connections");
  for (const auto& c : listed["items"]) {
    if (c["provider"] == provider) {
      return {c["id"], c["external_id"]};
    }
  }
  return {};
}

/// Connects `creator` to `provider` through a fresh link, as their browser does.
void connect_through_link(api_world& w, const std::string& creator, const std::string& provider) {
  api_world::browser browser;
  auto trace =
      w.connect(browser, w.make_link(w.actors["owner"], w.account, creator, {provider}), provider);
  INFO(trace.result.body);
  REQUIRE(trace.result.status == 200);
  REQUIRE(trace.result.body.find("is connected") != std::string::npos);
}

/// The daemon's database, read while it runs.
store::database open_db(api_world& w) {
  return store::database::open(w.daemon().dir() / "state" / "rosterd.db",
                               store::open_mode::read_only)
      .value();
}

/// Every value of the one-column query `sql` (bound to `arg`).
std::vector<std::string> column(api_world& w, const std::string& sql, const std::string& arg) {
  auto db = open_db(w);
  auto st = db.prepare(sql).value();
  st.bind_all(arg);
  std::vector<std::string> out;
  while (st.step().value()) {
    out.push_back(st.column_is_null(0) ? std::string("(null)") : st.column_text(0));
  }
  return out;
}

}  // namespace

TEST_CASE("Meta's deauthorize and data-deletion callbacks act only on a valid signature",
          "[hooks][e2e]") {
  api_world w;
  api_world::browser browser;
  auto trace = w.connect(
      browser, w.make_link(w.actors["owner"], w.account, w.creator_b, {"facebook"}), "facebook");
  REQUIRE(trace.result.status == 200);
  const auto listed =
      w.call_ok(w.actors["owner"], "GET",
                "/v1/accounts/" + w.account + "/creators/" + w.creator_b + "/connections");
  std::string id;
  std::string user;
  for (const auto& c : listed["items"]) {
    if (c["provider"] == "facebook") {
      id = c["id"];
      user = c["external_id"];
    }
  }
  REQUIRE_FALSE(id.empty());
  const auto payload = meta_payload(user, unix_now());

  // Refused: another secret, another algorithm, garbage, too large. Nothing changes.
  CHECK(post(w, "/hooks/facebook/deauthorize", signed_request_form(payload, "not-the-secret"), form)
            .status == 401);
  const auto sha1 = meta_payload(user, unix_now(), "HMAC-SHA1");
  CHECK(post(w, "/hooks/facebook/deauthorize", signed_request_form(sha1, "secret-facebook"), form)
            .status == 401);
  CHECK(post(w, "/hooks/facebook/deauthorize", "signed_request=not.base64!", form).status / 100 ==
        4);
  CHECK(
      post(w, "/hooks/facebook/deauthorize", "signed_request=" + std::string(70 * 1024, 'a'), form)
          .status == 413);
  CHECK(post(w, "/hooks/tiktok/deauthorize", signed_request_form(payload, "secret-facebook"),
             form)
            .status == 404);  // not a Meta provider
  CHECK(connection(w, id)["status"] == "connected");

  // Signed with the app secret: the creator's Facebook connection loses its tokens.
  auto ok =
      post(w, "/hooks/facebook/deauthorize", signed_request_form(payload, "secret-facebook"), form);
  CHECK(ok.status == 200);
  const auto after = connection(w, id);
  CHECK(after["status"] == "revoked");
  CHECK(after["last_error"].get<std::string>().find("removed the app") != std::string::npos);

  // Data deletion: the answer names a status page and a confirmation code.
  auto deletion = post(w, "/hooks/facebook/data-deletion",
                       signed_request_form(payload, "secret-facebook"), form);
  REQUIRE(deletion.status == 200);
  const auto answer = json::parse(deletion.body);
  const std::string code = answer["confirmation_code"];
  CHECK(answer["url"].get<std::string>().ends_with("/deletion/" + code));
  auto page = http_request(w.port(), "GET", "/deletion/" + code);
  CHECK(page.status == 200);
  CHECK(page.body.find("completed") != std::string::npos);
  CHECK(http_request(w.port(), "GET", "/deletion/nope").status == 404);
}

TEST_CASE("an Instagram deauthorize naming the app-scoped id revokes the Instagram connection",
          "[hooks][e2e]") {
  api_world w;
  // The test server's Instagram user: professional user_id 17841400000000001, app-scoped id
  // 27000000000000001 (what Meta's signed_request carries).
  api_world::browser browser;
  auto trace = w.connect(
      browser, w.make_link(w.actors["owner"], w.account, w.creator_a, {"instagram"}), "instagram");
  REQUIRE(trace.result.status == 200);
  const auto listed =
      w.call_ok(w.actors["owner"], "GET",
                "/v1/accounts/" + w.account + "/creators/" + w.creator_a + "/connections");
  std::string id;
  for (const auto& c : listed["items"]) {
    if (c["provider"] == "instagram") {
      id = c["id"];
      CHECK(c["external_id"] == "17841400000000001");
    }
  }
  REQUIRE_FALSE(id.empty());
  const std::string payload = meta_payload("27000000000000001", unix_now());

  // Another provider's hook does not reach it, even signed with that provider's secret.
  CHECK(
      post(w, "/hooks/facebook/deauthorize", signed_request_form(payload, "secret-facebook"), form)
          .status == 200);
  CHECK(connection(w, id)["status"] == "connected");

  CHECK(post(w, "/hooks/instagram/deauthorize", signed_request_form(payload, "secret-instagram"),
             form)
            .status == 200);
  const auto after = connection(w, id);
  CHECK(after["status"] == "revoked");
  CHECK(after["last_error"].get<std::string>().find("removed the app") != std::string::npos);
  CHECK(connection(w, w.connection_a)["status"] == "connected");  // her TikTok is untouched
}

TEST_CASE("TikTok's authorization.removed revokes the connection once; forged or stale does not",
          "[hooks][e2e]") {
  api_world w;
  const auto before = connection(w, w.connection_a);
  REQUIRE(before["status"] == "connected");
  const std::string user = before["external_id"];
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  const std::string body =
      R"({"client_key":"test-tiktok","event":"authorization.removed","create_time":)" +
      std::to_string(now) + R"(,"user_openid":")" + user + R"(","content":"{\"reason\":1}"})";
  const std::string type = "application/json";

  CHECK(post(w, "/hooks/tiktok/events", body, type,
             {{"TikTok-Signature", tiktok_signature(body, "wrong", now)}})
            .status == 401);
  CHECK(post(w, "/hooks/tiktok/events", body, type,
             {{"TikTok-Signature", tiktok_signature(body, "secret-tiktok", now - 3600)}})
            .status == 401);
  CHECK(post(w, "/hooks/tiktok/events", body, type).status / 100 == 4);  // unsigned
  CHECK(connection(w, w.connection_a)["status"] == "connected");

  const auto signature = tiktok_signature(body, "secret-tiktok", now);
  CHECK(post(w, "/hooks/tiktok/events", body, type, {{"TikTok-Signature", signature}}).status ==
        200);
  CHECK(connection(w, w.connection_a)["status"] == "revoked");
  // Delivered again (webhooks are at least once): accepted, nothing more happens.
  const auto events_before = w.call_ok(w.actors["owner"], "GET",
                                       "/v1/accounts/" + w.account + "/creators/" + w.creator_a +
                                           "/connection-events")["items"]
                                 .size();
  CHECK(post(w, "/hooks/tiktok/events", body, type, {{"TikTok-Signature", signature}}).status ==
        200);
  CHECK(w.call_ok(w.actors["owner"], "GET",
                  "/v1/accounts/" + w.account + "/creators/" + w.creator_a +
                      "/connection-events")["items"]
            .size() == events_before);
  // Every connection to that TikTok account goes, whichever agency holds it (the test server
  // gives every creator the same account unless told otherwise).
  const auto ben = connection(w, w.connection_b);
  CHECK(ben["status"] == (ben["external_id"] == user ? "revoked" : "connected"));
}

TEST_CASE("a replayed Meta signal is ignored and a reconnect after the signal survives it",
          "[hooks][e2e][replay]") {
  api_world w;
  connect_through_link(w, w.creator_b, "facebook");
  const auto [id, user] = connection_of(w, w.creator_b, "facebook");
  REQUIRE_FALSE(id.empty());

  const auto signal = signed_request_form(meta_payload(user, unix_now()), "secret-facebook");
  REQUIRE(post(w, "/hooks/facebook/deauthorize", signal, form).status == 200);
  REQUIRE(connection(w, id)["status"] == "revoked");

  // The creator adds the app again; the same request delivered again changes nothing.
  connect_through_link(w, w.creator_b, "facebook");
  REQUIRE(connection(w, id)["status"] == "connected");
  CHECK(post(w, "/hooks/facebook/deauthorize", signal, form).status == 200);
  CHECK(connection(w, id)["status"] == "connected");
  // Handled once: one record of it, whatever the number of deliveries.
  CHECK(column(w, "SELECT event_key FROM inbound_events WHERE provider = ?", "facebook").size() ==
        1);

  // A genuine signal issued before the reconnect, arriving only now, leaves the new grant too.
  const auto late = signed_request_form(meta_payload(user, unix_now() - 120), "secret-facebook");
  CHECK(post(w, "/hooks/facebook/deauthorize", late, form).status == 200);
  CHECK(connection(w, id)["status"] == "connected");

  // A data-deletion request delivered twice is one request: the same code, one record.
  const auto deletion =
      signed_request_form(meta_payload("nobody-we-know", unix_now()), "secret-facebook");
  const auto first = post(w, "/hooks/facebook/data-deletion", deletion, form);
  const auto again = post(w, "/hooks/facebook/data-deletion", deletion, form);
  REQUIRE(first.status == 200);
  REQUIRE(again.status == 200);
  CHECK(json::parse(first.body)["confirmation_code"] ==
        json::parse(again.body)["confirmation_code"]);
  CHECK(column(w, "SELECT confirmation_code FROM data_deletion_requests WHERE provider = ?",
               "facebook")
            .size() == 1);
}

TEST_CASE("a Meta signal issued too long ago or in the future is refused and changes nothing",
          "[hooks][e2e][replay]") {
  api_world w;
  connect_through_link(w, w.creator_b, "facebook");
  const auto [id, user] = connection_of(w, w.creator_b, "facebook");
  REQUIRE_FALSE(id.empty());
  for (const std::int64_t offset : {-2 * 3600, -3600 - 60, 3600}) {
    INFO(offset);
    const auto signal =
        signed_request_form(meta_payload(user, unix_now() + offset), "secret-facebook");
    CHECK(post(w, "/hooks/facebook/deauthorize", signal, form).status == 401);
    CHECK(post(w, "/hooks/facebook/data-deletion", signal, form).status == 401);
    CHECK(connection(w, id)["status"] == "connected");
  }
  // Within the window (a delivery that waited half an hour, a clock a minute behind): accepted.
  CHECK(post(w, "/hooks/facebook/deauthorize",
             signed_request_form(meta_payload(user, unix_now() + 60), "secret-facebook"), form)
            .status == 200);
  CHECK(connection(w, id)["status"] == "revoked");
}

TEST_CASE("a TikTok removal created before a reconnect leaves the new connection alone",
          "[hooks][e2e][replay]") {
  api_world w;  // Ana's TikTok was connected while the world was built
  const auto before = connection(w, w.connection_a);
  REQUIRE(before["status"] == "connected");
  const std::string user = before["external_id"];
  // Delivered now (TikTok retries for up to 72 hours), about an event from before the grant.
  const auto now = unix_now();
  const std::string body =
      R"({"client_key":"test-tiktok","event":"authorization.removed","create_time":)" +
      std::to_string(now - 3600) + R"(,"user_openid":")" + user +
      R"(","content":"{\"reason\":1}"})";
  CHECK(post(w, "/hooks/tiktok/events", body, "application/json",
             {{"TikTok-Signature", tiktok_signature(body, "secret-tiktok", now)}})
            .status == 200);
  CHECK(connection(w, w.connection_a)["status"] == "connected");
}

TEST_CASE("a data-deletion request erases what identifies the platform account, and says so",
          "[hooks][e2e][deletion]") {
  api_world w;  // facebook keeps its Pages' tokens
  connect_through_link(w, w.creator_b, "facebook");
  const auto [id, user] = connection_of(w, w.creator_b, "facebook");
  REQUIRE_FALSE(id.empty());
  const std::string username = connection(w, id)["username"];
  REQUIRE_FALSE(username.empty());
  REQUIRE_FALSE(
      column(w, "SELECT page_id FROM connection_pages WHERE connection_id = ?", id).empty());
  const auto names_the_user = [&](const std::string& text) {
    return text.find(user) != std::string::npos || text.find(username) != std::string::npos;
  };
  const auto events_before =
      column(w, "SELECT detail FROM connection_events WHERE connection_id = ?", id);
  REQUIRE(std::any_of(events_before.begin(), events_before.end(), names_the_user));

  auto answer = post(w, "/hooks/facebook/data-deletion",
                     signed_request_form(meta_payload(user, unix_now()), "secret-facebook"), form);
  REQUIRE(answer.status == 200);
  const std::string code = json::parse(answer.body)["confirmation_code"];

  // The rows: no tokens, no platform ids or name, no Pages, no identifying detail anywhere.
  CHECK(column(w,
               "SELECT external_id || '|' || username || '|' || "
               "COALESCE(previous_external_id, '') || '|' || (access_token IS NULL) || "
               "(refresh_token IS NULL) || '|' || status FROM connections WHERE id = ?",
               id) == std::vector<std::string>{"|||11|revoked"});
  CHECK(column(w, "SELECT external_id FROM connection_identities WHERE connection_id = ?", id)
            .empty());
  CHECK(column(w, "SELECT page_id FROM connection_pages WHERE connection_id = ?", id).empty());
  for (const auto& detail :
       column(w, "SELECT detail FROM connection_events WHERE connection_id = ?", id)) {
    CHECK_FALSE(names_the_user(detail));
  }
  for (const auto& detail : column(w, "SELECT detail FROM audit_log WHERE target_id = ?", id)) {
    CHECK_FALSE(names_the_user(detail));
  }
  CHECK(column(w, "SELECT external_id FROM data_deletion_requests WHERE confirmation_code = ?",
               code) == std::vector<std::string>{""});
  for (const auto& key :
       column(w, "SELECT event_key FROM inbound_events WHERE provider = ?", "facebook")) {
    CHECK_FALSE(names_the_user(key));
  }
  // What stays is what the team needs: Ben had a Facebook connection, and it is gone.
  const auto kept = connection(w, id);
  CHECK(kept["status"] == "revoked");
  CHECK(kept["provider"] == "facebook");
  const auto events =
      w.call_ok(w.actors["owner"], "GET",
                "/v1/accounts/" + w.account + "/creators/" + w.creator_b + "/connection-events");
  REQUIRE_FALSE(events["items"].empty());
  CHECK(events["items"][0]["kind"] == "data_deleted");

  // The status page says what was done, truthfully, and names nobody.
  auto page = http_request(w.port(), "GET", "/deletion/" + code);
  REQUIRE(page.status == 200);
  CHECK(page.body.find(code) != std::string::npos);
  CHECK(page.body.find("1 connection") != std::string::npos);
  CHECK(page.body.find("username") != std::string::npos);
  CHECK(page.body.find("Pages") != std::string::npos);
  CHECK_FALSE(names_the_user(page.body));

  // The creator can connect again later: a fresh grant, not "a different account".
  connect_through_link(w, w.creator_b, "facebook");
  const auto again = connection(w, id);
  CHECK(again["status"] == "connected");
  CHECK(again["external_id"] == user);
  CHECK(again["previous_external_id"].is_null());
}
