#include "oauth/token_responses.hpp"

#include <catch2/catch.hpp>

#include "tests/unit/oauth/oauth_testing.hpp"

using namespace rosterd;
using namespace rosterd::oauth;
using namespace rosterd::oauth::testing;
using namespace std::chrono_literals;

namespace {

provider_profile profile(std::string_view id) {
  return *find_builtin_profile(id);
}

}  // namespace

TEST_CASE("Instagram's token answer is read in the documented data-array shape",
          "[oauth][responses]") {
  auto g = parse_token_response(profile("instagram"), R"({"data":[{
      "access_token":"IGQVJshort","user_id":"17841400000000001",
      "permissions":"instagram_business_basic,instagram_business_manage_insights"}]})");
  REQUIRE(g);
  CHECK(g->access_token.reveal() == "IGQVJshort");
  CHECK(g->external_user_id == "17841400000000001");
  CHECK(g->granted_scopes ==
        std::vector<std::string>{"instagram_business_basic", "instagram_business_manage_insights"});
  CHECK_FALSE(g->expires_in);
  CHECK_FALSE(g->refresh_token);
}

TEST_CASE("Instagram's token answer is read in the flat shape with a numeric user_id",
          "[oauth][responses]") {
  auto g = parse_token_response(profile("instagram"), R"({"access_token":"IGQVJshort",
      "user_id":17841400000000001,"permissions":["instagram_business_basic"]})");
  REQUIRE(g);
  CHECK(g->external_user_id == "17841400000000001");
  CHECK(g->granted_scopes == std::vector<std::string>{"instagram_business_basic"});
  CHECK(access_lifetime(profile("instagram"), *g, phase::code_exchange) == 1h);
}

TEST_CASE("Instagram's long-lived and refreshed answers carry expires_in", "[oauth][responses]") {
  auto g = parse_token_response(
      profile("instagram"),
      R"({"access_token":"IGlong","token_type":"bearer","expires_in":5184000})");
  REQUIRE(g);
  CHECK(g->expires_in == 5184000s);
  CHECK(g->token_type == "bearer");
  CHECK(access_lifetime(profile("instagram"), *g, phase::refresh) == 5184000s);
  auto no_expiry = parse_token_response(profile("instagram"), R"({"access_token":"IGlong"})");
  REQUIRE(no_expiry);
  CHECK(access_lifetime(profile("instagram"), *no_expiry, phase::refresh) ==
        std::chrono::seconds(60 * 24h));
  CHECK(access_lifetime(profile("instagram"), *no_expiry, phase::long_lived_exchange) ==
        std::chrono::seconds(60 * 24h));
}

TEST_CASE("Meta's token answer: expires_in as a number or a quoted number", "[oauth][responses]") {
  auto g = parse_token_response(
      profile("facebook"), R"({"access_token":"EAAx","token_type":"bearer","expires_in":5183944})");
  REQUIRE(g);
  CHECK(g->expires_in == 5183944s);
  CHECK_FALSE(g->external_user_id);
  auto quoted =
      parse_token_response(profile("facebook"), R"({"access_token":"EAAx","expires_in":"3600"})");
  REQUIRE(quoted);
  CHECK(quoted->expires_in == 3600s);
}

TEST_CASE("TikTok's token answer: open_id, comma scopes, refresh token and its lifetime",
          "[oauth][responses]") {
  auto g = parse_token_response(profile("tiktok"), R"({
      "access_token":"act.abc","expires_in":86400,"open_id":"_000QWErty",
      "refresh_expires_in":31536000,"refresh_token":"rft.def",
      "scope":"user.info.basic,video.list","token_type":"Bearer"})");
  REQUIRE(g);
  CHECK(g->access_token.reveal() == "act.abc");
  REQUIRE(g->refresh_token);
  CHECK(g->refresh_token->reveal() == "rft.def");
  CHECK(g->expires_in == 86400s);
  CHECK(g->refresh_expires_in == 31536000s);
  CHECK(g->external_user_id == "_000QWErty");
  CHECK(g->granted_scopes == std::vector<std::string>{"user.info.basic", "video.list"});
  CHECK(g->token_type == "Bearer");
  const auto now = std::chrono::system_clock::time_point(1'700'000'000s);
  CHECK(refresh_expiry(profile("tiktok"), *g, now) == now + 31536000s);
}

