#include "oauth/token_requests.hpp"

#include <catch2/catch.hpp>

#include "base/crypto.hpp"
#include "tests/unit/oauth/oauth_testing.hpp"

using namespace rosterd;
using namespace rosterd::oauth;
using namespace rosterd::oauth::testing;

namespace {

std::string header(const http_request& r, std::string_view name) {
  for (const auto& [key, value] : r.headers) {
    if (key == name) {
      return value;
    }
  }
  return "<none>";
}

std::string enc_redirect(std::string_view id) {
  return "https%3A%2F%2Frosterd.example%2Foauth%2F" + std::string(id) + "%2Fcallback";
}

const std::string secret(canary_secret);
const std::string form = "application/x-www-form-urlencoded";

}  // namespace

TEST_CASE("Instagram's code exchange is a form POST with the secret in the body",
          "[oauth][requests]") {
  const auto r = code_exchange_request(builtin("instagram"), "AQD-code#_", std::nullopt);
  CHECK(r.method == http_method::post);
  CHECK(r.url == "https://api.instagram.com/oauth/access_token");
  CHECK(header(r, "Content-Type") == form);
  CHECK(header(r, "Accept") == "application/json");
  CHECK(header(r, "Authorization") == "<none>");
  CHECK(r.body == "grant_type=authorization_code&code=AQD-code&redirect_uri=" +
                      enc_redirect("instagram") + "&client_id=1234567890&client_secret=" + secret);
}

TEST_CASE("Facebook's code exchange is a GET with everything in the query", "[oauth][requests]") {
  const auto r = code_exchange_request(builtin("facebook"), "fbcode", std::string_view("ver-1"));
  CHECK(r.method == http_method::get);
  CHECK(r.url == "https://graph.facebook.com/v22.0/oauth/access_token?code=fbcode&redirect_uri=" +
                     enc_redirect("facebook") +
                     "&code_verifier=ver-1&client_id=1234567890&client_secret=" + secret);
  CHECK(r.body.empty());
  CHECK(header(r, "Content-Type") == "<none>");
  CHECK(redact_url(r.url) == "https://graph.facebook.com/v22.0/oauth/access_token");
}

TEST_CASE("TikTok's code exchange sends client_key and client_secret in the form",
          "[oauth][requests]") {
  const auto r = code_exchange_request(builtin("tiktok"), "tt*code!", std::nullopt);
  CHECK(r.method == http_method::post);
  CHECK(r.url == "https://open.tiktokapis.com/v2/oauth/token/");
  CHECK(header(r, "Content-Type") == form);
  CHECK(r.body == "grant_type=authorization_code&code=tt%2Acode%21&redirect_uri=" +
                      enc_redirect("tiktok") + "&client_key=awclientkey&client_secret=" + secret);
}

TEST_CASE("Pinterest's code exchange authenticates with HTTP Basic", "[oauth][requests]") {
  const auto r = code_exchange_request(builtin("pinterest"), "pincode", std::nullopt);
  CHECK(r.method == http_method::post);
  CHECK(r.url == "https://api.pinterest.com/v5/oauth/token");
  CHECK(header(r, "Authorization") == "Basic " + base::base64_encode("1234567890:" + secret));
  CHECK(header(r, "Authorization") == "Basic MTIzNDU2Nzg5MDpTRUNSRVQtQ0FOQVJZLTlmM2sy");
  CHECK(r.body ==
        "grant_type=authorization_code&code=pincode&redirect_uri=" + enc_redirect("pinterest"));
}

TEST_CASE("a PKCE provider's code exchange carries the code_verifier", "[oauth][requests]") {
  const auto r = code_exchange_request(generic(), "c", std::string_view("verifier-123"));
  CHECK(header(r, "Authorization") == "Basic " + base::base64_encode("1234567890:" + secret));
  CHECK(r.body == "grant_type=authorization_code&code=c&redirect_uri=" + enc_redirect("acme") +
                      "&code_verifier=verifier-123");
  CHECK_THROWS_AS(code_exchange_request(generic(), "c", std::nullopt), std::invalid_argument);
  CHECK_THROWS_AS(code_exchange_request(builtin("tiktok"), "c", std::string_view("v")),
                  std::invalid_argument);
}

