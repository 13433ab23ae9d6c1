#include "http/cookies.hpp"

#include <stdexcept>

#include <catch2/catch.hpp>

using namespace rosterd::http;
using namespace std::chrono_literals;

TEST_CASE("a Cookie header parses into names and values", "[http][cookies]") {
  const auto cookies = parse_cookie_header("a=b; c=d;e=f");
  CHECK(cookies == cookie_map{{"a", "b"}, {"c", "d"}, {"e", "f"}});
}

TEST_CASE("spaces and tabs around pairs, names and values are tolerated", "[http][cookies]") {
  const auto cookies = parse_cookie_header("  a = b ;\tc=d\t;  ;e=  ");
  CHECK(cookies == cookie_map{{"a", "b"}, {"c", "d"}, {"e", ""}});
}

TEST_CASE("an empty or blank Cookie header has no cookies", "[http][cookies]") {
  CHECK(parse_cookie_header("").empty());
  CHECK(parse_cookie_header("   ").empty());
  CHECK(parse_cookie_header(";;;").empty());
  CHECK_FALSE(find_cookie("", "a"));
}

TEST_CASE("malformed pairs are skipped and the rest still parse", "[http][cookies]") {
  const auto cookies =
      parse_cookie_header("novalue; =anonymous; a b=c; d=e f; g=\"h; i=j,k; l=m\\n; ok=1");
  CHECK(cookies == cookie_map{{"ok", "1"}});
}

TEST_CASE("the first occurrence of a duplicated name wins", "[http][cookies]") {
  const std::string_view header = "sid=first; other=x; sid=second";
  CHECK(parse_cookie_header(header).at("sid") == "first");
  CHECK(find_cookie(header, "sid") == "first");
}

TEST_CASE("a malformed first occurrence does not hide a well-formed later one", "[http][cookies]") {
  CHECK(find_cookie("sid=bad value; sid=good", "sid") == "good");
}

TEST_CASE("double quotes around a value are removed", "[http][cookies]") {
  CHECK(find_cookie("a=\"quoted\"", "a") == "quoted");
  CHECK(find_cookie("a=\"\"", "a") == "");
  CHECK_FALSE(find_cookie("a=\"", "a"));
  CHECK_FALSE(find_cookie("a=\"in\"side\"", "a"));
}

TEST_CASE("find_cookie matches names exactly and points into the header", "[http][cookies]") {
  const std::string header = "rosterd_session=abc; __Host-rosterd_session=def";
  const auto plain = find_cookie(header, "rosterd_session");
  REQUIRE(plain);
  CHECK(*plain == "abc");
  CHECK(plain->data() == header.data() + 16);
  CHECK(find_cookie(header, "__Host-rosterd_session") == "def");
  CHECK_FALSE(find_cookie(header, "ROSTERD_SESSION"));
  CHECK_FALSE(find_cookie(header, "rosterd"));
}

TEST_CASE("a session cookie gets Path=/, Secure, HttpOnly and SameSite=Lax by default",
          "[http][cookies]") {
  set_cookie c;
  c.name = "__Host-rosterd_session";
  c.value = "sess_abc-_123";
  CHECK(format_set_cookie(c) ==
        "__Host-rosterd_session=sess_abc-_123; Path=/; Secure; HttpOnly; SameSite=Lax");
}

TEST_CASE("Max-Age, Domain and SameSite are written as asked", "[http][cookies]") {
  set_cookie c;
  c.name = "pref";
  c.value = "1";
  c.path = "/app";
  c.domain = "example.org";
  c.max_age = 3600s;
  c.http_only = false;
  c.same_site = same_site_policy::strict;
  CHECK(format_set_cookie(c) ==
        "pref=1; Path=/app; Domain=example.org; Max-Age=3600; Secure; SameSite=Strict");
  c.same_site = same_site_policy::none;
  CHECK(format_set_cookie(c).ends_with("; SameSite=None"));
}

TEST_CASE("expiring a cookie writes Max-Age=0 and overrides max_age", "[http][cookies]") {
  set_cookie c;
  c.name = "rosterd_session";
  c.secure = false;
  c.max_age = 3600s;
  c.expire_now = true;
  CHECK(format_set_cookie(c) == "rosterd_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
}

TEST_CASE("__Host- cookies must be Secure, on Path=/ and without Domain", "[http][cookies]") {
  set_cookie c;
  c.name = "__Host-rosterd_session";
  c.value = "x";
  CHECK_NOTHROW(format_set_cookie(c));

  auto insecure = c;
  insecure.secure = false;
  CHECK_THROWS_AS(format_set_cookie(insecure), std::invalid_argument);

  auto sub_path = c;
  sub_path.path = "/app";
  CHECK_THROWS_AS(format_set_cookie(sub_path), std::invalid_argument);

  auto with_domain = c;
  with_domain.domain = "example.org";
  CHECK_THROWS_AS(format_set_cookie(with_domain), std::invalid_argument);

  auto other_case = insecure;
  other_case.name = "__host-rosterd_session";
  CHECK_THROWS_AS(format_set_cookie(other_case), std::invalid_argument);
}

TEST_CASE("__Secure- cookies and SameSite=None must be Secure", "[http][cookies]") {
  set_cookie c;
  c.name = "__Secure-x";
  c.secure = false;
  CHECK_THROWS_AS(format_set_cookie(c), std::invalid_argument);
  c.name = "x";
  c.same_site = same_site_policy::none;
  CHECK_THROWS_AS(format_set_cookie(c), std::invalid_argument);
}

TEST_CASE("names and values browsers would mangle are refused", "[http][cookies]") {
  set_cookie c;
  c.name = "ok";
  for (const char* bad : {"a b", "a;b", "a,b", "a\"b", "a\\b", "\x7f", "caf\xc3\xa9"}) {
    INFO(bad);
    c.value = bad;
    CHECK_THROWS_AS(format_set_cookie(c), std::invalid_argument);
  }
  c.value = "v";
  for (const char* bad : {"", "a=b", "a b", "a;b", "(x)"}) {
    INFO(bad);
    c.name = bad;
    CHECK_THROWS_AS(format_set_cookie(c), std::invalid_argument);
  }
}

TEST_CASE("bad attributes are refused", "[http][cookies]") {
  set_cookie c;
  c.name = "x";
  c.path = "app";
  CHECK_THROWS_AS(format_set_cookie(c), std::invalid_argument);
  c.path = "/a;b";
  CHECK_THROWS_AS(format_set_cookie(c), std::invalid_argument);
  c.path = "/";
  c.domain = "example.org; Secure";
  CHECK_THROWS_AS(format_set_cookie(c), std::invalid_argument);
  c.domain = "";
  CHECK_THROWS_AS(format_set_cookie(c), std::invalid_argument);
  c.domain.reset();
  c.max_age = -1s;
  CHECK_THROWS_AS(format_set_cookie(c), std::invalid_argument);
  c.max_age.reset();
  c.value = std::string(4096, 'v');
  CHECK_THROWS_AS(format_set_cookie(c), std::invalid_argument);
}

TEST_CASE("the session cookie is __Host- prefixed only over HTTPS", "[http][cookies]") {
  CHECK(session_cookie_name(true) == "__Host-rosterd_session");
  CHECK(session_cookie_name(false) == "rosterd_session");
  set_cookie plain;
  plain.name = session_cookie_name(false);
  plain.secure = false;
  CHECK_NOTHROW(format_set_cookie(plain));
}