TEST_CASE("TikTok-style tokens with '.' and '!' are accepted as sent", "[oauth][responses]") {
  auto g = parse_token_response(
      profile("tiktok"),
      R"({"access_token":"act.1d1021d2aee3d41fee2d2add43456badMFZnrhFhfWotu3Ecuiuka27L56lr!2584.va",)"
      R"("refresh_token":"rft.713bdb5e1d6dbc6ee4e3bf3d0b8e3ebd!5663.va","expires_in":86400})");
  REQUIRE(g);
  CHECK(g->access_token.reveal().ends_with("!2584.va"));
}

TEST_CASE("Pinterest's token answer: refresh_token_expires_in and _at", "[oauth][responses]") {
  auto g = parse_token_response(profile("pinterest"), R"({
      "access_token":"pina_abc","refresh_token":"pinr_def","response_type":"authorization_code",
      "token_type":"bearer","expires_in":2592000,"refresh_token_expires_in":5184000,
      "refresh_token_expires_at":1767225600,"scope":"boards:read,user_accounts:read"})");
  REQUIRE(g);
  CHECK(g->expires_in == 2592000s);
  CHECK(g->refresh_expires_in == 5184000s);
  REQUIRE(g->refresh_expires_at);
  CHECK(g->refresh_expires_at->time_since_epoch() == 1767225600s);
  CHECK(g->granted_scopes == std::vector<std::string>{"boards:read", "user_accounts:read"});
  const auto now = std::chrono::system_clock::time_point(1'700'000'000s);
  CHECK(refresh_expiry(profile("pinterest"), *g, now) == g->refresh_expires_at);
}

TEST_CASE("fallback lifetimes apply only when the answer is silent", "[oauth][responses]") {
  auto g = parse_token_response(profile("tiktok"), R"({"access_token":"a","refresh_token":"r"})");
  REQUIRE(g);
  const auto now = std::chrono::system_clock::time_point(1'700'000'000s);
  CHECK(access_lifetime(profile("tiktok"), *g, phase::refresh) == 2h);
  CHECK(refresh_expiry(profile("tiktok"), *g, now) == now + std::chrono::seconds(180 * 24h));
  auto no_refresh = parse_token_response(profile("facebook"), R"({"access_token":"a"})");
  CHECK_FALSE(refresh_expiry(profile("facebook"), *no_refresh, now));
}

TEST_CASE("a generic token answer uses RFC 6749 fields and space-separated scope",
          "[oauth][responses]") {
  auto acme = make_generic_profile(generic_config()).value();
  auto g = parse_token_response(acme, R"({"access_token":"at","token_type":"Bearer",
      "expires_in":3600,"refresh_token":"rt","scope":"profile insights.read"})");
  REQUIRE(g);
  CHECK(g->granted_scopes == std::vector<std::string>{"profile", "insights.read"});
  CHECK(failure_code(parse_token_response(acme, R"({"access_token":"at","token_type":"mac"})")) ==
        "invalid_response");
}

TEST_CASE("malformed token answers name the field that is wrong", "[oauth][responses]") {
  struct bad {
    std::string id;
    std::string body;
    std::string field;
  };
  const std::vector<bad> cases = {
      {"tiktok", "not json", "body"},
      {"tiktok", "[1,2]", "body"},
      {"tiktok", "{}", "access_token"},
      {"tiktok", R"({"access_token":42})", "access_token"},
      {"tiktok", R"({"access_token":""})", "access_token"},
      {"tiktok", R"({"access_token":"a","refresh_token":7})", "refresh_token"},
      {"tiktok", R"({"access_token":"a\r\nX-Evil: 1"})", "access_token"},
      {"tiktok", R"({"access_token":"a b"})", "access_token"},
      {"tiktok", R"({"access_token":"a","refresh_token":"r\u0000"})", "refresh_token"},
      {"tiktok", R"({"access_token":"caf\u00e9"})", "access_token"},
      {"tiktok", R"({"access_token":"a","expires_in":"soon"})", "expires_in"},
      {"tiktok", R"({"access_token":"a","expires_in":-5})", "expires_in"},
      {"tiktok", R"({"access_token":"a","expires_in":1.5})", "expires_in"},
      {"tiktok", R"({"access_token":"a","refresh_expires_in":true})", "refresh_expires_in"},
      {"tiktok", R"({"access_token":"a","scope":5})", "scope"},
      {"tiktok", R"({"access_token":"a","scope":["x",1]})", "scope"},
      {"tiktok", R"({"access_token":"a","open_id":""})", "open_id"},
      {"tiktok", R"({"access_token":"a","token_type":3})", "token_type"},
      {"instagram", R"({"data":[]})", "data"},
      {"instagram", R"({"data":"x"})", "data"},
      {"instagram", R"({"data":[{"user_id":1}]})", "access_token"},
      {"instagram", R"({"access_token":"a","user_id":1.25})", "user_id"},
      {"instagram", R"({"access_token":"a","user_id":-3})", "user_id"},
      {"instagram", R"({"access_token":"a","user_id":{"id":1}})", "user_id"},
      {"instagram", R"({"access_token":"a","permissions":{}})", "permissions"},
      {"pinterest", R"({"access_token":"a","refresh_token_expires_at":"later"})",
       "refresh_token_expires_at"},
      {"pinterest", R"({"access_token":"a","refresh_token_expires_in":[]})",
       "refresh_token_expires_in"},
  };
  for (const auto& c : cases) {
    INFO(c.id << " " << c.body);
    auto g = parse_token_response(profile(c.id), c.body);
    CHECK(failure_code(g) == "invalid_response");
    CHECK_THAT(failure_detail(g), Catch::Contains(c.field) && Catch::Contains(c.id));
  }
}