TEST_CASE("long-lived exchanges: ig_exchange_token and fb_exchange_token", "[oauth][requests]") {
  auto ig = long_lived_exchange_request(builtin("instagram"), "IGshort");
  REQUIRE(ig);
  CHECK(ig->method == http_method::get);
  CHECK(ig->url ==
        "https://graph.instagram.com/access_token?grant_type=ig_exchange_token"
        "&client_secret=" +
            secret + "&access_token=IGshort");

  auto fb = long_lived_exchange_request(builtin("facebook"), "EAAshort");
  REQUIRE(fb);
  CHECK(fb->method == http_method::get);
  CHECK(fb->url ==
        "https://graph.facebook.com/v22.0/oauth/access_token?grant_type=fb_exchange_"
        "token&client_id=1234567890&client_secret=" +
            secret + "&fb_exchange_token=EAAshort");

  auto tt = long_lived_exchange_request(builtin("tiktok"), "x");
  CHECK(failure_code(tt) == "invalid_profile");
  CHECK_THAT(failure_detail(tt), Catch::Contains("tiktok") && Catch::Contains("long-lived"));
}

TEST_CASE("Instagram refreshes with a GET ig_refresh_token of the access token",
          "[oauth][requests]") {
  auto r = refresh_request(builtin("instagram"), {"IGlong", ""});
  REQUIRE(r);
  CHECK(r->method == http_method::get);
  CHECK(r->url ==
        "https://graph.instagram.com/refresh_access_token?grant_type=ig_refresh_token"
        "&access_token=IGlong");
  CHECK(r->body.empty());
}

TEST_CASE("TikTok refreshes with a refresh_token grant and its client_key", "[oauth][requests]") {
  auto r = refresh_request(builtin("tiktok"), {"act.x", "rft.y"});
  REQUIRE(r);
  CHECK(r->method == http_method::post);
  CHECK(r->url == "https://open.tiktokapis.com/v2/oauth/token/");
  CHECK(header(*r, "Content-Type") == form);
  CHECK(r->body ==
        "grant_type=refresh_token&refresh_token=rft.y&client_key=awclientkey"
        "&client_secret=" +
            secret);
}

TEST_CASE("Pinterest refreshes with Basic auth and continuous_refresh=true", "[oauth][requests]") {
  auto r = refresh_request(builtin("pinterest"), {"pina_x", "pinr_y"});
  REQUIRE(r);
  CHECK(r->method == http_method::post);
  CHECK(r->url == "https://api.pinterest.com/v5/oauth/token");
  CHECK(header(*r, "Authorization") == "Basic " + base::base64_encode("1234567890:" + secret));
  CHECK(r->body == "grant_type=refresh_token&refresh_token=pinr_y&continuous_refresh=true");

  auto settings = settings_for("pinterest");
  settings.extra_refresh_params = param_list{};
  auto plain = refresh_request(builtin("pinterest", std::move(settings)), {"pina_x", "pinr_y"});
  REQUIRE(plain);
  CHECK(plain->body == "grant_type=refresh_token&refresh_token=pinr_y");
}

TEST_CASE("Facebook cannot refresh, and a grant without refresh token cannot either",
          "[oauth][requests]") {
  auto fb = refresh_request(builtin("facebook"), {"EAA", ""});
  CHECK(failure_code(fb) == "invalid_profile");
  CHECK_THAT(failure_detail(fb), Catch::Contains("log in again"));
  CHECK(failure_code(refresh_request(builtin("tiktok"), {"act.x", ""})) == "invalid_response");
  CHECK(failure_code(refresh_request(builtin("instagram"), {"", ""})) == "invalid_response");
}

TEST_CASE("identity calls send the token as a Bearer header, Meta adds appsecret_proof",
          "[oauth][requests]") {
  const auto ig = identity_request(builtin("instagram"), "IGtoken");
  CHECK(ig.method == http_method::get);
  CHECK(ig.url == "https://graph.instagram.com/v22.0/me?fields=user_id,username,name");
  CHECK(header(ig, "Authorization") == "Bearer IGtoken");

  const auto fb = identity_request(builtin("facebook"), "EAAtoken");
  const auto proof = appsecret_proof("EAAtoken", base::secret(secret));
  CHECK(fb.url == "https://graph.facebook.com/v22.0/me?fields=id,name&appsecret_proof=" + proof);
  CHECK(header(fb, "Authorization") == "Bearer EAAtoken");
  CHECK_THAT(fb.url, !Catch::Contains("EAAtoken"));

  const auto tt = identity_request(builtin("tiktok"), "act.1");
  CHECK(tt.url ==
        "https://open.tiktokapis.com/v2/user/info/?fields=open_id,union_id,display_name,username");
  CHECK(header(tt, "Authorization") == "Bearer act.1");

  const auto pin = identity_request(builtin("pinterest"), "pina_1");
  CHECK(pin.url == "https://api.pinterest.com/v5/user_account");
  CHECK(header(pin, "Authorization") == "Bearer pina_1");
}

