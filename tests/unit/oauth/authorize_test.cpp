#include "oauth/authorize.hpp"

#include <catch2/catch.hpp>

#include "oauth/pkce.hpp"
#include "tests/unit/oauth/oauth_testing.hpp"

using namespace rosterd;
using namespace rosterd::oauth;
using namespace rosterd::oauth::testing;

namespace {

constexpr std::string_view state = "st_Zx9-_abc";

std::string encoded_redirect(std::string_view id) {
  return "https%3A%2F%2Frosterd.example%2Foauth%2F" + std::string(id) + "%2Fcallback";
}

}  // namespace

TEST_CASE("Instagram's authorize URL: client_id, comma-separated scopes, no PKCE",
          "[oauth][authorize]") {
  auto settings = settings_for("instagram");
  settings.scopes =
      std::vector<std::string>{"instagram_business_basic", "instagram_business_manage_insights"};
  const auto p = builtin("instagram", std::move(settings));
  CHECK(authorize_url(p, state, std::nullopt) ==
        "https://www.instagram.com/oauth/authorize?client_id=1234567890&redirect_uri=" +
            encoded_redirect("instagram") +
            "&response_type=code&scope=instagram_business_basic%2Cinstagram_business_manage_"
            "insights&state=st_Zx9-_abc");
}

TEST_CASE("Facebook's authorize URL is versioned, carries PKCE and asks again with rerequest",
          "[oauth][authorize]") {
  const auto p = builtin("facebook");
  const std::string expected =
      "https://www.facebook.com/v22.0/dialog/oauth?client_id=1234567890&redirect_uri=" +
      encoded_redirect("facebook") +
      "&response_type=code&scope=public_profile&state=st_Zx9-_abc&code_challenge=chal&code_"
      "challenge_method=S256";
  CHECK(authorize_url(p, state, std::string_view("chal")) == expected);
  CHECK(authorize_url(p, state, std::string_view("chal"), authorize_mode::reconsent) ==
        expected + "&auth_type=rerequest");
}

TEST_CASE("Instagram via Facebook Login uses the Facebook dialog with its own scopes",
          "[oauth][authorize]") {
  const auto p = builtin("instagram_facebook");
  CHECK(authorize_url(p, state, std::string_view("chal")) ==
        "https://www.facebook.com/v22.0/dialog/oauth?client_id=1234567890&redirect_uri=" +
            encoded_redirect("instagram_facebook") +
            "&response_type=code&scope=instagram_basic%2Cpages_show_list&state=st_Zx9-_abc&code_"
            "challenge=chal&code_challenge_method=S256");
}

TEST_CASE("TikTok's authorize URL names the client client_key", "[oauth][authorize]") {
  const auto p = builtin("tiktok");
  CHECK(authorize_url(p, state, std::nullopt) ==
        "https://www.tiktok.com/v2/auth/authorize/?client_key=awclientkey&redirect_uri=" +
            encoded_redirect("tiktok") +
            "&response_type=code&scope=user.info.basic%2Cuser.info.profile&state=st_Zx9-_abc");
}

TEST_CASE("Pinterest's authorize URL percent-encodes the colon in scopes", "[oauth][authorize]") {
  auto settings = settings_for("pinterest");
  settings.scopes = std::vector<std::string>{"user_accounts:read", "boards:read"};
  const auto p = builtin("pinterest", std::move(settings));
  CHECK(authorize_url(p, state, std::nullopt) ==
        "https://www.pinterest.com/oauth/?client_id=1234567890&redirect_uri=" +
            encoded_redirect("pinterest") +
            "&response_type=code&scope=user_accounts%3Aread%2Cboards%3Aread&state=st_Zx9-_abc");
}

TEST_CASE("a generic provider's authorize URL carries PKCE S256, spaces as %20 and extras",
          "[oauth][authorize]") {
  auto config = generic_config();
  config.authorize_url = "https://auth.acme.example/oauth2/authorize?tenant=creators";
  config.extra_authorize_params = {{"prompt", "consent"}, {"access_type", "offline"}};
  auto profile = make_generic_profile(config).value();
  const auto p = resolve(profile, settings_for("acme")).value();
  const auto challenge = code_challenge_s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
  CHECK(authorize_url(p, state, challenge) ==
        "https://auth.acme.example/oauth2/authorize?tenant=creators&client_id=1234567890"
        "&redirect_uri=" +
            encoded_redirect("acme") +
            "&response_type=code&scope=profile%20insights.read&state=st_Zx9-_abc"
            "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
            "&code_challenge_method=S256&prompt=consent&access_type=offline");
}