TEST_CASE("an error answer given to the token parser is reported as a provider error",
          "[oauth][responses]") {
  CHECK(failure_code(parse_token_response(
            profile("tiktok"), R"({"error":"invalid_grant","error_description":"x"})")) ==
        "provider_error");
  CHECK(failure_code(parse_token_response(
            profile("facebook"), R"({"error":{"message":"x","code":190}})")) == "provider_error");
  CHECK(failure_code(parse_token_response(
            profile("instagram"),
            R"({"error_type":"OAuthException","code":400,"error_message":"x"})")) ==
        "provider_error");
}

TEST_CASE("identity answers per provider", "[oauth][responses][identity]") {
  SECTION("Instagram: user_id, username, name; the app-scoped id kept as another id") {
    auto i = parse_identity_response(
        profile("instagram"),
        R"({"user_id":"17841400000000001","username":"maya.creates","name":"Maya","id":"9876"})");
    REQUIRE(i);
    CHECK(i->external_id == "17841400000000001");
    CHECK(i->username == "maya.creates");
    CHECK(i->display_name == "Maya");
    CHECK(i->other_ids == std::vector<std::string>{"9876"});
    auto numeric = parse_identity_response(profile("instagram"),
                                           R"({"user_id":17841400000000001,"username":"m"})");
    REQUIRE(numeric);
    CHECK(numeric->external_id == "17841400000000001");
  }
  SECTION("Facebook: id and name, no username") {
    auto i = parse_identity_response(profile("facebook"), R"({"id":"10158","name":"Maya R"})");
    REQUIRE(i);
    CHECK(i->external_id == "10158");
    CHECK(i->display_name == "Maya R");
    CHECK(i->username.empty());
  }
  SECTION("Instagram via Facebook: the user plus the Instagram accounts on their Pages") {
    auto i = parse_identity_response(profile("instagram_facebook"), R"({
        "id":"10158","name":"Maya R","accounts":{"data":[
          {"instagram_business_account":{"id":"17841400000000001","username":"maya.creates"},
           "id":"111"},
          {"id":"222"}],"paging":{"cursors":{"before":"a","after":"b"}}}})");
    REQUIRE(i);
    CHECK(i->external_id == "10158");
    CHECK(i->username == "maya.creates");
    REQUIRE(i->linked_instagram_accounts.size() == 1);
    CHECK(i->linked_instagram_accounts[0].id == "17841400000000001");
  }
  SECTION("TikTok: data.user.open_id, display_name, username; union_id kept") {
    auto i = parse_identity_response(profile("tiktok"), R"({
        "data":{"user":{"open_id":"_000abc","union_id":"u-1","display_name":"Maya",
                        "username":"mayacreates"}},
        "error":{"code":"ok","message":"","log_id":"20240101"}})");
    REQUIRE(i);
    CHECK(i->external_id == "_000abc");
    CHECK(i->username == "mayacreates");
    CHECK(i->display_name == "Maya");
    CHECK(i->other_ids == std::vector<std::string>{"u-1"});
  }
  SECTION("Pinterest: id, username, business_name") {
    auto i = parse_identity_response(profile("pinterest"), R"({"account_type":"BUSINESS",
        "id":"549755885175","username":"mayapins","business_name":"Maya Studio"})");
    REQUIRE(i);
    CHECK(i->external_id == "549755885175");
    CHECK(i->username == "mayapins");
    CHECK(i->display_name == "Maya Studio");
    auto no_id = parse_identity_response(profile("pinterest"), R"({"username":"mayapins"})");
    REQUIRE(no_id);
    CHECK(no_id->external_id == "mayapins");
  }
  SECTION("generic: configured dotted paths, numeric ids") {
    auto config = generic_config();
    config.identity = {"data.user.id", "data.user.login", "data.user.full_name"};
    auto acme = make_generic_profile(config).value();
    auto i = parse_identity_response(
        acme, R"({"data":{"user":{"id":42,"login":"maya","full_name":"Maya R"}}})");
    REQUIRE(i);
    CHECK(i->external_id == "42");
    CHECK(i->username == "maya");
    CHECK(i->display_name == "Maya R");
    CHECK_THAT(failure_detail(parse_identity_response(acme, R"({"data":{}})")),
               Catch::Contains("data.user.id"));
  }
}

