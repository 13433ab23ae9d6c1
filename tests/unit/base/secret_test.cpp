#include "base/secret.hpp"

#include <sstream>

#include <catch2/catch.hpp>

using rosterd::base::secret;

TEST_CASE("a secret prints as redacted and never as its value", "[base]") {
  secret s("hunter2-canary");
  std::ostringstream os;
  os << s;
  CHECK(os.str() == "[redacted]");
  CHECK(s.reveal() == "hunter2-canary");
}

TEST_CASE("a moved-from secret is empty", "[base]") {
  secret a("value");
  secret b(std::move(a));
  CHECK(a.empty());  // NOLINT(bugprone-use-after-move): the point of the test
  CHECK(b.reveal() == "value");
}

TEST_CASE("secret comparison checks length and content", "[base]") {
  secret s("abc");
  CHECK(s.equals("abc"));
  CHECK_FALSE(s.equals("abd"));
  CHECK_FALSE(s.equals("ab"));
}