TEST_CASE("a redirect URI and values with reserved characters are encoded once",
          "[oauth][authorize]") {
  auto settings = settings_for("instagram");
  settings.redirect_uri = "https://rosterd.example/cb?next=a&b=c%20d";
  settings.extra_authorize_params = param_list{{"x y", "1+1=2&"}};
  const auto p = builtin("instagram", std::move(settings));
  const auto url = authorize_url(p, "s t", std::nullopt);
  CHECK_THAT(url, Catch::Contains(
                      "redirect_uri=https%3A%2F%2Frosterd.example%2Fcb%3Fnext%3Da%26b%3Dc%2520d"));
  CHECK_THAT(url, Catch::Contains("&state=s%20t"));
  CHECK_THAT(url, Catch::EndsWith("&x%20y=1%2B1%3D2%26"));
}

TEST_CASE("a PKCE challenge must be given exactly where the profile uses PKCE",
          "[oauth][authorize]") {
  CHECK_THROWS_AS(authorize_url(builtin("instagram"), state, std::string_view("abc")),
                  std::invalid_argument);
  CHECK_THROWS_AS(authorize_url(generic(), state, std::nullopt), std::invalid_argument);
  CHECK_THROWS_AS(authorize_url(builtin("instagram"), "", std::nullopt), std::invalid_argument);
}

TEST_CASE("begin_authorization makes a fresh state, a verifier where PKCE applies, and the URL",
          "[oauth][authorize]") {
  const auto ig = begin_authorization(builtin("instagram"));
  CHECK(looks_like_state(ig.state.value.reveal()));
  CHECK_FALSE(ig.code_verifier);
  CHECK_THAT(ig.url, Catch::EndsWith("&state=" + std::string(ig.state.value.reveal())));
  CHECK_THAT(ig.url, !Catch::Contains("code_challenge"));

  const auto acme = begin_authorization(generic());
  REQUIRE(acme.code_verifier);
  CHECK(acme.code_verifier->reveal().size() == 43);
  CHECK_THAT(acme.url, Catch::Contains(
                           "&code_challenge=" + code_challenge_s256(acme.code_verifier->reveal()) +
                           "&code_challenge_method=S256"));
  CHECK_THAT(acme.url, !Catch::Contains(std::string(acme.code_verifier->reveal())));
  CHECK(begin_authorization(generic()).state.value.reveal() != acme.state.value.reveal());
}

TEST_CASE("a callback with code and state is read, Instagram's #_ removed", "[oauth][callback]") {
  const auto ig = *find_builtin_profile("instagram");
  auto c = parse_callback(ig, "code=AQD-abc123%23_&state=st_xyz");
  REQUIRE(c);
  REQUIRE(c->code);
  CHECK(c->code->reveal() == "AQD-abc123");
  CHECK(c->state == "st_xyz");
  CHECK_FALSE(c->error);

  const auto tt = *find_builtin_profile("tiktok");
  auto t = parse_callback(tt, "?code=abc%2Bdef&scopes=user.info.basic%2Cvideo.list&state=s1");
  REQUIRE(t);
  CHECK(t->code->reveal() == "abc+def");
  REQUIRE(t->granted_scopes);
  CHECK(*t->granted_scopes == std::vector<std::string>{"user.info.basic", "video.list"});
}

TEST_CASE("a callback carrying a denial is read as an error", "[oauth][callback]") {
  const auto ig = *find_builtin_profile("instagram");
  auto c = parse_callback(ig,
                          "error=access_denied&error_reason=user_denied&error_description=The+user+"
                          "denied+your+request.&state=st_xyz");
  REQUIRE(c);
  CHECK_FALSE(c->code);
  CHECK(c->error == "access_denied");
  CHECK(c->error_reason == "user_denied");
  CHECK(c->error_description == "The user denied your request.");
}