TEST_CASE("malformed identity answers name the missing field", "[oauth][responses][identity]") {
  struct bad {
    std::string id;
    std::string body;
    std::string field;
  };
  const std::vector<bad> cases = {
      {"instagram", R"({"username":"m"})", "user_id"},
      {"instagram", R"({"user_id":"1"})", "username"},
      {"instagram", R"({"user_id":true,"username":"m"})", "user_id"},
      {"instagram", R"({"user_id":"1","username":5})", "username"},
      {"facebook", R"({"name":"x"})", "id"},
      {"facebook", R"({"id":"1","name":7})", "name"},
      {"instagram_facebook", R"({"id":"1","accounts":{"data":{}}})", "accounts.data"},
      {"instagram_facebook",
       R"({"id":"1","accounts":{"data":[{"instagram_business_account":{}}]}})",
       "instagram_business_account.id"},
      {"tiktok", R"({"error":{"code":"ok"}})", "data"},
      {"tiktok", R"({"data":{}})", "data.user"},
      {"tiktok", R"({"data":{"user":{"display_name":"x"}}})", "data.user.open_id"},
      {"tiktok", R"({"data":{"user":{"open_id":"x","username":3}}})", "data.user.username"},
      {"pinterest", R"({"id":"1"})", "username"},
      {"pinterest", R"({"username":"u","id":[1]})", "id"},
      {"pinterest", "", "body"},
  };
  for (const auto& c : cases) {
    INFO(c.id << " " << c.body);
    auto i = parse_identity_response(profile(c.id), c.body);
    CHECK(failure_code(i) == "invalid_response");
    CHECK_THAT(failure_detail(i), Catch::Contains(c.field));
  }
  CHECK(failure_code(parse_identity_response(
            profile("tiktok"), R"({"data":{},"error":{"code":"access_token_invalid"}})")) ==
        "provider_error");
}

TEST_CASE("debug_token answers give validity, expiry and data-access expiry",
          "[oauth][responses][debug_token]") {
  auto d = parse_debug_token_response(R"({"data":{"app_id":"138483919580948","type":"USER",
      "application":"Social Cafe","data_access_expires_at":1767225600,"expires_at":1760000000,
      "is_valid":true,"issued_at":1750000000,"scopes":["public_profile","pages_show_list"],
      "user_id":"10158"}})");
  REQUIRE(d);
  CHECK(d->is_valid);
  CHECK(d->expires_at->time_since_epoch() == 1760000000s);
  CHECK(d->data_access_expires_at->time_since_epoch() == 1767225600s);
  CHECK(d->issued_at->time_since_epoch() == 1750000000s);
  CHECK(d->scopes == std::vector<std::string>{"public_profile", "pages_show_list"});
  CHECK(d->user_id == "10158");
  CHECK(d->app_id == "138483919580948");
  CHECK(d->type == "USER");
  CHECK_FALSE(d->error);

  auto page = parse_debug_token_response(
      R"({"data":{"is_valid":true,"expires_at":0,"type":"PAGE","app_id":1}})");
  REQUIRE(page);
  CHECK_FALSE(page->expires_at);  // 0: does not expire

  auto dead = parse_debug_token_response(R"({"data":{"is_valid":false,"error":{"code":190,
      "message":"Error validating access token: The user has not authorized application 1.",
      "subcode":458},"scopes":[]}})");
  REQUIRE(dead);
  CHECK_FALSE(dead->is_valid);
  REQUIRE(dead->error);
  CHECK(dead->error->kind == error_kind::reconnect);
  CHECK(dead->error->subcode == 458);

  CHECK_THAT(failure_detail(parse_debug_token_response(R"({"data":{}})")),
             Catch::Contains("data.is_valid"));
  CHECK_THAT(failure_detail(parse_debug_token_response(R"({"data":{"is_valid":"yes"}})")),
             Catch::Contains("data.is_valid"));
  CHECK_THAT(failure_detail(parse_debug_token_response(R"({})")), Catch::Contains("data"));
  CHECK_THAT(
      failure_detail(parse_debug_token_response(R"({"data":{"is_valid":true,"expires_at":"x"}})")),
      Catch::Contains("data.expires_at"));
  CHECK_THAT(failure_detail(parse_debug_token_response(
                 R"({"data":{"is_valid":true,"error":{"message":"x"}}})")),
             Catch::Contains("data.error.code"));
}

