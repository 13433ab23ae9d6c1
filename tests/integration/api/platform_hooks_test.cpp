// The platforms' own calls over real HTTP: Meta's deauthorize and data-deletion callbacks
// (signed_request with the app secret) and TikTok's authorization.removed webhook
// (TikTok-Signature). Only a verified signal changes anything.

#include <catch2/catch.hpp>

#include "base/random.hpp"
#include "oauth/crypto.hpp"
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
  const std::string form = "application/x-www-form-urlencoded";
  const auto payload =
      R"({"algorithm":"HMAC-SHA256","issued_at":1700000000,"user_id":")" + user + R"("})";

  // Refused: another secret, another algorithm, garbage, too large. Nothing changes.
  CHECK(post(w, "/hooks/facebook/deauthorize", signed_request_form(payload, "not-the-secret"), form)
            .status == 401);
  const auto sha1 =
      R"({"algorithm":"HMAC-SHA1","issued_at":1700000000,"user_id":")" + user + R"("})";
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
  const std::string form = "application/x-www-form-urlencoded";
  const std::string payload =
      R"({"algorithm":"HMAC-SHA256","issued_at":1700000000,"user_id":"27000000000000001"})";

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