TEST_CASE("a callback's error texts come back as valid UTF-8, cut on character boundaries",
          "[oauth][callback][utf8]") {
  const auto ig = *find_builtin_profile("instagram");
  // 200 three-byte characters: 600 bytes, of which 512 would end inside the 171st.
  std::string euros;
  for (int i = 0; i < 200; ++i) {
    euros += "%E2%82%AC";
  }
  auto c = parse_callback(ig, "error=access%FFdenied&error_reason=" + euros +
                                  "&error_description=x%C3%28y%ED%A0%80z%F0%9F%98" + euros +
                                  "&state=st_xyz");
  REQUIRE(c);
  CHECK(c->error ==
        "access\xEF\xBF\xBD"
        "denied");
  REQUIRE(c->error_reason);
  CHECK(c->error_reason->size() == 510);  // 170 whole characters
  CHECK(c->error_reason->ends_with("\xE2\x82\xAC"));
  REQUIRE(c->error_description);
  // A lead byte without its continuation, an encoded surrogate (3 bytes) and a truncated
  // four-byte sequence each become U+FFFD (one per maximal ill-formed subpart).
  const std::string replaced = "x\xEF\xBF\xBD(y\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBDz\xEF\xBF\xBD";
  CHECK(c->error_description->rfind(replaced, 0) == 0);
  CHECK(c->error_description->size() <= 512);
  CHECK(c->error_description->ends_with("\xE2\x82\xAC"));
  CHECK((c->error_description->size() - replaced.size()) % 3 == 0);
}

TEST_CASE("malformed callbacks are refused without echoing code or state", "[oauth][callback]") {
  const auto ig = *find_builtin_profile("instagram");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"code=CODE-CANARY-2w5y3", "no state"},
      {"state=STATE-CANARY", "neither code nor error"},
      {"code=CODE-CANARY-2w5y3&state=a&state=b", "more than once"},
      {"code=CODE-CANARY-2w5y3&code=x&state=a", "more than once"},
      {"code=CODE-CANARY-2w5y3&error=access_denied&state=a", "both"},
      {"code=%ZZ&state=a", "percent-encoded"},
      {"code=%23_&state=a", "empty code"},
      {"code=&state=a", "empty code"},
      {"error=&state=a", "empty error"},
      {"code=x&state=", "no state"},
      {"code=x y&state=a", "percent-encoded"},
      {"code=x&state=a&iss=a&iss=b", "more than once"},
  };
  for (const auto& [query, why] : cases) {
    INFO(query);
    auto c = parse_callback(ig, query);
    CHECK(failure_code(c) == "malformed_request");
    CHECK_THAT(failure_detail(c), Catch::Contains(why));
    CHECK_THAT(failure_detail(c), !Catch::Contains("CANARY"));
  }
  CHECK(failure_code(parse_callback(ig, "code=x&state=" + std::string(20000, 'a'))) ==
        "request_too_large");
}

TEST_CASE("a callback must carry exactly the issuer its provider is configured with",
          "[oauth][callback][mixup]") {
  auto config = generic_config();
  config.issuer = "https://auth.acme.example";
  const auto acme = make_generic_profile(config).value();
  const auto with = [&](const std::string& query) { return parse_callback(acme, query).value(); };
  CHECK_FALSE(issuer_mismatch(acme, with("code=c&state=s&iss=https%3A%2F%2Fauth.acme.example")));
  // An error answer is checked too: it may come from another server just the same.
  CHECK_FALSE(issuer_mismatch(
      acme, with("error=access_denied&state=s&iss=https%3A%2F%2Fauth.acme.example")));
  const auto missing = issuer_mismatch(acme, with("code=c&state=s"));
  REQUIRE(missing);
  CHECK_THAT(*missing, Catch::Contains("no iss"));
  for (const std::string iss : {"https%3A%2F%2Fevil.example", "https%3A%2F%2Fauth.acme.example%2F",
                                "HTTPS%3A%2F%2Fauth.acme.example", ""}) {
    INFO(iss);
    const auto other = issuer_mismatch(acme, with("code=c&state=s&iss=" + iss));
    REQUIRE(other);
    CHECK_THAT(*other, Catch::Contains("https://auth.acme.example"));
  }
  // What it quotes is cut and valid UTF-8.
  const auto odd = issuer_mismatch(acme, with("code=c&state=s&iss=%FF" + std::string(500, 'x')));
  REQUIRE(odd);
  CHECK(odd->size() < 300);
  CHECK(odd->find("\xEF\xBF\xBD") != std::string::npos);
  // A provider without an issuer takes any callback, iss or not.
  const auto plain = make_generic_profile(generic_config()).value();
  CHECK_FALSE(issuer_mismatch(plain, parse_callback(plain, "code=c&state=s&iss=x").value()));
  CHECK_FALSE(issuer_mismatch(plain, parse_callback(plain, "code=c&state=s").value()));
}
