// The [oauth] wiring's own checks, on top of each provider's: what a set of providers must not
// share.

#include "setup/oauth_wiring.hpp"

#include <fstream>
#include <unistd.h>

#include <catch2/catch.hpp>

using namespace rosterd::setup;

namespace {

std::string generic_provider(const std::string& id, const std::filesystem::path& secret,
                             const std::string& issuer) {
  return "[oauth.providers." + id +
         "]\nkind = \"generic\"\nclient_id = \"c\"\nclient_secret_file = \"" + secret.string() +
         "\"\nauthorize_url = \"https://" + id + ".example/authorize\"\ntoken_url = \"https://" +
         id + ".example/token\"\nidentity_url = \"https://" + id +
         ".example/userinfo\"\nscopes = [\"profile\"]\nissuer = \"" + issuer + "\"\n";
}

}  // namespace

TEST_CASE("two providers cannot share an issuer: the mix-up check could not tell them apart",
          "[config][oauth][mixup]") {
  const auto dir =
      std::filesystem::temp_directory_path() / ("rosterd-wiring-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto secret = dir / "client.secret";
  std::ofstream(secret) << "s3cret\n";
  const auto make = [&](const std::string& second_issuer) {
    const auto text =
        "[server]\npublic_url = \"https://roster.example.com\"\n[vault]\nkey_file "
        "= \"/k\"\n" +
        generic_provider("alpha", secret, "https://auth.example") +
        generic_provider("beta", secret, second_issuer);
    auto c = parse_config(text, "test.toml", dir);
    REQUIRE(c.has_value());
    return make_oauth_services(*c, nullptr);
  };
  auto shared = make("https://auth.example");
  REQUIRE_FALSE(shared.has_value());
  INFO(shared.error().detail);
  CHECK(shared.error().detail.find("oauth.providers.beta: issuer https://auth.example is also "
                                   "alpha's") != std::string::npos);
  auto distinct = make("https://auth.example/beta");
  INFO((distinct ? std::string() : distinct.error().detail));
  CHECK(distinct.has_value());
  std::filesystem::remove_all(dir);
}
