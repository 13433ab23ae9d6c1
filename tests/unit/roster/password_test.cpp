#include "roster/password.hpp"

#include <string>

#include <catch2/catch.hpp>

#include "tests/unit/roster/catch_result.hpp"

using namespace rosterd::roster;
using rosterd::base::secret;
using rosterd::roster::testing::failure_code;
using rosterd::roster::testing::failure_detail;

namespace {

// The minimum is also the default, so every hash here costs what production pays.
constexpr password_cost cost = minimum_password_cost;

secret pw(std::string text) {
  return secret(std::move(text));
}

}  // namespace

TEST_CASE("a hashed password verifies and a wrong one does not", "[roster][password]") {
  const auto phc = hash_password(pw("correct battery horse"), cost);
  REQUIRE(phc);
  CHECK(phc->starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
  CHECK(verify_password(pw("correct battery horse"), *phc));
  CHECK_FALSE(verify_password(pw("correct battery horsE"), *phc));
  CHECK_FALSE(verify_password(pw(""), *phc));
  CHECK_FALSE(needs_rehash(*phc, cost));
}

TEST_CASE("the same password hashes differently each time (random salt)", "[roster][password]") {
  const auto a = hash_password(pw("correct battery horse"), cost);
  const auto b = hash_password(pw("correct battery horse"), cost);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(*a != *b);
}

TEST_CASE("malformed or foreign hashes never verify", "[roster][password]") {
  const auto phc = hash_password(pw("correct battery horse"), cost);
  REQUIRE(phc);
  const auto p = pw("correct battery horse");
  CHECK_FALSE(verify_password(p, ""));
  CHECK_FALSE(verify_password(p, "correct battery horse"));
  CHECK_FALSE(verify_password(p, "$argon2id$"));
  CHECK_FALSE(verify_password(p, phc->substr(0, phc->size() - 1)));
  CHECK_FALSE(verify_password(p, *phc + "A"));
  CHECK_FALSE(verify_password(p, *phc + "$"));
  // Another Argon2 variant with otherwise the same string.
  std::string argon2i = *phc;
  argon2i.replace(0, 9, "$argon2i");
  CHECK_FALSE(verify_password(p, argon2i));
  // bcrypt, as another system might have stored it.
  CHECK_FALSE(verify_password(p, "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW"));
}

TEST_CASE("a stored cost above the maximum is refused without hashing", "[roster][password]") {
  const auto phc = hash_password(pw("correct battery horse"), cost);
  REQUIRE(phc);
  std::string huge = *phc;
  huge.replace(huge.find("m=19456"), 7, "m=4294967295");
  CHECK_FALSE(verify_password(pw("correct battery horse"), huge));
}

TEST_CASE("a cost below the OWASP minimum is refused naming the field", "[roster][password]") {
  auto low_memory = cost;
  low_memory.memory_kib = 19455;
  const auto a = hash_password(pw("correct battery horse"), low_memory);
  CHECK(failure_code(a) == "invalid_argument");
  CHECK_THAT(failure_detail(a), Catch::Contains("memory_kib=19455"));

  auto one_pass = cost;
  one_pass.iterations = 1;
  CHECK_THAT(failure_detail(check_password_cost(one_pass)), Catch::Contains("iterations"));

  auto no_lanes = cost;
  no_lanes.parallelism = 0;
  CHECK_THAT(failure_detail(check_password_cost(no_lanes)), Catch::Contains("parallelism"));

  auto too_much = cost;
  too_much.memory_kib = maximum_password_cost.memory_kib + 1;
  CHECK(failure_code(check_password_cost(too_much)) == "invalid_argument");

  CHECK(check_password_cost(cost));
  CHECK(check_password_cost(maximum_password_cost));
}

TEST_CASE("a hash made at another cost needs a rehash", "[roster][password]") {
  const auto phc = hash_password(pw("correct battery horse"), cost);
  REQUIRE(phc);
  auto more_memory = cost;
  more_memory.memory_kib = 65536;
  CHECK(needs_rehash(*phc, more_memory));
  auto more_passes = cost;
  more_passes.iterations = 3;
  CHECK(needs_rehash(*phc, more_passes));
  auto more_lanes = cost;
  more_lanes.parallelism = 2;
  CHECK(needs_rehash(*phc, more_lanes));
  CHECK(needs_rehash("", cost));
  CHECK(needs_rehash("$argon2i$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaA", cost));
}

TEST_CASE("spending equal time does not fail for any input", "[roster][password]") {
  // The login accepts any string up to max_password_bytes; for each, the dummy verification
  // must run the whole Argon2id hash, or an unknown address would answer faster.
  const std::string longest(max_password_bytes, 'x');
  const std::string with_nul("before\0after", 12);
  for (const std::string& typed : {std::string("whatever the user typed"), std::string(), longest,
                                   with_nul, std::string("\xff\xfe not UTF-8")}) {
    INFO("password of " << typed.size() << " bytes");
    CHECK(spend_equal_time(pw(typed), cost));
  }
  // A cost outside the accepted range spends nothing (configuration never lets one through).
  CHECK_FALSE(spend_equal_time(pw("whatever"), password_cost{1024, 1, 1}));
}

TEST_CASE("the password policy asks for 12 characters, counted as code points",
          "[roster][password]") {
  const auto short_one = check_password_policy(pw("tiny horse!"));
  CHECK(failure_code(short_one) == "weak_password");
  CHECK_THAT(failure_detail(short_one), Catch::Contains("at least 12 characters"));
  CHECK(check_password_policy(pw("tiny horses!")));
  // 12 Cyrillic letters are 24 bytes but 12 characters; 6 of them are 12 bytes but too short.
  CHECK(
      check_password_policy(pw("\xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82\xd0\xbc"
                               "\xd0\xb8\xd1\x80\xd0\xb4\xd0\xbe\xd0\xbc\xd0\xb0")));
  CHECK(failure_code(check_password_policy(
            pw("\xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82"))) == "weak_password");
}

TEST_CASE("the password policy caps the length at 1024 bytes", "[roster][password]") {
  CHECK(check_password_policy(pw(std::string(1023, 'x') + "y")));
  const auto long_one = check_password_policy(pw(std::string(1024, 'x') + "y"));
  CHECK(failure_code(long_one) == "weak_password");
  CHECK_THAT(failure_detail(long_one), Catch::Contains("at most 1024 bytes"));
}

TEST_CASE("the password policy refuses one repeated character", "[roster][password]") {
  const auto same = check_password_policy(pw("aaaaaaaaaaaaaaaa"));
  CHECK(failure_code(same) == "weak_password");
  CHECK_THAT(failure_detail(same), Catch::Contains("single character"));
  CHECK(failure_code(check_password_policy(pw(std::string(8, '\0') + std::string(8, '\0')))) ==
        "weak_password");
  // "é" twelve times.
  std::string accents;
  for (int i = 0; i < 12; ++i) {
    accents += "\xc3\xa9";
  }
  CHECK(failure_code(check_password_policy(pw(accents))) == "weak_password");
}

TEST_CASE("the password policy refuses the most common passwords in any case",
          "[roster][password]") {
  const auto common = check_password_policy(pw("Password1234"));
  CHECK(failure_code(common) == "weak_password");
  CHECK_THAT(failure_detail(common), Catch::Contains("most commonly used"));
  CHECK(failure_code(check_password_policy(pw("QWERTY123456"))) == "weak_password");
  CHECK(failure_code(check_password_policy(pw("1qaz2wsx3edc"))) == "weak_password");
}

TEST_CASE("the password policy refuses text that is not UTF-8", "[roster][password]") {
  const auto latin1 = check_password_policy(pw("caf\xe9 au lait avec du sucre"));
  CHECK(failure_code(latin1) == "weak_password");
  CHECK_THAT(failure_detail(latin1), Catch::Contains("UTF-8"));
  // An overlong encoding of '/'.
  CHECK(failure_code(check_password_policy(pw("\xc0\xaf long enough text"))) == "weak_password");
}

TEST_CASE("the policy accepts long passphrases with no composition rules", "[roster][password]") {
  CHECK(check_password_policy(pw("correct battery horse staple")));
  CHECK(check_password_policy(pw("alllowercaseletters")));
  CHECK(
      check_password_policy(pw("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe3\x83\x91"
                               "\xe3\x82\xb9\xe3\x83\xaf\xe3\x83\xbc\xe3\x83\x89\xe3\x81\xa7"
                               "\xe3\x81\x99\xe3\x82\x88")));  // 12 Japanese characters
}

TEST_CASE("policy failures never repeat the password", "[roster][password]") {
  for (const char* text : {"tiny horse!", "Password1234", "aaaaaaaaaaaaaaaa"}) {
    CHECK_THAT(failure_detail(check_password_policy(pw(text))), !Catch::Contains(text));
  }
}