TEST_CASE("appsecret_proof is the hex HMAC-SHA256 of the token keyed with the app secret",
          "[oauth][requests]") {
  // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
  CHECK(appsecret_proof("what do ya want for nothing?", base::secret("Jefe")) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("debug_token puts the input token in the query and the app token in a header",
          "[oauth][requests]") {
  auto r = debug_token_request(builtin("facebook"), "EAAuser");
  REQUIRE(r);
  CHECK(r->method == http_method::get);
  CHECK(r->url == "https://graph.facebook.com/v22.0/debug_token?input_token=EAAuser");
  CHECK(header(*r, "Authorization") == "Bearer 1234567890|" + secret);
  CHECK(failure_code(debug_token_request(builtin("tiktok"), "x")) == "invalid_profile");
}

TEST_CASE("revoke requests per provider", "[oauth][requests]") {
  SECTION("TikTok POSTs client_key, client_secret and the access token") {
    auto r = revoke_request(builtin("tiktok"), {"act.x", "rft.y"});
    REQUIRE(r);
    CHECK(r->method == http_method::post);
    CHECK(r->url == "https://open.tiktokapis.com/v2/oauth/revoke/");
    CHECK(header(*r, "Content-Type") == form);
    CHECK(r->body == "client_key=awclientkey&client_secret=" + secret + "&token=act.x");
  }
  SECTION("Facebook DELETEs the user's permissions with the user token") {
    auto r = revoke_request(builtin("facebook"), {"EAAx", ""}, "10158");
    REQUIRE(r);
    CHECK(r->method == http_method::delete_);
    CHECK(r->url == "https://graph.facebook.com/v22.0/10158/permissions?appsecret_proof=" +
                        appsecret_proof("EAAx", base::secret(secret)));
    CHECK(header(*r, "Authorization") == "Bearer EAAx");
    auto odd = revoke_request(builtin("facebook"), {"EAAx", ""}, "../me?x");
    REQUIRE(odd);
    CHECK_THAT(odd->url, Catch::StartsWith("https://graph.facebook.com/v22.0/..%2Fme%3Fx/"));
    CHECK(failure_code(revoke_request(builtin("facebook"), {"EAAx", ""})) == "invalid_response");
  }
  SECTION("a generic provider revokes the refresh token per RFC 7009") {
    auto r = revoke_request(generic(), {"at", "rt"});
    REQUIRE(r);
    CHECK(r->method == http_method::post);
    CHECK(r->url == "https://auth.acme.example/oauth2/revoke");
    CHECK(r->body == "token=rt&token_type_hint=refresh_token");
    CHECK(header(*r, "Authorization") == "Basic " + base::base64_encode("1234567890:" + secret));
    auto access = revoke_request(generic(), {"at", ""});
    REQUIRE(access);
    CHECK(access->body == "token=at&token_type_hint=access_token");
  }
  SECTION("Instagram and Pinterest have no revoke endpoint") {
    for (const char* id : {"instagram", "pinterest"}) {
      auto r = revoke_request(builtin(id), {"x", "y"});
      CHECK(failure_code(r) == "invalid_profile");
      CHECK_THAT(failure_detail(r), Catch::Contains("no revoke endpoint"));
    }
  }
}

TEST_CASE("the Pages call sends the user token as a Bearer header with appsecret_proof",
          "[oauth][requests][pages]") {
  auto r = pages_request(builtin("facebook"), "EAAuser");
  REQUIRE(r);
  CHECK(r->method == http_method::get);
  const auto proof = appsecret_proof("EAAuser", base::secret(secret));
  CHECK(r->url ==
        "https://graph.facebook.com/v22.0/me/accounts?fields=id,name,access_token,"
        "instagram_business_account&appsecret_proof=" +
            proof);
  CHECK(header(*r, "Authorization") == "Bearer EAAuser");
  CHECK_THAT(r->url, !Catch::Contains("EAAuser"));

  auto unsigned_settings = settings_for("instagram_facebook");
  unsigned_settings.appsecret_proof = false;
  auto plain = pages_request(builtin("instagram_facebook", std::move(unsigned_settings)), "EAAx");
  REQUIRE(plain);
  CHECK_THAT(plain->url, !Catch::Contains("appsecret_proof"));

  CHECK(failure_code(pages_request(builtin("instagram"), "IGtoken")) == "invalid_profile");
  CHECK(failure_code(pages_request(builtin("tiktok"), "act.1")) == "invalid_profile");
}
