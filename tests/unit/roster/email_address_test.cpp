#include "roster/email_address.hpp"

#include <string>

#include <catch2/catch.hpp>

#include "tests/unit/roster/catch_result.hpp"

using namespace rosterd::roster;
using rosterd::roster::testing::failure_code;
using rosterd::roster::testing::failure_detail;

TEST_CASE("everyday addresses are accepted and stored lower-cased and trimmed", "[roster]") {
  CHECK(normalize_email("ann@example.com").value() == "ann@example.com");
  CHECK(normalize_email("  Ann.Lee@Example.COM \t").value() == "ann.lee@example.com");
  CHECK(normalize_email("ann+talent@mail.example.co.uk").value() ==
        "ann+talent@mail.example.co.uk");
  CHECK(normalize_email("o'neil@my-agency.io").value() == "o'neil@my-agency.io");
  CHECK(normalize_email("first_last-1@x1.example.org").value() == "first_last-1@x1.example.org");
  CHECK(normalize_email("a!#$%&'*+/=?^_`{|}~-b@example.com"));
}

TEST_CASE("punycode domains and punycode top-level domains are accepted", "[roster]") {
  CHECK(normalize_email("ann@xn--bcher-kva.example"));
  CHECK(normalize_email("ann@example.xn--p1ai"));
}

TEST_CASE("addresses at the length limits are accepted, one past them rejected", "[roster]") {
  const std::string local64(64, 'a');
  CHECK(normalize_email(local64 + "@example.com"));
  CHECK(failure_code(normalize_email(local64 + "a@example.com")) == "invalid_email");

  const std::string label63(63, 'b');
  CHECK(normalize_email("a@" + label63 + ".com"));
  CHECK(failure_code(normalize_email("a@" + label63 + "b.com")) == "invalid_email");

  // 64 + 1 + 185 + 4 = 254 characters.
  const std::string domain185 =
      std::string(63, 'c') + "." + std::string(63, 'd') + "." + std::string(57, 'e');
  CHECK(normalize_email(local64 + "@" + domain185 + ".com"));
  CHECK(failure_code(normalize_email(local64 + "@" + domain185 + "e.com")) == "invalid_email");
}

TEST_CASE("rejected addresses say what is wrong", "[roster]") {
  const std::pair<const char*, const char*> cases[] = {
      {"", "is empty"},
      {"   ", "is empty"},
      {"ann.example.com", "has no @"},
      {"ann@@example.com", "more than one @"},
      {"ann@x@example.com", "more than one @"},
      {"@example.com", "nothing before the @"},
      {"ann@", "nothing after the @"},
      {"ann@example", "without a dot (\"example\")"},
      {".ann@example.com", "misplaced dot"},
      {"ann.@example.com", "misplaced dot"},
      {"an..n@example.com", "misplaced dot"},
      {"ann lee@example.com", "character not allowed"},
      {"ann\"@example.com", "character not allowed"},
      {"jos\xC3\xA9@example.com", "character not allowed"},
      {"ann@exa mple.com", "not allowed in a domain"},
      {"ann@exa_mple.com", "not allowed in a domain"},
      {"ann@example..com", "empty part"},
      {"ann@.example.com", "empty part"},
      {"ann@example.com.", "empty part"},
      {"ann@-example.com", "hyphen"},
      {"ann@example-.com", "hyphen"},
      {"ann@example.c", "not a top-level domain"},
      {"ann@example.c0m", "not a top-level domain"},
      {"ann@127.0.0.1", "not a top-level domain"},
      {"ann@[127.0.0.1]", "not allowed in a domain"},
      {"Ann Lee <ann@example.com>", "character not allowed"},
  };
  for (const auto& [address, why] : cases) {
    INFO("address: " << address);
    const auto r = normalize_email(address);
    CHECK(failure_code(r) == "invalid_email");
    CHECK_THAT(failure_detail(r), Catch::Contains(why));
  }
}

TEST_CASE("an over-long address is rejected", "[roster]") {
  const auto r = normalize_email(std::string(60, 'a') + "@" + std::string(200, 'b') + ".com");
  CHECK_THAT(failure_detail(r), Catch::Contains("longer than 254"));
}

TEST_CASE("email_domain returns the part after the @", "[roster]") {
  CHECK(email_domain("ann@example.com") == "example.com");
  CHECK(email_domain("no-at") == "");
}