TEST_CASE("the Pages answer gives each Page's id, name, token and linked Instagram account",
          "[oauth][responses][pages]") {
  auto pages = parse_pages_response(profile("facebook"), R"({"data":[
      {"id":"105000000000001","name":"Creator One Studio","access_token":"EAAPageOne",
       "category":"Digital creator","tasks":["MANAGE"],
       "instagram_business_account":{"id":"17841400000000001"}},
      {"id":105000000000002,"access_token":"EAAPageTwo"},
      {"id":"105000000000003","name":"No token for this user"}],
      "paging":{"cursors":{"before":"x","after":"y"}}})");
  REQUIRE(pages);
  REQUIRE(pages->size() == 2);
  CHECK((*pages)[0].id == "105000000000001");
  CHECK((*pages)[0].name == "Creator One Studio");
  CHECK((*pages)[0].access_token.reveal() == "EAAPageOne");
  CHECK((*pages)[0].instagram_account_id == "17841400000000001");
  CHECK((*pages)[1].id == "105000000000002");
  CHECK((*pages)[1].name.empty());
  CHECK_FALSE((*pages)[1].instagram_account_id);

  auto none = parse_pages_response(profile("facebook"), R"({"data":[]})");
  REQUIRE(none);
  CHECK(none->empty());
}

TEST_CASE("malformed Pages answers name the field and never echo a token",
          "[oauth][responses][pages]") {
  struct bad_case {
    const char* body;
    const char* field;
  };
  const bad_case cases[] = {
      {"not json", "body"},
      {R"([])", "body"},
      {R"({})", "data"},
      {R"({"data":{"id":"1"}})", "data"},
      {R"({"data":["1"]})", "data[]"},
      {R"({"data":[{"access_token":"EAAsecretPage"}]})", "data[].id"},
      {R"({"data":[{"id":"","access_token":"EAAsecretPage"}]})", "data[].id"},
      {R"({"data":[{"id":"1","access_token":42}]})", "data[].access_token"},
      {R"({"data":[{"id":"1","access_token":""}]})", "data[].access_token"},
      {R"({"data":[{"id":"1","access_token":"EAA secret\r\nX: y"}]})", "data[].access_token"},
      {R"({"data":[{"id":"1","access_token":"EAAsecretPage","name":7}]})", "data[].name"},
      {R"({"data":[{"id":"1","access_token":"EAAsecretPage","instagram_business_account":"17"}]})",
       "data[].instagram_business_account.id"},
      {R"({"data":[{"id":"1","access_token":"EAAsecretPage","instagram_business_account":{}}]})",
       "data[].instagram_business_account.id"},
      {R"({"data":[{"id":"1","access_token":"EAAsecretPage"},{"id":1,"access_token":"EAAb"}]})",
       "data[].id"},
  };
  for (const auto& c : cases) {
    INFO(c.body);
    auto pages = parse_pages_response(profile("facebook"), c.body);
    CHECK(failure_code(pages) == "invalid_response");
    CHECK_THAT(failure_detail(pages), Catch::Contains(c.field));
    CHECK_THAT(failure_detail(pages), !Catch::Contains("EAAsecretPage"));
  }
  CHECK(failure_code(parse_pages_response(
            profile("facebook"),
            R"({"error":{"message":"Error validating access token","type":"OAuthException",
                "code":190,"error_subcode":460}})")) == "provider_error");
}
